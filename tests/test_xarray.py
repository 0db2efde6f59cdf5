"""zarrc.xarray against xarray's own zarr engine (over zarr-python), both ways, v2 and v3:
stores written by xarray open identically with engine="zarrc" (lazily, each indexing kind
mapped to its zarrc read), and what zarrc.xarray.to_zarr writes xarray's engine opens
identically, with the same metadata documents (codecs included); writes into existing stores
(mode="a", append_dim, region) give what xarray's engine gives, whichever engine wrote before."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import zarrc
from zarrc.codecs import Codec
from zarrc.errors import BaseZarrError, ContainsGroupError, MetadataError, NodeNotFoundError
from zarrc.storage import LocalStore, MemoryStore
from zarrc.xarray.errors import ToZarrError

xr = pytest.importorskip("xarray")
pd = pytest.importorskip("pandas")
pytest.importorskip("zarr")
zx = pytest.importorskip("zarrc.xarray")
conventions = pytest.importorskip("zarrc.xarray.conventions")

pytestmark = pytest.mark.filterwarnings(
    "ignore:Consolidated metadata:UserWarning",
    "ignore:The data type .* does not have a Zarr V3 specification:UserWarning",
    "ignore:Failed to open Zarr store with consolidated metadata:RuntimeWarning",
)

# Encoding keys holding codecs: zarr-python's or numcodecs' objects from xarray's engine,
# their JSON from engine="zarrc"; compared through their stored JSON form.
CODEC_KEYS = ("compressors", "filters", "serializer")


def codec_json(codecs, zarr_format: int):
    """Codecs (one, or a sequence) as stored JSON, whatever their form: a JSON dict, or an
    object of zarrc, zarr-python or numcodecs."""
    def one(codec):
        if isinstance(codec, dict):
            doc = dict(codec)
        elif isinstance(codec, Codec):
            doc = codec.to_json_v3() if zarr_format == 3 else codec.to_json_v2()
        elif hasattr(codec, "get_config"):  # numcodecs
            doc = codec.get_config()
        else:
            doc = codec.to_dict()  # zarr-python
        if doc.get("id") == "zstd" and not doc.get("checksum", True):
            del doc["checksum"]  # zarr-python stores v2 zstd without checksum=False
        return json.loads(json.dumps(doc))  # tuples as the lists stored

    if codecs is None or isinstance(codecs, tuple | list):
        return None if codecs is None else [one(c) for c in codecs]
    return one(codecs)


def climate() -> xr.Dataset:
    """Times x lat x lon with CF encodings of every kind xarray's zarr engine writes."""
    rng = np.random.default_rng(7)
    time = pd.date_range("2001-01-01", periods=8, freq="6h")
    temp = (280 + 10 * rng.standard_normal((8, 5, 6))).astype("f4")
    temp[0, 0, :2] = np.nan
    precip = np.round(rng.random((8, 5, 6)) * 20, 1)
    precip[3, 2, 2] = np.nan
    ds = xr.Dataset(
        {
            "temp": (("time", "lat", "lon"), temp,
                     {"units": "K", "long_name": "air temperature", "valid_range": [150, 350]}),
            "precip": (("time", "lat", "lon"), precip, {"units": "mm"}),
            "count": (("time",), np.arange(8, dtype="i4")),
            "land": (("lat", "lon"), rng.random((5, 6)) > 0.5),
            "lag": (("time",), (np.arange(8) * 3600).astype("timedelta64[s]")
                    .astype("timedelta64[ns]")),
            "height": ((), 2.0, {"units": "m"}),
        },
        coords={
            "time": time,
            "lat": ("lat", np.linspace(-40, 40, 5), {"units": "degrees_north"}),
            "lon": ("lon", np.arange(6) * 60.0, {"units": "degrees_east"}),
            "station": ("lon", np.array(["a", "bb", "ccc", "d", "ee", "f"])),
        },
        attrs={"title": "zarrc test climate", "Conventions": "CF-1.8", "version": 3},
    )
    ds.time.encoding = {"units": "hours since 2001-01-01", "calendar": "proleptic_gregorian"}
    ds.temp.encoding = {"chunks": (4, 5, 3)}
    ds.precip.encoding = {"dtype": "int16", "scale_factor": 0.1, "_FillValue": -1,
                          "chunks": (2, 5, 6)}
    ds["count"].encoding = {"_FillValue": -99}
    return ds


def _same_encodings(a: xr.Dataset, b: xr.Dataset, zarr_format: int, *,
                    same_engine: bool = False) -> None:
    """Every variable's encoding equal, codecs compared by their stored form; for a sharded
    array zarrc (``a``, unless ``same_engine``) prefers dask chunks of a shard, xarray's
    engine (``b``) of an inner chunk (a documented difference)."""
    for name in b.variables:
        ea, eb = a[name].encoding, b[name].encoding
        assert ea.keys() == eb.keys(), name
        for key in eb:
            if key == "preferred_chunks" and eb.get("shards") and not same_engine:
                assert tuple(ea[key].values()) == eb["shards"], name
            elif key in CODEC_KEYS:
                assert codec_json(ea[key], zarr_format) == codec_json(eb[key], zarr_format), \
                    (name, key, ea[key], eb[key])
            else:
                assert _equal(ea[key], eb[key]), (name, key, ea[key], eb[key])


def _equal(a, b) -> bool:
    """Equal, NaN equal to NaN (fill values)."""
    nan = isinstance(b, float | np.floating) and np.isnan(b)
    return bool(isinstance(a, float | np.floating) and np.isnan(a)) if nan else bool(a == b)


def _xarray_writes(obj, path, zarr_format, **kwargs) -> None:
    """``obj.to_zarr`` with xarray's own engine (zarr-python), its warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        obj.to_zarr(path, zarr_format=zarr_format, **kwargs)


def _open(path, engine, **kwargs):
    kwargs.setdefault("chunks", None)
    return xr.open_dataset(path, engine=engine, **kwargs)


@pytest.fixture(scope="module", params=[2, 3], ids=["v2", "v3"])
def written(request, tmp_path_factory):
    """The climate dataset written by xarray's zarr engine: (format, path, dataset)."""
    path = tmp_path_factory.mktemp(f"xr{request.param}") / "climate.zarr"
    ds = climate()
    _xarray_writes(ds, path, request.param, mode="w")
    return request.param, path, ds


def test_entry_point_is_registered():
    engines = xr.backends.list_engines()
    assert isinstance(engines["zarrc"], zx.ZarrcBackendEntrypoint)
    assert engines["zarrc"].guess_can_open("data/x.zarr/")
    assert not engines["zarrc"].guess_can_open("data/x.nc")


@pytest.mark.parametrize("options", [
    {},
    {"chunks": {}},
    {"decode_times": False},
    {"mask_and_scale": False},
    {"decode_cf": False},
    {"consolidated": False},
    {"consolidated": True, "drop_variables": ["count"]},
], ids=lambda o: ",".join(o) or "defaults")
def test_reads_what_xarray_writes_identically(written, options):
    fmt, path, _ = written
    expected = _open(path, "zarr", **options)
    got = _open(path, "zarrc", **options)
    xr.testing.assert_identical(got, expected)
    _same_encodings(got, expected, fmt)
    _codecs_are_the_stored_json(got.temp.encoding, path / "temp", fmt)
    if "chunks" in options:  # dask blocks from the preferred (stored) chunks, as xarray
        assert got.temp.chunks == expected.temp.chunks == ((4, 4), (5,), (3, 3))
        xr.testing.assert_identical(got.compute(), expected.compute())


