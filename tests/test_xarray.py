"""zarrc.xarray against xarray's own zarr engine (over zarr-python), both ways, v2 and v3:
stores written by xarray open identically with engine="zarrc" (lazily, each indexing kind
mapped to its zarrc read), and what zarrc.xarray.to_zarr writes xarray's engine opens
identically, with the same metadata documents but for the codecs."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import zarrc
from zarrc.errors import ContainsGroupError, MetadataError, NodeNotFoundError
from zarrc.storage import LocalStore, MemoryStore

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

# Encoding keys compared with xarray's engine: everything but the codec objects, which are
# zarr-python's there and which zarrc does not report (see docs/xarray.md).
CODEC_KEYS = ("compressors", "filters", "serializer")


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


def _same_encodings(a: xr.Dataset, b: xr.Dataset) -> None:
    for name in b.variables:
        ea = {k: v for k, v in a[name].encoding.items() if k not in CODEC_KEYS}
        eb = {k: v for k, v in b[name].encoding.items() if k not in CODEC_KEYS}
        assert ea.keys() == eb.keys(), name
        for key in eb:
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
    _, path, _ = written
    expected = _open(path, "zarr", **options)
    got = _open(path, "zarrc", **options)
    xr.testing.assert_identical(got, expected)
    _same_encodings(got, expected)
    if "chunks" in options:  # dask blocks from the preferred (stored) chunks, as xarray
        assert got.temp.chunks == expected.temp.chunks == ((4, 4), (5,), (3, 3))
        xr.testing.assert_identical(got.compute(), expected.compute())


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
        _same_encodings(got, expected)
    _same_documents(tmp_path / "xr.zarr", tmp_path / "zc.zarr")


def _same_documents(xr_path, zc_path) -> None:
    """Every metadata document (consolidated ones included) equal, codecs left out."""
    def strip(doc):
        if isinstance(doc, dict):
            return {k: strip(v) for k, v in doc.items()
                    if k not in ("codecs", "compressor", "filters")}
        return doc

    names = ("zarr.json", ".zarray", ".zattrs", ".zgroup", ".zmetadata")
    a, b = LocalStore(xr_path), LocalStore(zc_path)
    keys = [k for k in a.list_prefix("") if k.rsplit("/", 1)[-1] in names]
    assert keys and keys == [k for k in b.list_prefix("") if k.rsplit("/", 1)[-1] in names]
    for key in keys:
        assert strip(json.loads(b.get(key))) == strip(json.loads(a.get(key))), key


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_to_zarr_stores_dask_blocks_even_when_misaligned(zarr_format, tmp_path):
    dask = pytest.importorskip("dask")
    ds = climate().chunk({"time": 3, "lon": 4})  # blocks cut across the stored chunks
    zx.to_zarr(ds, tmp_path / "d.zarr", zarr_format=zarr_format)
    got = _open(tmp_path / "d.zarr", "zarr")
    xr.testing.assert_identical(got, _open_written(climate(), tmp_path, zarr_format))
    assert got.temp.encoding["chunks"] == (4, 5, 3)  # the encoding's, not the blocks'
    assert got["count"].encoding["chunks"] == (3,)  # no encoding: the block shape
    group, delayed = zx.to_zarr(ds, tmp_path / "lazy.zarr", zarr_format=zarr_format,
                                compute=False)
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
        zx.to_zarr(ds, tmp_path / "y.zarr", mode="a")
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
