"""tensorstore <-> zarrc: driver "zarr" (v2) and "zarr3" (v3) over the file kvstore.

The matrix is cases.matrix restricted to what tensorstore supports: numeric dtypes only (no
datetime, unicode or byte strings) and no numcodecs.* / lz4 / lzma codecs. Facts about
tensorstore that differ from zarr-python are stated where a test relies on them.
"""

from __future__ import annotations

import cases
import checks
import datagen
import numpy as np
import pytest

ts = pytest.importorskip("tensorstore")

pytestmark = pytest.mark.interop

CASES = (cases.matrix(2, dtypes=cases.TS_DTYPES, tensorstore=True)
         + cases.matrix(3, dtypes=cases.TS_DTYPES, tensorstore=True))


def _fill_json(case):
    return datagen.encode_v2_fill(case.fill_value, case.dtype)  # v3 numeric fills: same JSON


def ts_metadata(case):
    """tensorstore ``metadata`` for ``case``: the same request as zarrc's create_array."""
    if case.fmt == 2:
        c = case.v2_codecs()
        return {"zarr_format": 2, "shape": list(case.shape), "chunks": list(case.chunks),
                "dtype": case.np_dtype.str, "compressor": c["compressor"], "filters": None,
                "order": case.order, "dimension_separator": case.sep or ".",
                "fill_value": _fill_json(case)}
    p = case.v3_codecs()
    codecs = [*p["filters"], p["serializer"], *p["compressors"]]
    grid = case.chunks
    if case.shards:  # the layout zarr-python's shards= makes: index = bytes + crc32c, at end
        codecs = [{"name": "sharding_indexed", "configuration": {
            "chunk_shape": list(case.chunks), "codecs": codecs,
            "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                             {"name": "crc32c"}],
            "index_location": "end"}}]
        grid = case.shards
    meta = {"zarr_format": 3, "node_type": "array", "shape": list(case.shape),
            "data_type": cases.v3_data_type(case.dtype),
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": list(grid)}},
            "fill_value": _fill_json(case), "codecs": codecs,
            "dimension_names": case.dimension_names}
    if case.sep or case.key_encoding != "default":
        meta["chunk_key_encoding"] = case.chunk_key_encoding()
    # else: tensorstore writes {"name": "default"} with no configuration (separator "/" by
    # the v3 spec's default), a form zarr-python never writes; zarrc must read it too.
    return meta


def ts_spec(case, path):
    driver = "zarr" if case.fmt == 2 else "zarr3"
    return {"driver": driver, "kvstore": {"driver": "file", "path": str(path)}}


@pytest.mark.parametrize("case", cases.params(CASES))
def test_tensorstore_writes_zarrc_reads(case, tmp_path):
    import zarrc

    path = tmp_path / "from_ts"
    t = ts.open({**ts_spec(case, path), "metadata": ts_metadata(case)}, create=True).result()
    sel = case.selection()
    if sel is not None:
        t[sel].write(case.data()[sel]).result()
    what = f"zarrc reading tensorstore's {case}"
    a = zarrc.open_array(str(path), mode="r")
    assert a.zarr_format == case.fmt, what
    assert a.shape == case.shape, what
    assert a.chunks == case.chunks, what
    assert a.shards == case.shards, what
    if case.fmt == 2:  # tensorstore keeps the requested dtype string in .zarray
        assert a.dtype == case.np_dtype, what
        assert a.order == case.order, what
    else:
        assert checks.native(a.dtype) == checks.native(case.np_dtype), what
        assert tuple(a.dimension_names or ()) == tuple(case.dimension_names), what
    checks.assert_fill(a.fill_value, case.fill_value, case.np_dtype, what)
    assert dict(a.attrs) == {}, what  # tensorstore writes no attributes
    checks.assert_doc_contains(a.metadata.to_dict(), checks.read_doc(path, case.fmt), what)
    checks.assert_values(a[...], case.expected(), exact_dtype=case.fmt == 2, what=what)


@pytest.mark.parametrize("case", cases.params(CASES))
def test_zarrc_writes_tensorstore_reads(case, tmp_path):
    import zarrc

    path = tmp_path / "from_zarrc"
    a = zarrc.create_array(str(path), **case.zarrc_kwargs())
    sel = case.selection()
    if sel is not None:
        a[sel] = case.data()[sel]
    what = f"tensorstore reading zarrc's {case}"
    t = ts.open(ts_spec(case, path), open=True).result()
    assert tuple(t.shape) == case.shape, what
    # tensorstore always hands out native byte order, whatever the stored dtype ('>i4' too).
    assert t.dtype.numpy_dtype == checks.native(case.np_dtype), what
    # (tensorstore reports no chunk shape, None, for a 0-d array)
    assert tuple(t.chunk_layout.read_chunk.shape or ()) == case.chunks, what
    assert tuple(t.chunk_layout.write_chunk.shape or ()) == (case.shards or case.chunks), what
    if case.fill_value is not None:
        checks.assert_fill(np.asarray(t.fill_value)[()], case.fill_value, case.np_dtype, what)
    if case.fmt == 3:
        assert tuple(t.domain.labels) == tuple(case.dimension_names), what
    values = t.read().result()
    checks.assert_values(values, case.expected(), exact_dtype=False, what=what)


def test_matrix_covers_tensorstore_codecs():
    """Every codec tensorstore supports appears in both directions."""
    for fmt in (2, 3):
        got = {c.codec for c in CASES if c.fmt == fmt}
        assert got == set(cases.codecs_for(fmt, tensorstore=True))
        assert {"blosc_lz4_shuffle", "gzip", "zstd"} <= got
    assert {c.codec for c in CASES if c.fmt == 3} >= {"crc32c", "transpose", "bytes_big_gzip"}
