"""Structured (record) dtypes: arrays zarrc writes read right in zarr-python 3.1.6 and back.

Cases are what both libraries can round-trip: zarr-python 3.1.6 cannot reopen nested records
in v2 and stores v3 records in the dtype's own byte order while writing no endianness, so
v3 cases use native-order fields (zarrc converts v3 records to native order when it writes).
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import zarrc

pytestmark = pytest.mark.interop

CASES = {
    (2, "flat"): [("a", "<f8"), ("b", ">i2"), ("c", "S3"), ("d", "<u2")],
    (2, "bool-complex"): [("ok", "|b1"), ("z", "<c8")],
    (3, "flat"): [("a", "<f8"), ("b", "<i2"), ("c", "S3"), ("d", "<u2")],
    (3, "nested"): [("p", [("x", "<f4"), ("y", "<f4")]), ("n", "|u1")],
}


def _data(dtype, n=11):
    rng = np.random.default_rng(5)
    raw = rng.integers(0, 255, n * dtype.itemsize, dtype=np.uint8).tobytes()
    out = np.frombuffer(raw, dtype=dtype).copy()
    for name in dtype.names:  # keep floats finite so equality is meaningful
        if dtype[name].kind in "fc":
            out[name] = rng.normal(size=n)
    return out


@pytest.fixture(scope="module")
def zarr():
    return pytest.importorskip("zarr")


@pytest.fixture(params=sorted(CASES), ids=lambda c: f"v{c[0]}-{c[1]}")
def case(request, tmp_path):
    """``(zarr_format, dtype, data, path)`` of one case."""
    dtype = np.dtype(CASES[request.param])
    return request.param[0], dtype, _data(dtype), str(tmp_path / "a")


def test_zarrc_writes_zarr_python_reads(zarr, case):
    fmt, dtype, x, path = case
    a = zarrc.create_array(path, shape=x.shape, chunks=(4,), dtype=dtype, zarr_format=fmt)
    a[:9] = x[:9]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        z = zarr.open_array(path, mode="r")
        got = z[:]
    np.testing.assert_array_equal(got[:9], x[:9])
    np.testing.assert_array_equal(got[9:], np.zeros(2, dtype=dtype))  # fill value: zeros


def test_zarr_python_writes_zarrc_reads(zarr, case):
    fmt, dtype, x, path = case
    fill = np.frombuffer(bytes([7]) * dtype.itemsize, dtype=dtype)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        z = zarr.create_array(path, shape=x.shape, chunks=(4,), dtype=dtype, zarr_format=fmt,
                              fill_value=fill)
        z[:9] = x[:9]
    a = zarrc.open_array(path, mode="r")
    assert a.dtype == dtype
    got = a[:]
    np.testing.assert_array_equal(got[:9], x[:9])
    assert got[10].tobytes() == fill.tobytes()
    key = ".zarray" if fmt == 2 else "zarr.json"
    stored = json.load(open(f"{path}/{key}"))
    ours = a.metadata.to_dict()
    assert ours == stored  # the document as read
    mine = zarrc.create_array({}, shape=x.shape, chunks=(4,), dtype=dtype, zarr_format=fmt,
                              fill_value=fill).metadata.to_dict()
    for field in ("dtype", "data_type", "fill_value", "codecs", "compressor", "filters"):
        assert mine.get(field) == stored.get(field), field