def _codecs_are_the_stored_json(encoding, array_path, zarr_format: int) -> None:
    """The codec encodings engine="zarrc" reports are plain JSON (no codec objects), equal
    to the array's stored metadata document: v3 ``codecs`` (filters, serializer, compressors
    in order; inside the shards for a sharded array), v2 ``compressor`` and ``filters``."""
    reported = {k: encoding[k] for k in CODEC_KEYS if k in encoding}
    assert json.loads(json.dumps(reported)) == {
        k: list(v) if isinstance(v, tuple) else v for k, v in reported.items()}
    if zarr_format == 3:
        codecs = json.loads((array_path / "zarr.json").read_text())["codecs"]
        if codecs[0]["name"] == "sharding_indexed":
            codecs = codecs[0]["configuration"]["codecs"]
        assert [*reported["filters"], reported["serializer"], *reported["compressors"]] == \
            codecs
    else:
        doc = json.loads((array_path / ".zarray").read_text())
        compressor = [doc["compressor"]] if doc["compressor"] else []
        assert codec_json(reported["compressors"], 2) == codec_json(compressor, 2)
        assert codec_json(reported["filters"], 2) == codec_json(doc["filters"] or [], 2)


def test_the_decoded_values_are_the_originals(written):
    _, path, ds = written
    got = _open(path, "zarrc").load()
    xr.testing.assert_allclose(got, ds)
    assert got.precip.dtype == "f8" and got.precip.encoding["dtype"] == "int16"
    assert got.time.encoding["units"] == "hours since 2001-01-01"
    assert got.lag.dtype == "timedelta64[ns]"


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_zarr_fill_value_as_mask_follows_the_format_or_the_option(zarr_format, tmp_path):
    """v2 masks with the zarr fill value by default, v3 does not (as xarray's engine); the
    option turns it either way (xarray's own open_dataset ignores it, so NumPy decides)."""
    store = LocalStore(tmp_path)
    zarrc.open_group(store, mode="w", zarr_format=zarr_format)
    extra = ({"dimension_names": ["x"]} if zarr_format == 3
             else {"attributes": {"_ARRAY_DIMENSIONS": ["x"]}})
    a = zarrc.create_array(store, name="v", shape=(3,), dtype="i2", fill_value=5,
                           zarr_format=zarr_format, **extra)
    a[...] = [5, 1, 2]
    masked, raw = np.array([np.nan, 1, 2]), np.array([5, 1, 2])
    default = _open(tmp_path, "zarrc", consolidated=False)["v"].values
    np.testing.assert_array_equal(default, masked if zarr_format == 2 else raw)
    np.testing.assert_array_equal(default, _open(tmp_path, "zarr", consolidated=False)["v"])
    for flag, expected in ((True, masked), (False, raw)):
        got = _open(tmp_path, "zarrc", use_zarr_fill_value_as_mask=flag)["v"].values
        np.testing.assert_array_equal(got, expected)


class _Recording(dict):
    """A MemoryStore's dict that records the keys of data reads (the store, and the
    read-only views opening makes of it, all read through ``dict.get``)."""

    def __init__(self):
        super().__init__()
        self.read = []

    def get(self, key, default=None):
        if not key.rsplit("/", 1)[-1].startswith((".z", "zarr.")):
            self.read.append(key)
        return super().get(key, default)


