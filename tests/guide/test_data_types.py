"""User guide, "Array data types": v2/v3 data type encodings, structured types, the data type
objects (``zarrc.dtype``) and their resolution, all compared with zarr-python's."""

from __future__ import annotations

import json

import numpy as np
import pytest

import zarrc
import zarrc.dtype as zdt

NATIVE = ["|b1", "|i1", "<i2", ">i4", "<i8", "|u1", ">u2", "<u4", ">u8", "<f2", "<f4", ">f8",
          "<c8", ">c16", "<U5", ">U2", "|S7", "|V3", "<M8[ns]", ">M8[10s]", "<m8[ms]",
          [("a", "<f8"), ("b", "<i2")], [("x", ">u2"), ("y", [("p", "|i1"), ("q", "<f4")])]]


def test_v2_dtype_field_read_from_the_store_dict(same_output):
    def example(z):
        store = {}
        z.create_array(store=store, shape=(2,), dtype=np.dtype(">u4"), zarr_format=2)
        print(json.loads(store[".zarray"].to_bytes())["dtype"])
        store = {}
        rec = np.dtype([("id", "<i4"), ("pos", [("x", ">f8"), ("y", "i1")])])
        z.create_array(store=store, shape=(2,), dtype=rec, zarr_format=2)
        print(rec.str, json.loads(store[".zarray"].to_bytes())["dtype"])

    same_output(example)


@pytest.mark.parametrize("native", NATIVE, ids=str)
def test_data_type_objects_match_zarr_python(zarr, native):
    import zarr.dtype as zp

    dt = np.dtype(native)
    ours, theirs = zdt.parse_dtype(dt, zarr_format=2), zp.parse_dtype(dt, zarr_format=2)
    assert repr(ours) == repr(theirs)
    assert ours.to_native_dtype() == dt == theirs.to_native_dtype()
    assert ours.to_json(zarr_format=2) == theirs.to_json(zarr_format=2)
    if dt.kind != "V" or dt.fields is not None:  # zarrc writes raw bytes as r<N> (spec core)
        assert ours.to_json(zarr_format=3) == theirs.to_json(zarr_format=3)
    assert type(ours).from_native_dtype(dt) == ours
    assert type(ours).from_json(ours.to_json(zarr_format=2), zarr_format=2) == ours


def test_scalar_methods_of_a_data_type(same_output):
    def scalars(z):
        i16 = z.core.dtype.Int16.from_native_dtype(np.dtype(">i2"))
        print(i16, i16.to_native_dtype(), repr(i16.default_scalar()))
        print(i16.to_json(zarr_format=2), i16.to_json(zarr_format=3))
        print(i16.to_json_scalar(-300, zarr_format=3), repr(i16.from_json_scalar(12, zarr_format=3)))
        f = z.dtype.Float32()
        print(f.to_json_scalar(np.nan, zarr_format=3), repr(f.cast_scalar(2)))

    import zarrc.core.dtype  # noqa: F401 - zarr.core.dtype's path

    same_output(scalars)
    with pytest.raises(ValueError):
        zdt.Int16.from_native_dtype(np.dtype("i4"))


def test_resolution_from_numpy_input(same_output):
    def example(z):
        for spec in (np.dtype("int"), "<i8", "float16", "<M8[10s]"):
            a = z.create_array({}, shape=(3,), dtype=spec)
            print(a, type(a.dtype), a.metadata.data_type)
        a = z.create_array({}, shape=(3,), dtype=[("lat", "f8"), ("n", "i4")])
        print(a.dtype, a.metadata.data_type)

    same_output(example)


def test_parse_dtype_inputs(same_output):
    def example(z):
        parse_dtype, DateTime64 = z.dtype.parse_dtype, z.dtype.DateTime64
        print(parse_dtype(np.dtype(">m8[3h]"), zarr_format=2), parse_dtype("<U4", zarr_format=3))
        print(parse_dtype(DateTime64(endianness="big", scale_factor=5, unit="ms"), zarr_format=3))
        spec = {"name": "numpy.timedelta64", "configuration": {"unit": "us", "scale_factor": 2}}
        print(parse_dtype(spec, zarr_format=3), parse_dtype(spec, zarr_format=3).to_json(zarr_format=3))
        print(parse_dtype("string", zarr_format=3), parse_dtype("int32", zarr_format=3))

    same_output(example)


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_structured_arrays_read_and_write(zarr_format):
    rec = np.dtype([("id", "<i4"), ("pos", [("x", ">f8"), ("y", "i1")]), ("tag", "S3")])
    x = np.zeros(7, dtype=rec)
    x["id"] = np.arange(7)
    x["pos"]["x"] = np.linspace(0, 1, 7)
    x["tag"] = b"ab"
    store = {}
    a = zarrc.create_array(store, shape=(7,), chunks=(3,), dtype=rec, zarr_format=zarr_format,
                           fill_value=(9, (1.5, 2), b"z"))
    a[:5] = x[:5]
    back = zarrc.open_array(store, mode="r")[:]
    np.testing.assert_array_equal(back[:5], x[:5])
    assert back[6]["id"] == 9 and back[6]["pos"]["x"] == 1.5 and back[6]["tag"] == b"z"
    key = ".zarray" if zarr_format == 2 else "zarr.json"
    doc = json.loads(store[key].to_bytes())
    if zarr_format == 3:  # fields in native order: the bytes codec has no endian for records
        assert doc["data_type"]["name"] == "structured" and doc["codecs"][0] == {"name": "bytes"}
        assert a.dtype["pos"]["x"] == np.dtype("<f8")
    else:
        assert doc["dtype"][1] == ["pos", [["x", ">f8"], ["y", "|i1"]]]