def test_reads_are_lazy_and_each_indexing_kind_maps_to_its_zarrc_read(written, monkeypatch):
    fmt, path, ds = written
    data = _Recording()
    store = MemoryStore(data)
    for key in LocalStore(path).list_prefix(""):
        store.set(key, LocalStore(path).get(key))
    calls = []
    for method in ("get_basic_selection", "get_orthogonal_selection",
                   "get_coordinate_selection"):
        original = getattr(zarrc.Array, method)

        def spy(self, selection, *args, _name=method, _original=original, **kwargs):
            calls.append((_name, self.basename))
            return _original(self, selection, *args, **kwargs)

        monkeypatch.setattr(zarrc.Array, method, spy)
    got = _open(store, "zarrc")
    assert {name for _, name in calls} <= {"time", "lat", "lon"}  # the indexes, nothing else
    assert not any(key.startswith("temp/") for key in data.read)
    expected = ds.temp.values
    cases = [
        ("get_basic_selection", {"time": slice(1, 7, 2), "lat": 3}, expected[1:7:2, 3]),
        ("get_orthogonal_selection", {"time": [0, 5, 6], "lon": [4, 1]},
         expected[[0, 5, 6]][:, :, [4, 1]]),
        ("get_coordinate_selection",
         {"time": xr.DataArray([0, 7, 2], dims="p"), "lat": xr.DataArray([4, 0, 1], dims="p")},
         expected[[0, 7, 2], [4, 0, 1]]),
    ]
    for method, sel, oracle in cases:
        calls.clear()
        data.read.clear()
        values = got.temp.isel(**sel).values
        np.testing.assert_array_equal(values, oracle)
        assert calls == [(method, "temp")]
        chunk_rows = {int(key.replace(".", "/").split("/")[-3]) for key in data.read}
        times = np.unique(np.atleast_1d(np.arange(8)[sel["time"]]))
        assert chunk_rows == set(times // 4)  # only the chunks the selection touches


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_to_zarr_writes_what_xarray_writes(zarr_format, tmp_path):
    ds = climate()
    _xarray_writes(ds, tmp_path / "xr.zarr", zarr_format)
    group = zx.to_zarr(ds, tmp_path / "zc.zarr", zarr_format=zarr_format)
    assert isinstance(group, zarrc.Group) and group.zarr_format == zarr_format
    for engine in ("zarr", "zarrc"):
        got = _open(tmp_path / "zc.zarr", engine)
        expected = _open(tmp_path / "xr.zarr", engine)
        xr.testing.assert_identical(got, expected)
        _same_encodings(got, expected, zarr_format)
    _same_documents(tmp_path / "xr.zarr", tmp_path / "zc.zarr")


METADATA_NAMES = ("zarr.json", ".zarray", ".zattrs", ".zgroup", ".zmetadata")


def _documents(path) -> dict:
    store = LocalStore(path) if not isinstance(path, MemoryStore) else path
    return {k: json.loads(store.get(k)) for k in store.list_prefix("")
            if k.rsplit("/", 1)[-1] in METADATA_NAMES}


def _same_documents(xr_path, zc_path) -> None:
    """Every metadata document (consolidated ones included) equal, codecs too."""
    a, b = _documents(xr_path), _documents(zc_path)
    assert a and sorted(a) == sorted(b)
    for key in a:
        assert b[key] == a[key], key


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_to_zarr_stores_dask_blocks_even_when_misaligned(zarr_format, tmp_path):
    """With safe_chunks=False, blocks that share chunks are merged (under the chunk locks):
    nothing is lost, whatever the dask scheduler's order."""
    dask = pytest.importorskip("dask")
    ds = climate().chunk({"time": 3, "lon": 4})  # blocks cut across the stored chunks
    zx.to_zarr(ds, tmp_path / "d.zarr", zarr_format=zarr_format, safe_chunks=False)
    got = _open(tmp_path / "d.zarr", "zarr")
    xr.testing.assert_identical(got, _open_written(climate(), tmp_path, zarr_format))
    assert got.temp.encoding["chunks"] == (4, 5, 3)  # the encoding's, not the blocks'
    assert got["count"].encoding["chunks"] == (3,)  # no encoding: the block shape
    group, delayed = zx.to_zarr(ds, tmp_path / "lazy.zarr", zarr_format=zarr_format,
                                compute=False, safe_chunks=False)
    assert np.isnan(group["temp"][0, 0, 0])  # nothing written yet: the fill value
    dask.compute(delayed)
    xr.testing.assert_identical(_open(tmp_path / "lazy.zarr", "zarr"), got)


def _open_written(ds, tmp_path, zarr_format):
    _xarray_writes(ds, tmp_path / "oracle.zarr", zarr_format, mode="w")
    return _open(tmp_path / "oracle.zarr", "zarr")


def _tree():
    ds = climate()
    return xr.DataTree.from_dict({
        "/": ds[["time", "lat", "lon"]].assign_attrs(title="root"),
        "/surface": ds[["temp", "land"]].drop_vars("station"),
        "/surface/daily": xr.Dataset({"rain": (("day",), np.arange(3.0))},
                                     coords={"day": [1, 2, 3]}),
    })


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_datatrees_both_ways(zarr_format, tmp_path):
    tree = _tree()
    _xarray_writes(tree, tmp_path / "xr.zarr", zarr_format)
    expected = xr.open_datatree(tmp_path / "xr.zarr", engine="zarr", chunks=None)
    got = xr.open_datatree(tmp_path / "xr.zarr", engine="zarrc", chunks=None)
    xr.testing.assert_identical(got, expected)
    sub = xr.open_datatree(tmp_path / "xr.zarr", engine="zarrc", group="surface", chunks=None)
    xr.testing.assert_identical(
        sub, xr.open_datatree(tmp_path / "xr.zarr", engine="zarr", group="surface", chunks=None))
    grp = _open(tmp_path / "xr.zarr", "zarrc", group="surface/daily")
    xr.testing.assert_identical(grp, _open(tmp_path / "xr.zarr", "zarr", group="surface/daily"))
    zx.to_zarr(tree, tmp_path / "zc.zarr", zarr_format=zarr_format)
    # (The documents differ from zarr-python's in form only: empty v2 .zattrs files, nested
    # consolidated entries; both engines, with and without consolidated metadata, agree.)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for consolidated in (None, False):
            xr.testing.assert_identical(
                xr.open_datatree(tmp_path / "zc.zarr", engine="zarr", chunks=None,
                                 consolidated=consolidated), expected)


def test_write_empty_chunks_and_an_empty_root_group():
    ds = xr.Dataset({"v": (("x",), np.full(8, np.nan))}).chunk(4)
    for flag, stored in ((True, ["v/c/0", "v/c/1"]), (False, [])):
        store = MemoryStore()
        zx.to_zarr(ds, store, encoding={"v": {"chunks": (4,)}}, write_empty_chunks=flag)
        assert sorted(k for k in store.list_prefix("v") if "/c/" in k) == stored
        xr.testing.assert_identical(_open(store, "zarrc"), ds.compute())
    tree = xr.DataTree.from_dict({"/": xr.Dataset(), "/child": ds})
    root = zx.to_zarr(tree, MemoryStore())
    assert root.path == "" and list(root.group_keys()) == ["child"]


def test_group_and_store_arguments(tmp_path):
    ds = climate()
    store = MemoryStore()
    zx.to_zarr(ds, store, group="a/b")
    xr.testing.assert_identical(_open(store, "zarrc", group="a/b"), _open_written(ds, tmp_path, 3))
    group = zarrc.open_group(store, mode="r")
    xr.testing.assert_identical(_open(group, "zarrc", group="/a/b/"),
                                _open(store, "zarrc", group="a/b"))
    # No group documents above a/b (another writer's layout): a/b is opened directly.
    store.delete("zarr.json")
    store.delete("a/zarr.json")
    xr.testing.assert_identical(_open(store, "zarrc", group="a/b"),
                                _open(group, "zarrc", group="a/b"))


def test_consolidated_true_needs_consolidated_metadata(tmp_path):
    zx.to_zarr(climate(), tmp_path / "plain.zarr", consolidated=False)
    with pytest.raises(NodeNotFoundError, match="consolidated"):
        _open(tmp_path / "plain.zarr", "zarrc", consolidated=True)
    xr.testing.assert_identical(_open(tmp_path / "plain.zarr", "zarrc"),
                                _open(tmp_path / "plain.zarr", "zarrc", consolidated=False))


def test_to_zarr_refuses_bad_arguments(tmp_path):
    ds = climate()
    zx.to_zarr(ds, tmp_path / "x.zarr")
    with pytest.raises(ContainsGroupError):
        zx.to_zarr(ds, tmp_path / "x.zarr")  # mode "w-"
    zx.to_zarr(ds[["count"]], tmp_path / "x.zarr", mode="w")
    assert set(_open(tmp_path / "x.zarr", "zarrc").data_vars) == {"count"}
    with pytest.raises(ValueError, match="'count'.*unexpected encoding.*'compression'"):
        zx.to_zarr(ds, tmp_path / "y.zarr", encoding={"count": {"compression": "zstd"}})
    with pytest.raises(ValueError, match="_FillValue"):
        zx.to_zarr(ds, tmp_path / "y.zarr", zarr_format=2, mode="w",
                   encoding={"count": {"fill_value": 1}})
    with pytest.raises(ValueError, match="'nope'"):
        zx.to_zarr(ds, tmp_path / "y.zarr", mode="w", encoding={"nope": {}})
    with pytest.raises(ValueError, match="mode"):
        zx.to_zarr(ds, tmp_path / "y.zarr", mode="x")
    with pytest.raises(TypeError, match="Dataset or DataTree"):
        zx.to_zarr(ds.temp, tmp_path / "y.zarr")


@pytest.mark.parametrize("value, dtype", [
    (np.nan, "f4"), (-1.5, "f8"), (np.inf, "f2"), (1 - 2j, "c16"), (b"\x00ab", "S3"),
    (True, "?"), (-7, "i2"), (300, "u4"), ("n/a", "U3"),
])
def test_fill_value_attributes_match_xarray(value, dtype):
    """The JSON form of _FillValue: xarray's own coder (its zarr engine's) is the oracle."""
    from xarray.backends.zarr import FillValueCoder

    encoded = conventions.encode_fill_value(value, np.dtype(dtype))
    assert encoded == FillValueCoder.encode(value, np.dtype(dtype))
    json.dumps(encoded)
    decoded = conventions.decode_fill_value(encoded, np.dtype(dtype), "/v")
    assert _equal(decoded, value)
    if np.dtype(dtype).kind not in "SU":  # xarray decodes those under zarr's dtype names
        assert _equal(decoded, FillValueCoder.decode(encoded, np.dtype(dtype)))


def test_bad_fill_value_attribute_names_the_array():
    with pytest.raises(MetadataError, match="'/v'.*_FillValue.*'zz'"):
        conventions.decode_fill_value("zz", np.dtype("f8"), "/v")


def test_arrays_without_dimension_names_are_refused_by_name():
    store = MemoryStore()
    g = zarrc.open_group(store, mode="w", zarr_format=2)
    g.create_array("bare", shape=(3,), dtype="i1", zarr_format=2)
    with pytest.raises(MetadataError, match="'/bare'.*_ARRAY_DIMENSIONS"):
        _open(store, "zarrc")
    store3 = MemoryStore()
    zarrc.open_group(store3, mode="w").create_array("bare", shape=(3,), dtype="i1")
    with pytest.raises(MetadataError, match="'/bare'.*dimension_names"):
        _open(store3, "zarrc")


# -- codec encodings both ways --------------------------------------------------------------

def _codec_cases():
    """(format, encoding of temp for xarray's engine, the same for zarrc) per codec setting:
    zarr-python's / numcodecs' objects for both, and zarrc's own objects or JSON dicts."""
    import numcodecs
    import zarr.codecs as zc

    from zarrc.codecs import BloscCodec, ZstdCodec

    return [
        (3, {"compressors": [zc.BloscCodec(cname="zstd", clevel=3, shuffle="bitshuffle")]},
         None),
        (3, {"compressors": [zc.ZstdCodec(level=5)]}, {"compressors": [ZstdCodec(level=5)]}),
        (3, {"compressors": None, "chunks": (2, 5, 6)}, None),
        (3, {"chunks": (2, 5, 3), "shards": (4, 5, 6)}, None),
        (3, {"filters": [zc.TransposeCodec(order=(2, 1, 0))], "serializer":
             zc.BytesCodec(endian="big")},
         {"filters": [{"name": "transpose", "configuration": {"order": [2, 1, 0]}}],
          "serializer": {"name": "bytes", "configuration": {"endian": "big"}}}),
        (2, {"compressors": [numcodecs.Zstd(level=4)]},
         {"compressors": [{"id": "zstd", "level": 4}]}),
        (2, {"compressors": [numcodecs.Blosc(cname="zstd", clevel=2)], "filters":
             [numcodecs.Delta(dtype="<f4")]},
         {"compressor": BloscCodec(cname="zstd", clevel=2, shuffle="shuffle"),
          "filters": [numcodecs.Delta(dtype="<f4")]}),
        (2, {"compressors": None}, None),
    ]


@pytest.mark.parametrize("case", range(8))
def test_codec_encodings_both_ways(case, tmp_path):
    """The codec encodings zarrc.to_zarr honours give the documents xarray's engine writes
    for the same encoding; both engines then report the same codecs, chunks and shards."""
    fmt, for_xarray, for_zarrc = _codec_cases()[case]
    ds = climate()[["temp", "count"]]
    _xarray_writes(ds, tmp_path / "xr.zarr", fmt, encoding={"temp": for_xarray})
    zx.to_zarr(ds, tmp_path / "zc.zarr", zarr_format=fmt,
               encoding={"temp": for_zarrc or for_xarray})
    _same_documents(tmp_path / "xr.zarr", tmp_path / "zc.zarr")
    expected = _open(tmp_path / "xr.zarr", "zarr")
    for path in ("xr.zarr", "zc.zarr"):
        got = _open(tmp_path / path, "zarrc")
        xr.testing.assert_identical(got, expected)
        _same_encodings(got, expected, fmt)


@pytest.mark.parametrize("source_format, target_format", [(2, 2), (3, 3), (3, 2), (2, 3)])
@pytest.mark.parametrize("engine", ["zarr", "zarrc"])
def test_encodings_read_are_written_back(source_format, target_format, engine, tmp_path):
    """A Dataset opened with either engine (its encodings holding zarr-python's or numcodecs'
    codec objects, or engine="zarrc"'s JSON) writes back with the same chunks and codecs; to the other
    format, what does not fit it (a v3 serializer in v2) is left out, as xarray leaves out
    what it does not know."""
    import zarr.codecs as zc

    ds = climate()
    enc = {"temp": {"chunks": (2, 5, 3),
                    "compressors": [zc.ZstdCodec(level=7)] if source_format == 3
                    else [__import__("numcodecs").Zstd(level=7)]}}
    _xarray_writes(ds, tmp_path / "src.zarr", source_format, encoding=enc)
    opened = _open(tmp_path / "src.zarr", engine)
    zx.to_zarr(opened, tmp_path / "copy.zarr", zarr_format=target_format)
    back = _open(tmp_path / "copy.zarr", "zarr")
    xr.testing.assert_identical(back, _open(tmp_path / "src.zarr", "zarr"))
    assert back.temp.encoding["chunks"] == (2, 5, 3)
    assert codec_json(back.temp.encoding["compressors"], target_format) == (
        [{"name": "zstd", "configuration": {"level": 7, "checksum": False}}]
        if target_format == 3 else [{"id": "zstd", "level": 7}])
    if source_format == target_format:
        _same_documents(tmp_path / "src.zarr", tmp_path / "copy.zarr")


# -- writes into existing stores: mode="a", append_dim, region --------------------------------

def _series(start: int, n: int, *, width: int = 3) -> xr.Dataset:
    """Rows ``start .. start+n`` of an hourly series with CF encodings to keep on append."""
    time = pd.date_range("2001-01-01", periods=start + n, freq="h")[start:]
    temp = (np.arange(start, start + n)[:, None] * 10 + np.arange(width)).astype("f4")
    temp[temp % 7 == 0] = np.nan
    ds = xr.Dataset(
        {"temp": (("time", "x"), temp, {"units": "K"}),
         "rain": (("time",), np.round(np.arange(start, start + n) * 0.3, 1)),
         "label": (("time",), np.array([f"r{i:03d}" for i in range(start, start + n)])),
         "depth": (("x",), np.arange(width) * 2.5)},
        coords={"time": time, "x": np.arange(width) * 100},
        attrs={"title": f"rows {start}..{start + n}"},
    )
    ds.time.encoding = {"units": "hours since 2001-01-01", "dtype": "int64", "chunks": (2,)}
    ds.rain.encoding = {"dtype": "int16", "scale_factor": 0.1, "_FillValue": -1,
                        "chunks": (2,)}
    ds.temp.encoding = {"chunks": (2, 3)}
    ds.label.encoding = {"chunks": (2,)}
    return ds


def _write(engine: str, obj, path, **kwargs):
    """One write with either engine (same arguments)."""
    if engine == "xarray":
        _xarray_writes(obj, path, kwargs.pop("zarr_format", None), **kwargs)
    else:
        zx.to_zarr(obj, path, **kwargs)


ENGINE_PAIRS = [("xarray", "zarrc"), ("zarrc", "xarray"), ("zarrc", "zarrc")]


@pytest.mark.parametrize("zarr_format", [2, 3])
@pytest.mark.parametrize("first, second", ENGINE_PAIRS, ids=lambda p: p)
def test_append_dim_as_xarray(first, second, zarr_format, tmp_path):
    """Appending along time with either engine, after either engine wrote: the store opens
    as the one xarray's engine alone makes (values, encodings, attributes, documents)."""
    a, b = _series(0, 6), _series(6, 4).chunk({"time": 2})  # blocks on chunks (xarray)
    oracle, got = tmp_path / "oracle.zarr", tmp_path / "got.zarr"
    _write("xarray", a, oracle, zarr_format=zarr_format)
    _write("xarray", b, oracle, append_dim="time")
    _write(first, a, got, zarr_format=zarr_format)
    _write(second, b, got, append_dim="time")
    for engine in ("zarr", "zarrc"):
        expected = _open(oracle, engine)
        result = _open(got, engine)
        xr.testing.assert_identical(result, expected)
        _same_encodings(result, expected, zarr_format)
    assert _open(got, "zarrc").sizes["time"] == 10
    xr.testing.assert_allclose(_open(got, "zarrc").load(), xr.concat(
        [a, b.compute()], dim="time", data_vars="minimal", coords="minimal",
        compat="override").assign_attrs(b.attrs))
    _same_documents(oracle, got)


@pytest.mark.parametrize("zarr_format", [2, 3])
@pytest.mark.parametrize("first, second", ENGINE_PAIRS, ids=lambda p: p)
def test_mode_a_adds_and_overwrites_variables_as_xarray(first, second, zarr_format,
                                                        tmp_path):
    base = _series(0, 6)
    change = base[["temp", "depth"]].copy(deep=True)
    change["temp"] = change.temp + 1000
    change["extra"] = (("time", "x"), np.ones((6, 3), "i2"), {"note": "new"})
    change.attrs = {"title": "replaced"}
    oracle, got = tmp_path / "oracle.zarr", tmp_path / "got.zarr"
    _write("xarray", base, oracle, zarr_format=zarr_format)
    _write("xarray", change, oracle, mode="a")
    _write(first, base, got, zarr_format=zarr_format)
    _write(second, change, got, mode="a")
    result = _open(got, "zarr")
    xr.testing.assert_identical(result, _open(oracle, "zarr"))
    assert result.attrs == {"title": "replaced"} and result.extra.attrs == {"note": "new"}
    np.testing.assert_array_equal(result.temp, base.temp + 1000)
    _same_documents(oracle, got)


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_mode_a_minus_leaves_variables_without_append_dim(zarr_format, tmp_path):
    a, b = _series(0, 4), _series(4, 2)
    b["depth"] = b.depth * 0  # would overwrite depth in mode "a"; "a-" leaves it
    for engine, path in (("xarray", tmp_path / "o.zarr"), ("zarrc", tmp_path / "g.zarr")):
        _write(engine, a, path, zarr_format=zarr_format)
        _write(engine, b, path, mode="a-", append_dim="time")
    got = _open(tmp_path / "g.zarr", "zarrc")
    xr.testing.assert_identical(got, _open(tmp_path / "o.zarr", "zarr"))
    np.testing.assert_array_equal(got.depth, a.depth)


@pytest.mark.parametrize("zarr_format", [2, 3])
@pytest.mark.parametrize("first, second", ENGINE_PAIRS, ids=lambda p: p)
@pytest.mark.parametrize("how", ["explicit", "auto", "auto-per-dim"])
def test_region_writes_as_xarray(how, first, second, zarr_format, tmp_path):
    full = _series(0, 8)
    part = _series(0, 8).isel(time=slice(3, 6), x=slice(1, 3))
    part["temp"] = part.temp * 0 - 5
    part["rain"] = part.rain + 100
    part = part.drop_vars(["depth", "label"])
    region = {"explicit": {"time": slice(3, 6), "x": slice(1, 3)}, "auto": "auto",
              "auto-per-dim": {"time": "auto", "x": slice(1, 3)}}[how]
    if how == "explicit":
        part = part.drop_vars(["time", "x"])
    oracle, got = tmp_path / "oracle.zarr", tmp_path / "got.zarr"
    _write("xarray", full, oracle, zarr_format=zarr_format)
    _write("xarray", part, oracle, region=region)
    _write(first, full, got, zarr_format=zarr_format)
    before = _documents(got)
    _write(second, part, got, region=region)
    assert _documents(got) == before  # r+: no metadata changes
    result = _open(got, "zarrc")
    xr.testing.assert_identical(result, _open(oracle, "zarr"))
    expected = full.temp.values.copy()
    expected[3:6, 1:3] = part.temp.values  # -5, NaN where it was NaN
    assert (expected == -5).sum() == 5
    np.testing.assert_array_equal(result.temp.values, expected)


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_region_and_append_with_dask_and_compute_false(zarr_format, tmp_path):
    """Dask blocks go into the region (or the grown part) only when computed."""
    dask = pytest.importorskip("dask")
    path = tmp_path / "d.zarr"
    zx.to_zarr(_series(0, 6), path, zarr_format=zarr_format)
    grow = _series(6, 3).chunk({"time": 1})
    group, delayed = zx.to_zarr(grow, path, append_dim="time", compute=False,
                                safe_chunks=False)  # one-row blocks: two per chunk
    assert group["temp"].shape == (9, 3)  # grown, not yet written: the fill value
    assert np.isnan(group["temp"][8, 0])
    dask.compute(delayed)
    expected = xr.concat([_series(0, 6), _series(6, 3)], "time", data_vars="minimal",
                         coords="minimal", compat="override")
    xr.testing.assert_allclose(_open(path, "zarrc").load(), expected.assign_attrs(grow.attrs))
    part = _series(2, 3).drop_vars(["depth", "label"]).chunk({"time": 2})
    part["temp"] = xr.full_like(part.temp, 1)
    zx.to_zarr(part, path, region="auto", safe_chunks=False)  # r+ ends mid-chunk
    np.testing.assert_array_equal(_open(path, "zarrc").temp.values[2:5], 1)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sizes=st.lists(st.integers(1, 5), min_size=1, max_size=4), chunk=st.integers(1, 4),
       zarr_format=st.sampled_from([2, 3]))
def test_appends_of_any_sizes_match_numpy_and_xarray(sizes, chunk, zarr_format, tmp_path):
    """Appends of any lengths, chunk sizes unaligned: the values are the concatenation and
    xarray's engine reads what zarrc reads."""
    import shutil

    path = tmp_path / f"h{zarr_format}.zarr"
    shutil.rmtree(path, ignore_errors=True)
    first = _series(0, 3)
    first.temp.encoding = {"chunks": (chunk, 2)}
    zx.to_zarr(first, path, zarr_format=zarr_format)
    start = 3
    for n in sizes:
        zx.to_zarr(_series(start, n), path, append_dim="time")
        start += n
    got = _open(path, "zarrc")
    xr.testing.assert_identical(got, _open(path, "zarr"))
    rows = np.arange(start)[:, None] * 10 + np.arange(3)
    np.testing.assert_array_equal(got.temp.values, np.where(rows % 7 == 0, np.nan, rows))
    np.testing.assert_array_equal(got.time.values,
                                  pd.date_range("2001-01-01", periods=start, freq="h"))


def _bad_calls():
    """(id, to_zarr keywords after the store holds _series(0, 4), what the message says):
    every call xarray's engine refuses too (checked) and zarrc refuses before writing."""
    wider = _series(4, 2, width=4)
    label5 = _series(4, 2)
    label5["label"] = label5.label.astype("U6")
    new = _series(4, 2).assign(novel=(("time",), np.zeros(2)))
    renamed = _series(4, 2).rename(x="y")
    return [
        ("bad-mode", {"obj": _series(4, 2), "mode": "x"}, "mode"),
        ("append-needs-a", {"obj": _series(4, 2), "mode": "w", "append_dim": "time"},
         "append_dim"),
        ("region-needs-a-or-r+", {"obj": _series(0, 2), "mode": "w-", "region": "auto"},
         "region"),
        ("unknown-append-dim", {"obj": _series(4, 2), "append_dim": "nope"}, "nope"),
        ("sizes-differ", {"obj": wider, "append_dim": "time"}, "'temp'.*sizes"),
        ("dims-differ", {"obj": renamed, "append_dim": "time"}, "dimension names"),
        ("string-width", {"obj": label5, "append_dim": "time"}, "dtypes.*'label'"),
        ("r+-new-variable", {"obj": new.isel(time=slice(0, 0)).drop_vars("time")
                             .drop_vars(["temp", "rain", "label", "depth", "x"]),
                             "mode": "r+"}, "novel"),
        ("encoding-existing", {"obj": _series(4, 2), "append_dim": "time",
                               "encoding": {"temp": {"chunks": (1, 3)}}}, "'temp'.*encoding"),
        ("region-not-slice", {"obj": _series(0, 2).drop_vars(["depth", "x"]),
                              "region": {"time": [0, 1]}}, "slice"),
        ("region-step", {"obj": _series(0, 2).drop_vars(["depth", "x", "time"]),
                         "region": {"time": slice(0, 4, 2)}}, "step"),
        ("region-unknown-dim", {"obj": _series(0, 2).drop_vars(["time"]),
                                "region": {"nope": slice(0, 2)}}, "nope"),
        ("region-unrelated-var", {"obj": _series(0, 2).drop_vars(["time"]),
                                  "region": {"time": slice(0, 2)}}, "depth"),
        ("region-append-same-dim", {"obj": _series(0, 2).drop_vars(["depth", "x", "time"]),
                                    "mode": "a", "append_dim": "time",
                                    "region": {"time": slice(0, 2)}}, "both"),
        ("region-auto-not-found", {"obj": _series(10, 2).drop_vars(["depth"]),
                                   "region": "auto"}, "not all values"),
        ("region-auto-gap", {"obj": _series(0, 4).isel(time=[0, 2]).drop_vars(["depth"]),
                             "region": "auto"}, "contiguous"),
        ("region-too-big", {"obj": _series(0, 3).drop_vars(["depth", "x", "time"]),
                            "region": {"time": slice(2, 5)}}, "sizes"),
    ]


@pytest.mark.parametrize("zarr_format", [2, 3])
@pytest.mark.parametrize("case", _bad_calls(), ids=lambda c: c[0])
def test_invalid_combinations_are_refused_as_xarray_refuses_them(case, zarr_format, tmp_path):
    _, kwargs, message = case
    kwargs = dict(kwargs)  # the case is shared by both formats
    obj = kwargs.pop("obj")
    oracle, path = tmp_path / "oracle.zarr", tmp_path / "got.zarr"
    for p in (oracle, path):
        zx.to_zarr(_series(0, 4), p, zarr_format=zarr_format)
    with pytest.raises((ValueError, KeyError, TypeError)):
        _write("xarray", obj, oracle, **dict(kwargs))
    before = {k: LocalStore(path).get(k) for k in LocalStore(path).list_prefix("")}
    with pytest.raises(ToZarrError, match=message):
        zx.to_zarr(obj, path, **kwargs)
    after = {k: LocalStore(path).get(k) for k in LocalStore(path).list_prefix("")}
    assert after == before  # refused before anything was written


def test_other_refusals(tmp_path):
    path = tmp_path / "s.zarr"
    zx.to_zarr(_series(0, 4), path, zarr_format=2)
    with pytest.raises(ToZarrError, match="v2.*zarr_format=3"):
        zx.to_zarr(_series(4, 2), path, append_dim="time", zarr_format=3)
    with pytest.raises(NodeNotFoundError, match="r\\+"):
        zx.to_zarr(_series(0, 2), tmp_path / "missing.zarr", mode="r+")
    with pytest.raises(ToZarrError, match="append_dim.*DataTree"):
        zx.to_zarr(xr.DataTree(_series(4, 2)), path, append_dim="time")
    with pytest.raises(ToZarrError, match="'temp'.*write_empty_chunks"):
        zx.to_zarr(_series(0, 2), tmp_path / "w.zarr", write_empty_chunks=True,
                   encoding={"temp": {"write_empty_chunks": False}})
    with pytest.raises(ToZarrError, match="'temp'.*chunks.*2 dimensions"):
        zx.to_zarr(_series(0, 2), tmp_path / "w.zarr", encoding={"temp": {"chunks": (1,)}})
    with pytest.raises(ToZarrError, match="'temp'.*compressor.*compressors"):
        zx.to_zarr(_series(0, 2), tmp_path / "w.zarr",
                   encoding={"temp": {"compressor": None, "compressors": None}})
    assert not (tmp_path / "w.zarr" / "temp").exists()


def test_mode_a_creates_a_missing_group_and_datatree_encodings_by_path(tmp_path):
    tree = _tree()
    store = MemoryStore()
    zx.to_zarr(tree, store, mode="a", encoding={"/surface": {"temp": {"chunks": (8, 1, 6)}}})
    got = xr.open_datatree(store, engine="zarrc", chunks=None)
    assert got["surface"].temp.encoding["chunks"] == (8, 1, 6)
    xr.testing.assert_allclose(got["surface/daily"].to_dataset(),
                               tree["surface/daily"].to_dataset())
    with pytest.raises(ToZarrError, match="group path.*'/nope'"):
        zx.to_zarr(tree, MemoryStore(), encoding={"/nope": {}})


# -- a Dataset read with engine="zarrc" written by either writer ------------------------------

def _roundtrip_cases():
    """(format, encoding of temp in the source xarray's engine writes, the writer of the copy):
    plain (the engine's default codecs), with filters, sharded (v3, with a ``numcodecs.*``
    filter inside the shards); each for both writers."""
    import numcodecs
    import zarr.codecs as zc
    import zarr.codecs.numcodecs as znc

    with warnings.catch_warnings():  # "not in the Zarr version 3 specification"
        warnings.simplefilter("ignore")
        delta = znc.Delta(dtype="<f4")
    sources = [
        ("v2-plain", 2, {}),
        ("v2-filters", 2, {"compressors": [numcodecs.Zstd(level=3)],
                           "filters": [numcodecs.Delta(dtype="<f4")]}),
        ("v3-plain", 3, {}),
        ("v3-filters", 3, {"filters": [zc.TransposeCodec(order=(2, 1, 0))],
                           "serializer": zc.BytesCodec(endian="big"),
                           "compressors": [zc.BloscCodec(cname="lz4", clevel=4)]}),
        ("v3-sharded", 3, {"chunks": (2, 5, 3), "shards": (4, 5, 6),
                           "filters": [delta],
                           "compressors": [zc.ZstdCodec(level=5)]}),
    ]
    v2_filter_json = pytest.mark.xfail(
        strict=True, raises=TypeError,
        reason="zarr-python (3.1) takes v2 filters only as numcodecs objects, not as JSON "
               "(its v2 compressor and all v3 codecs it takes as JSON)")
    return [pytest.param(fmt, enc, writer, id=f"{name}-{writer}",
                         marks=v2_filter_json if (name, writer) == ("v2-filters", "xarray")
                         else ())
            for name, fmt, enc in sources for writer in ("xarray", "zarrc")]


def _write_with(writer: str, ds, path, zarr_format: int) -> None:
    if writer == "xarray":
        _xarray_writes(ds, path, zarr_format)
    else:
        zx.to_zarr(ds, path, zarr_format=zarr_format)


@pytest.mark.filterwarnings("ignore:Numcodecs codecs are not in the Zarr version 3")
@pytest.mark.parametrize("zarr_format, source_encoding, writer", _roundtrip_cases())
def test_a_dataset_read_with_zarrc_writes_with_either_writer(zarr_format, source_encoding,
                                                              writer, tmp_path):
    """engine="zarrc" reports codecs as JSON, which xarray's own writer (zarr-python) and
    zarrc.xarray.to_zarr both take: written back unchanged, the copy opens (with xarray's
    engine) with the source's values and encodings, codecs included, and its metadata
    documents are the source's."""
    ds = climate()
    _xarray_writes(ds, tmp_path / "src.zarr", zarr_format,
                   encoding={"temp": source_encoding})
    opened = _open(tmp_path / "src.zarr", "zarrc")
    _codecs_are_the_stored_json(opened.temp.encoding, tmp_path / "src.zarr" / "temp",
                                zarr_format)
    _write_with(writer, opened, tmp_path / "copy.zarr", zarr_format)
    expected = _open(tmp_path / "src.zarr", "zarr")
    back = _open(tmp_path / "copy.zarr", "zarr")
    xr.testing.assert_identical(back.load(), expected.load())
    _same_encodings(back, expected, zarr_format, same_engine=True)
    assert codec_json(back.temp.encoding["compressors"], zarr_format) == \
        codec_json(opened.temp.encoding["compressors"], zarr_format)
    _same_documents(tmp_path / "src.zarr", tmp_path / "copy.zarr")


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_report_codecs_false_leaves_the_codecs_to_the_writer(zarr_format, tmp_path):
    """report_codecs=False reports no codecs, so the writer uses its defaults: what xarray's
    engine writes for the Dataset it read itself without them; anything but a bool is
    refused by name (a string such as "objects" would otherwise read as True)."""
    ds = climate()
    enc = {"temp": {"compressors": [__import__("numcodecs").Zstd(level=9)] if zarr_format == 2
                    else [__import__("zarr").codecs.ZstdCodec(level=9)]}}
    _xarray_writes(ds, tmp_path / "src.zarr", zarr_format, encoding=enc)
    plain = _open(tmp_path / "src.zarr", "zarrc", report_codecs=False)
    assert not set(CODEC_KEYS) & set(plain.temp.encoding)
    _xarray_writes(plain, tmp_path / "out.zarr", zarr_format)
    oracle = _open(tmp_path / "src.zarr", "zarr")
    for var in oracle.variables.values():
        for key in CODEC_KEYS:
            var.encoding.pop(key, None)
    _xarray_writes(oracle, tmp_path / "oracle.zarr", zarr_format)
    _same_documents(tmp_path / "oracle.zarr", tmp_path / "out.zarr")
    assert codec_json(_open(tmp_path / "out.zarr", "zarr").temp.encoding["compressors"],
                      zarr_format) != codec_json(enc["temp"]["compressors"], zarr_format)
    for bad in ("objects", None, 1):
        with pytest.raises(BaseZarrError, match="report_codecs"):
            _open(tmp_path / "src.zarr", "zarrc", report_codecs=bad)


# -- safe_chunks / align_chunks: dask blocks against the zarr chunks ---------------------------
#
# xarray's engine (zarr-python) is the oracle: both raise (a ValueError; zarrc's
# UnsafeChunksError) or both store the same values and documents. xarray's engine is run
# with dask's synchronous scheduler, since with safe_chunks=False its threads race on the
# shared chunks (zarr-python writes them without a lock) and may lose a block's part;
# zarrc runs on dask's threads and must lose nothing.

OPTIONS = {"default": {}, "unsafe": {"safe_chunks": False}, "align": {"align_chunks": True}}


def _files(path) -> dict:
    """Every file under ``path`` and its bytes (nothing if it does not exist)."""
    import os

    out = {}
    for root, _, names in os.walk(path):
        for name in names:
            with open(os.path.join(root, name), "rb") as f:
                out[os.path.relpath(os.path.join(root, name), path)] = f.read()
    return out


def _blocks_misaligned(pending) -> bool:
    """Whether two dask blocks of the writes ``_store_data`` was given share a stored chunk
    (or shard): a block boundary, placed where it is written, off the chunk grid."""
    for data, array, box in pending:
        if not hasattr(data, "__dask_graph__"):
            continue
        grid = array.shards or array.chunks
        for blocks, where, chunk in zip(data.chunks, box, grid):
            edges = np.cumsum((where.start, *blocks))[1:-1]
            if (edges % chunk).any():
                return True
    return False


def _zarrc_spied(obj, path, monkeypatch, **kwargs) -> bool:
    """``zx.to_zarr`` (dask's default threads), returning whether the blocks it stored were
    misaligned with the chunks."""
    seen = []
    store_data = zx.write._store_data

    def spy(pending, compute):
        seen.extend(pending)
        return store_data(pending, compute)

    monkeypatch.setattr(zx.write, "_store_data", spy)
    try:
        zx.to_zarr(obj, path, **kwargs)
    finally:
        monkeypatch.setattr(zx.write, "_store_data", store_data)
    assert seen
    return _blocks_misaligned(seen)


def _as_xarray(obj, oracle, got, monkeypatch, *, safe: bool, shared: bool | None = None,
               **kwargs) -> bool:
    """Write ``obj`` with both engines (same arguments); assert the outcome is xarray's and
    ``safe`` (the blocks are expected to line up) or not; True if written. ``shared``: two
    blocks share a chunk (default: ``not safe``; r+ also refuses partial chunks at the ends)."""
    import dask

    options = {k: v for k, v in kwargs.items() if k in ("safe_chunks", "align_chunks")}
    with dask.config.set(scheduler="synchronous"):
        try:
            _write("xarray", obj, oracle, **dict(kwargs))
            refused = None
        except ValueError as err:
            refused = err
    expect_refusal = not safe and not options
    assert (refused is not None) == expect_refusal, refused
    if refused is not None:
        assert "overlap" in str(refused) or "uniform" in str(refused), refused
        before = _files(got)
        with pytest.raises(zx.errors.UnsafeChunksError, match="would overlap") as info:
            zx.to_zarr(obj, got, **kwargs)
        assert isinstance(info.value, ValueError)
        assert _files(got) == before  # refused before anything was written
        return False
    misaligned = _zarrc_spied(obj, got, monkeypatch, **kwargs)
    # align_chunks rechunks onto the grid; safe_chunks=False writes the blocks as they are.
    shared = not safe if shared is None else shared
    assert misaligned == (shared and not options.get("align_chunks", False))
    xr.testing.assert_identical(_open(got, "zarr"), _open(oracle, "zarr"))
    _same_documents(oracle, got)
    return True


def _grid_dataset(encoding: dict) -> xr.Dataset:
    v = np.arange(12 * 5, dtype="f8").reshape(12, 5)
    v[v % 7 == 0] = np.nan
    ds = xr.Dataset({"v": (("t", "x"), v, {"units": "K"}), "w": (("t",), np.arange(12, dtype="i4"))},
                    coords={"t": np.arange(12) * 10}, attrs={"title": "grid"})
    ds.v.encoding = dict(encoding)
    return ds


NEW_ARRAY_CASES = [  # (id, encoding of v, dask chunks, whether the blocks line up)
    ("blocks-on-chunks", {"chunks": (4, 5)}, {"t": 4}, True),
    ("blocks-of-two-chunks", {"chunks": (4, 5)}, {"t": 8}, True),
    ("short-last-block", {"chunks": (4, 5)}, {"t": (8, 4)}, True),
    ("block-cuts-a-chunk", {"chunks": (4, 5)}, {"t": 6}, False),
    ("second-dim-cut", {"chunks": (4, 2)}, {"t": 4, "x": 3}, False),
    ("blocks-on-chunks-not-shards", {"chunks": (2, 5), "shards": (4, 5)}, {"t": 2}, False),
    ("blocks-on-shards", {"chunks": (2, 5), "shards": (4, 5)}, {"t": 8}, True),
]


@pytest.mark.parametrize("option", list(OPTIONS))
@pytest.mark.parametrize("case, zarr_format", [
    pytest.param(case, fmt, id=f"{case[0]}-v{fmt}") for case in NEW_ARRAY_CASES
    for fmt in (2, 3) if fmt == 3 or "shards" not in case[1]])  # shards are v3
def test_safe_and_align_chunks_of_new_arrays_as_xarray(case, option, zarr_format, tmp_path,
                                                      monkeypatch):
    _, encoding, chunks, safe = case
    ds = _grid_dataset(encoding).chunk(chunks)
    written = _as_xarray(ds, tmp_path / "oracle.zarr", tmp_path / "got.zarr", monkeypatch,
                         safe=safe, zarr_format=zarr_format, **OPTIONS[option])
    if written:  # and nothing lost: NumPy's values
        np.testing.assert_array_equal(_open(tmp_path / "got.zarr", "zarrc").v.values,
                                      _grid_dataset({}).v.values)


APPEND_CASES = [  # (id, rows stored, rows appended, their dask chunks, blocks line up)
    ("append-on-chunks", 6, 4, 2, True),
    ("append-cuts-chunks", 6, 4, 1, False),
    ("append-after-a-partial-chunk", 5, 4, 2, False),
    ("append-realigned-after-a-partial-chunk", 5, 5, (1, 2, 2), True),
    ("append-one-block-from-mid-chunk", 5, 3, 3, True),  # a partial chunk is fine in "a"
]


@pytest.mark.parametrize("zarr_format", [2, 3])
@pytest.mark.parametrize("option", list(OPTIONS))
@pytest.mark.parametrize("case", APPEND_CASES, ids=lambda c: c[0])
def test_safe_and_align_chunks_of_appends_as_xarray(case, option, zarr_format, tmp_path,
                                                   monkeypatch):
    _, stored, n, chunks, safe = case
    oracle, got = tmp_path / "oracle.zarr", tmp_path / "got.zarr"
    _write("xarray", _series(0, stored), oracle, zarr_format=zarr_format)
    _write("zarrc", _series(0, stored), got, zarr_format=zarr_format)
    more = _series(stored, n).chunk({"time": chunks})
    if _as_xarray(more, oracle, got, monkeypatch, safe=safe, append_dim="time",
                  **OPTIONS[option]):
        rows = np.arange(stored + n)[:, None] * 10 + np.arange(3)
        np.testing.assert_array_equal(_open(got, "zarrc").temp.values,
                                      np.where(rows % 7 == 0, np.nan, rows))


REGION_CASES = [  # (id, region rows, their dask chunks, mode, blocks line up, share a chunk)
    ("region-on-chunks", (2, 6), 2, None, True, False),
    ("region-cuts-chunks", (2, 6), (1, 3), None, False, True),
    ("region-starts-mid-chunk-r+", (3, 6), 3, None, False, False),  # r+: no partial chunks
    ("region-starts-mid-chunk-a", (3, 6), 3, "a", True, False),
    ("region-ends-mid-chunk-r+", (2, 5), 3, None, False, False),
    ("region-ends-mid-chunk-a", (2, 5), 3, "a", True, False),
    ("region-cuts-chunks-a", (3, 8), (2, 3), "a", False, True),
    ("region-to-the-partial-last-chunk", (6, 9), (2, 1), None, True, False),
]


@pytest.mark.parametrize("zarr_format", [2, 3])
@pytest.mark.parametrize("option", list(OPTIONS))
@pytest.mark.parametrize("case", REGION_CASES, ids=lambda c: c[0])
def test_safe_and_align_chunks_of_region_writes_as_xarray(case, option, zarr_format,
                                                          tmp_path, monkeypatch):
    _, (lo, hi), chunks, mode, safe, shared = case
    oracle, got = tmp_path / "oracle.zarr", tmp_path / "got.zarr"
    full = _series(0, 9)  # time chunks of 2: the last one partial
    _write("xarray", full, oracle, zarr_format=zarr_format)
    _write("zarrc", full, got, zarr_format=zarr_format)
    part = full.isel(time=slice(lo, hi)).drop_vars(["depth", "label", "time", "x"])
    part["temp"] = part.temp * 0 - 5
    part["rain"] = part.rain + 100
    kwargs = {"region": {"time": slice(lo, hi)}, **OPTIONS[option]}
    if mode is not None:
        kwargs["mode"] = mode
    if _as_xarray(part.chunk({"time": chunks}), oracle, got, monkeypatch, safe=safe,
                  shared=shared, **kwargs):
        expected = full.temp.values.copy()
        expected[lo:hi] = part.temp.values
        np.testing.assert_array_equal(_open(got, "zarrc").temp.values, expected)


def test_irregular_blocks_without_chunks_encoding(tmp_path):
    """Blocks of different sizes and no encoding['chunks']: xarray's engine refuses them
    whatever safe_chunks says (Zarr chunks are uniform); zarrc refuses them by default,
    and with safe_chunks=False or align_chunks=True chunks by the largest block and stores
    every value (a documented extension)."""
    ds = _grid_dataset({}).chunk({"t": (3, 5, 4)})
    for options in OPTIONS.values():
        with pytest.raises(ValueError, match="uniform"):
            _write("xarray", ds, tmp_path / "oracle.zarr", mode="w", **options)
    with pytest.raises(zx.errors.UnsafeChunksError, match="'v'.*'t'.*\\(3, 5, 4\\)"):
        zx.to_zarr(ds, tmp_path / "refused.zarr")
    assert not (tmp_path / "refused.zarr").exists()
    for name, options in (("unsafe", OPTIONS["unsafe"]), ("align", OPTIONS["align"])):
        zx.to_zarr(ds, tmp_path / f"{name}.zarr", **options)
        got = _open(tmp_path / f"{name}.zarr", "zarr")
        xr.testing.assert_identical(got, ds.compute())
        assert got.v.encoding["chunks"] == (5, 5)


def test_safe_chunks_in_datatrees_and_bad_flag_values(tmp_path):
    tree = xr.DataTree.from_dict({"/": xr.Dataset(),
                                  "/child": _grid_dataset({"chunks": (4, 5)}).chunk({"t": 6})})
    with pytest.raises(zx.errors.UnsafeChunksError, match="'v'"):
        zx.to_zarr(tree, tmp_path / "tree.zarr")
    assert not (tmp_path / "tree.zarr").exists()
    zx.to_zarr(tree, tmp_path / "tree.zarr", safe_chunks=False)
    xr.testing.assert_identical(
        xr.open_datatree(tmp_path / "tree.zarr", engine="zarr", chunks=None), tree.compute())
    for bad in ({"safe_chunks": "yes"}, {"safe_chunks": None}, {"align_chunks": 1}):
        with pytest.raises(ToZarrError, match=next(iter(bad))):
            zx.to_zarr(_grid_dataset({}), tmp_path / "bad.zarr", **bad)
        assert not (tmp_path / "bad.zarr").exists()


@settings(max_examples=300, deadline=None)
@given(blocks=st.lists(st.integers(1, 7), min_size=1, max_size=6), chunk=st.integers(1, 5),
       start=st.integers(0, 9), tail=st.integers(0, 6), partial_ok=st.booleans())
def test_the_safe_chunks_rule_is_xarrays(blocks, chunk, start, tail, partial_ok):
    """zarrc's check refuses exactly the blocks xarray's engine's own check refuses, for any
    blocks, chunk size, write offset and array size, with and without partial chunks."""
    xchunks = pytest.importorskip("xarray.backends.chunks")
    da = pytest.importorskip("dask.array")
    from zarrc.xarray.chunks import aligned, check_blocks

    size = start + sum(blocks) + tail
    var = xr.Variable(("t",), da.zeros(sum(blocks), chunks=(tuple(blocks),)))
    try:
        xchunks.validate_grid_chunks_alignment(
            nd_v_chunks=var.chunks, enc_chunks=(chunk,), backend_shape=(size,),
            region=(slice(start, start + sum(blocks)),), allow_partial_chunks=partial_ok,
            name="v")
        xarray_refuses = False
    except ValueError:
        xarray_refuses = True
    try:
        check_blocks("v", var, (chunk,), (start,), (size,), partial_ok)
        zarrc_refuses = False
    except zx.errors.UnsafeChunksError:
        zarrc_refuses = True
    assert zarrc_refuses == xarray_refuses
    # align_chunks' blocks: the same elements, every inner boundary on the grid, the
    # boundaries that were on it kept.
    new = aligned(blocks, chunk, start)
    assert sum(new) == sum(blocks) and min(new) > 0
    edges = set(np.cumsum((start, *new))[1:-1].tolist())
    assert all(e % chunk == 0 for e in edges)
    old = np.cumsum((start, *blocks))[1:-1]
    assert {int(e) for e in old if e % chunk == 0} <= edges
    check_blocks("v", var.chunk({"t": new}), (chunk,), (start,), (size,), True)


# -- several processes writing one Dataset (real processes, spawn) ----------------------------

PROC_ROWS, PROC_COLS, PROC_CUTS = 40, 12, (0, 13, 27, 40)  # the cuts fall inside chunks of 8


def _proc_values() -> np.ndarray:
    return (np.arange(PROC_ROWS)[:, None] * 10 + np.arange(PROC_COLS) + 1).astype("f8")


def _proc_write_band(path, i, barrier) -> None:
    """Process ``i``: its rows, one column per round, all processes released together each
    round; its blocks (5 rows) misaligned with the chunks (8 rows) too."""
    lo, hi = PROC_CUTS[i], PROC_CUTS[i + 1]
    store = LocalStore(path)
    for col in range(PROC_COLS):
        part = xr.Dataset({"v": (("t", "x"), _proc_values()[lo:hi, col:col + 1])})
        barrier.wait(timeout=60)
        zx.to_zarr(part.chunk({"t": 5}), store, safe_chunks=False,
                   region={"t": slice(lo, hi), "x": slice(col, col + 1)})


def test_processes_writing_disjoint_regions_lose_nothing(tmp_path):
    """Three processes write disjoint row bands that share chunks (region=, misaligned,
    safe_chunks=False), one column per round, all at once: every value arrives (a lost
    read-modify-write would leave a zero behind, since later rounds write other columns)."""
    import multiprocessing

    path = str(tmp_path / "shared.zarr")
    base = xr.Dataset({"v": (("t", "x"), np.zeros((PROC_ROWS, PROC_COLS)))},
                      coords={"t": np.arange(PROC_ROWS)})
    base.v.encoding = {"chunks": (8, 3)}
    zx.to_zarr(base, LocalStore(path))
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(PROC_CUTS) - 1)
    procs = [ctx.Process(target=_proc_write_band, args=(path, i, barrier))
             for i in range(len(PROC_CUTS) - 1)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * len(procs)
    got = _open(path, "zarr")
    np.testing.assert_array_equal(got.v.values, _proc_values())
    np.testing.assert_array_equal(got.t.values, np.arange(PROC_ROWS))


def _proc_slab(start: int, n: int) -> xr.Dataset:
    rows = np.arange(start, start + n)
    return xr.Dataset({"v": (("t", "x"), rows[:, None] * 10.0 + np.arange(3))},
                      coords={"t": rows})


def _proc_append(path, start, n) -> None:
    zx.to_zarr(_proc_slab(start, n).chunk({"t": 2}), LocalStore(path), append_dim="t",
               safe_chunks=False)


def test_processes_appending_one_after_another(tmp_path):
    """Each process appends its slab along ``t`` (sizes that leave chunks of 4 partial,
    blocks of 2 across them), one after the other: every slab is there, in order."""
    import multiprocessing

    path = str(tmp_path / "appended.zarr")
    first = _proc_slab(0, 3)
    first.v.encoding = {"chunks": (4, 3)}
    zx.to_zarr(first, LocalStore(path))
    ctx = multiprocessing.get_context("spawn")
    start = 3
    for n in (2, 5, 3, 1):
        p = ctx.Process(target=_proc_append, args=(path, start, n))
        p.start()
        p.join(120)
        assert p.exitcode == 0
        start += n
    got = _open(path, "zarr")
    xr.testing.assert_identical(got, _proc_slab(0, start))
    xr.testing.assert_identical(_open(path, "zarrc"), got)
