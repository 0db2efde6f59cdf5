"""The interop matrix as small tables: dtypes, codec pipelines, fill values, shapes.

A `Case` is one array (format, dtype, codec, layout, fill value, written region). Builders
turn it into keyword arguments for zarrc and zarr-python, a zarr2_peer write case or tensorstore
metadata, so every test body is written once and parametrized over these tables. NumPy only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import datagen
import numpy as np

DTYPES = [
    "|b1", "|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u4", "<u8",
    "<f2", "<f4", "<f8", "<c8", "<c16", ">i4", ">f8", ">c16",
    "|S5", "<U4", "<M8[ns]", "<m8[s]", "<M8[D]",
]
# tensorstore has no datetime, unicode or (with zarr-python's fill encoding) byte-string dtypes.
TS_DTYPES = [d for d in DTYPES if np.dtype(d).kind in "biufc"]

SHAPE, CHUNKS = (17, 23), (5, 7)
# Rows 0..11 and columns 3..22: partial writes into chunks, the partial edge column of chunks,
# and a last row of chunks (rows 15..16) that is never written (missing -> fill value).
REGION = ((0, 12), (3, 23))


# ----------------------------------------------------------------------------- codec tables


def _blosc2(cname, clevel, shuffle):
    return {"id": "blosc", "cname": cname, "clevel": clevel, "shuffle": shuffle, "blocksize": 0}


def _blosc3(cname, clevel, shuffle, dt):
    return {"name": "blosc", "configuration": {"cname": cname, "clevel": clevel,
                                               "shuffle": shuffle, "typesize": dt.itemsize,
                                               "blocksize": 0}}


def _v3(name, **config):
    return {"name": name, "configuration": config} if config else {"name": name}


def bytes_codec(dt, endian="little"):
    """The v3 ``bytes`` serializer; no ``endian`` for single-byte types (v3 spec)."""
    dt = np.dtype(dt)
    if dt.byteorder == "|" or dt.itemsize == 1:
        return {"name": "bytes"}
    return _v3("bytes", endian=endian)


@dataclasses.dataclass(frozen=True)
class CodecSpec:
    """One codec configuration in both formats.

    ``v2(dtype)`` returns ``{"compressor": cfg | None, "filters": [cfg] | None}`` (numcodecs
    configs), ``v3(dtype)`` returns ``{"filters": [...], "serializer": {...}, "compressors":
    [...]}`` (v3 JSON); either is None where the format has no such codec. ``ts2``/``ts3``: whether
    tensorstore's zarr / zarr3 driver supports it. ``optional`` names codec ids zarrc may not
    implement yet: tests skip (with the reason) when zarrc says so with CodecError/MetadataError.
    """

    v2: Callable | None
    v3: Callable | None
    ts2: bool = True
    ts3: bool = True
    optional: tuple = ()
    dtypes: tuple = ("<i4", "<f8")  # dtypes of the codec sweep


def _pipe(compressors=(), filters=(), endian="little"):
    def build(dt):
        dt = np.dtype(dt)
        return {"filters": [f(dt) if callable(f) else f for f in filters],
                "serializer": bytes_codec(dt, endian),
                "compressors": [c(dt) if callable(c) else c for c in compressors]}
    return build


def _comp2(cfg, filters=None):
    def build(dt):
        fs = None if filters is None else [f(np.dtype(dt)) for f in filters]
        return {"compressor": cfg, "filters": fs}
    return build


ZSTD3 = _v3("zstd", level=1, checksum=False)
CODECS = {
    "none": CodecSpec(_comp2(None), _pipe()),
    "zlib": CodecSpec(_comp2({"id": "zlib", "level": 1}), _pipe([_v3("numcodecs.zlib", level=1)]),
                      ts3=False),
    "gzip": CodecSpec(_comp2({"id": "gzip", "level": 5}), _pipe([_v3("gzip", level=5)])),
    "zstd": CodecSpec(_comp2({"id": "zstd", "level": 1}), _pipe([ZSTD3])),
    "zstd_checksum": CodecSpec(_comp2({"id": "zstd", "level": 1, "checksum": True}),
                               _pipe([_v3("zstd", level=1, checksum=True)]), ts2=False),
    "lz4": CodecSpec(_comp2({"id": "lz4", "acceleration": 1}),
                     _pipe([_v3("numcodecs.lz4", acceleration=1)]), ts2=False, ts3=False),
    "bz2": CodecSpec(_comp2({"id": "bz2", "level": 9}), _pipe([_v3("numcodecs.bz2", level=9)]),
                     ts3=False),
    "lzma": CodecSpec(_comp2({"id": "lzma", "preset": 1}),
                      _pipe([_v3("numcodecs.lzma", preset=1)]), ts2=False, ts3=False),
    "blosc_lz4_shuffle": CodecSpec(_comp2(_blosc2("lz4", 5, 1)),
                                   _pipe([lambda dt: _blosc3("lz4", 5, "shuffle", dt)])),
    "blosc_zstd_bitshuffle": CodecSpec(_comp2(_blosc2("zstd", 3, 2)),
                                       _pipe([lambda dt: _blosc3("zstd", 3, "bitshuffle", dt)])),
    "blosc_zlib_noshuffle": CodecSpec(_comp2(_blosc2("zlib", 1, 0)),
                                      _pipe([lambda dt: _blosc3("zlib", 1, "noshuffle", dt)])),
    "blosc_blosclz_shuffle": CodecSpec(_comp2(_blosc2("blosclz", 9, 1)),
                                       _pipe([lambda dt: _blosc3("blosclz", 9, "shuffle", dt)])),
    "crc32c": CodecSpec(None, _pipe([_v3("crc32c")])),
    "zstd_crc32c": CodecSpec(None, _pipe([ZSTD3, _v3("crc32c")])),
    "transpose": CodecSpec(None, _pipe([ZSTD3], [_v3("transpose", order=[1, 0])])),
    "bytes_big_gzip": CodecSpec(None, _pipe([_v3("gzip", level=1)], endian="big")),
    # v2 filters (array -> array before the compressor) and their numcodecs.* v3 wrappers
    "delta": CodecSpec(_comp2({"id": "zlib", "level": 1},
                              [lambda dt: {"id": "delta", "dtype": dt.str}]),
                       _pipe([ZSTD3], [lambda dt: _v3("numcodecs.delta", dtype=dt.str)]),
                       ts2=False, ts3=False, optional=("delta",), dtypes=("<i4", "<i2")),
    "shuffle": CodecSpec(_comp2({"id": "zlib", "level": 1},
                                [lambda dt: {"id": "shuffle", "elementsize": dt.itemsize}]),
                         _pipe([lambda dt: _v3("numcodecs.shuffle", elementsize=dt.itemsize),
                                ZSTD3]),
                         ts2=False, ts3=False, optional=("shuffle",)),
}


def codecs_for(fmt, *, tensorstore=False):
    """Names of the codec specs available in format ``fmt`` (and in tensorstore if asked)."""
    out = []
    for name, spec in CODECS.items():
        if (spec.v2 if fmt == 2 else spec.v3) is None:
            continue
        if tensorstore and not (spec.ts2 if fmt == 2 else spec.ts3):
            continue
        out.append(name)
    return out


# ----------------------------------------------------------------------------- fill values

_DEFAULT = object()

# (label, dtype, fill value): missing chunks must read back as exactly this value.
FILLS = [
    ("nan", "<f8", np.nan),
    ("inf", "<f4", np.inf),
    ("neginf", "<f2", -np.inf),
    ("negzero", "<f8", -0.0),
    ("be-nan", ">f8", np.nan),
    ("complex", "<c16", complex(1.5, -2.0)),
    ("complex-nan-inf", "<c8", complex(np.nan, -np.inf)),
    ("bytes", "|S5", b"ab"),
    ("unicode", "<U4", "éa"),
    ("negative", "<i2", -7),
    ("u8-max", "<u8", 2**64 - 1),
    ("i8-min", "<i8", -(2**63)),
    ("true", "|b1", True),
    ("nat", "<M8[ns]", np.datetime64("NaT", "ns")),
    ("date", "<M8[D]", np.datetime64("2001-02-03", "D")),
    ("timedelta", "<m8[s]", np.timedelta64(12345, "s")),
    ("be-42", ">i4", 42),
]


def default_fill(dtype):
    """A writer's explicit default fill value (zero-like; NaT for datetimes)."""
    dt = np.dtype(dtype)
    return {"b": False, "S": b"", "U": "", "M": np.datetime64("NaT"), "m": np.timedelta64("NaT")
            }.get(dt.kind, 0)


# ----------------------------------------------------------------------------- the case


@dataclasses.dataclass
class Case:
    """One array to write with one library and read with another."""

    fmt: int
    dtype: str
    codec: str = "zstd"
    order: str = "C"
    sep: str | None = None  # v2 dimension_separator, v3 chunk key separator; None = default
    key_encoding: str = "default"  # v3 only: "default" or "v2"
    fill: object = _DEFAULT
    shape: tuple = SHAPE
    chunks: tuple = CHUNKS
    shards: tuple | None = None
    written: object = REGION  # region, "all", or None (never written)
    label: str = ""

    @property
    def id(self):
        parts = [f"v{self.fmt}", short_dtype(self.dtype), self.codec]
        if self.fmt == 2:
            parts.append(f"{self.order}{'slash' if self.sep == '/' else 'dot'}")
        elif self.sep or self.key_encoding != "default":
            parts.append(f"{self.key_encoding}{'slash' if self.sep == '/' else 'dot'}")
        if self.shards:
            parts.append("sharded")
        if self.shape != SHAPE:
            parts.append("x".join(map(str, self.shape)) or "0d")
        if self.label:
            parts.append(self.label)
        return "-".join(parts)

    @property
    def np_dtype(self):
        return np.dtype(self.dtype)

    @property
    def fill_value(self):
        return default_fill(self.dtype) if self.fill is _DEFAULT else self.fill

    @property
    def generator(self):
        return {"name": "ramp", "params": datagen.default_params(self.dtype)}

    @property
    def region(self):
        """The written region as a manifest-style list (or "all" / None)."""
        if self.written in ("all", None):
            return self.written
        return [list(r) for r in self.written]

    @property
    def attributes(self):
        return {"case": self.id, "nested": {"list": [1, 2.5, None, True], "text": "ünï"}}

    @property
    def dimension_names(self):
        return None if self.fmt == 2 else ["z", "y", "x"][3 - len(self.shape):]

    def data(self):
        """The full generated array (what was written where written)."""
        return datagen.generate(self.generator, self.np_dtype, self.shape)

    def expected(self):
        """What every reader must return: data where written, the fill value elsewhere."""
        return datagen.expected_array(self.np_dtype, self.shape, self.generator, self.region,
                                      self.fill_value)

    def selection(self):
        """The written region as an index (``...`` for all); None if nothing is written."""
        if self.written is None or 0 in self.shape:
            return None
        if self.written == "all":
            return Ellipsis
        return datagen.region_slices(self.written)

    def spec(self):
        return CODECS[self.codec]

    def v2_codecs(self):
        """``{"compressor": cfg|None, "filters": [cfg]|None}`` (numcodecs configs)."""
        return self.spec().v2(self.np_dtype)

    def v3_codecs(self):
        """``{"filters", "serializer", "compressors"}`` as v3 JSON."""
        return self.spec().v3(self.np_dtype)

    def chunk_key_encoding(self):
        """The v3 chunk_key_encoding JSON for this case (None for v2)."""
        if self.fmt == 2:
            return None
        sep = self.sep or ("/" if self.key_encoding == "default" else ".")
        return {"name": self.key_encoding, "configuration": {"separator": sep}}

    def zarrc_kwargs(self):
        """Keyword arguments of ``zarrc.create_array`` (SPEC.md) for this case."""
        kw = dict(shape=self.shape, dtype=self.dtype, chunks=self.chunks, zarr_format=self.fmt,
                  fill_value=self.fill_value, attributes=self.attributes)
        if self.fmt == 2:
            c = self.v2_codecs()
            kw.update(compressors=None if c["compressor"] is None else [c["compressor"]],
                      filters=c["filters"], order=self.order,
                      dimension_separator=self.sep or ".")
        else:
            kw.update(self.v3_codecs(), dimension_names=self.dimension_names,
                      chunk_key_encoding=self.chunk_key_encoding())
            if self.shards:
                kw["shards"] = self.shards
        return kw

    def peer_case(self, path):
        """A zarr2_peer write case (v2 only)."""
        c = self.v2_codecs()
        return {"kind": "array", "path": path, "dtype": self.np_dtype.str,
                "shape": list(self.shape), "chunks": list(self.chunks), "order": self.order,
                "dimension_separator": self.sep or ".", "compressor": c["compressor"],
                "filters": c["filters"],
                "fill_value": datagen.encode_v2_fill(self.fill_value, self.dtype),
                "generator": self.generator, "written": self.region,
                "attributes": self.attributes}

    def __str__(self):
        return self.id


# What zarrc does not support yet, with the issue that adds it. These cases stay in the matrix
# as strict xfails: each must fail with zarrc's own "not supported" error until the feature
# lands, and then the xfail turns into a failure that asks for the mark to go.
PENDING_V3_KINDS = "SUmM"  # v3 extension data types: issue 6 (strings, datetimes)


def pending_reason(case):
    """Why zarrc cannot handle ``case`` yet, or None (every case runs now)."""
    return None


def params(case_list):
    """``case_list`` as pytest params, pending cases marked as strict xfails."""
    import pytest

    from zarrc.errors import CodecError, MetadataError

    out = []
    for case in case_list:
        reason = pending_reason(case)
        marks = () if reason is None else pytest.mark.xfail(
            strict=True, reason=reason, raises=(MetadataError, CodecError, NotImplementedError))
        out.append(pytest.param(case, marks=marks, id=str(case)))
    return out


def short_dtype(dtype):
    """A readable id for a dtype string: '>i4' -> 'be-i4', '<M8[ns]' -> 'M8-ns'."""
    return (dtype.replace("<", "").replace("|", "").replace(">", "be-")
            .replace("[", "-").rstrip("]"))


def v3_data_type(dtype):
    """The v3 core data type name of a numeric NumPy dtype (tensorstore's metadata)."""
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return "bool"
    name = {"i": "int", "u": "uint", "f": "float", "c": "complex"}[dt.kind]
    return f"{name}{dt.itemsize * 8}"


# ----------------------------------------------------------------------------- matrices


def matrix(fmt, *, dtypes=DTYPES, tensorstore=False, null_fill=True):
    """The cases of format ``fmt``: a dtype sweep, a codec sweep, layouts, fills, shapes.

    ``dtypes`` and ``tensorstore`` restrict the matrix to what a peer supports; ``null_fill``
    adds the v2 ``"fill_value": null`` case (for peers that define what it reads as).
    """
    cases = []
    codecs = codecs_for(fmt, tensorstore=tensorstore)
    base = "zstd"
    for dt in dtypes:  # every dtype with one codec
        cases.append(Case(fmt, dt, base))
    for codec in codecs:  # every codec with two dtypes
        for dt in CODECS[codec].dtypes:
            if codec != base and dt in dtypes:
                cases.append(Case(fmt, dt, codec, sep="/" if fmt == 2 and dt == "<f8" else None,
                                  order="F" if fmt == 2 and dt == "<f8" else "C"))
    if fmt == 2:  # memory order x dimension separator
        for dt in ("<i2", ">c16"):
            for order in "CF":
                for sep in "./":
                    cases.append(Case(fmt, dt, "blosc_lz4_shuffle", order=order, sep=sep))
    if fmt == 3:  # chunk key encodings
        cases.append(Case(fmt, "<i2", base, sep="."))
        cases.append(Case(fmt, "<i2", base, key_encoding="v2"))
        cases.append(Case(fmt, "<i2", base, key_encoding="v2", sep="/"))
        cases.append(Case(fmt, "<f4", base, shards=(10, 14)))
        cases.append(Case(fmt, "<u2", "blosc_lz4_shuffle", shards=(10, 14)))
    for label, dt, fill in FILLS:  # missing chunks read as the fill value
        if dt in dtypes:
            cases.append(Case(fmt, dt, "gzip", fill=fill, label=f"fill-{label}"))
    if fmt == 2 and null_fill:
        # v2 allows "fill_value": null. zarr-python 3 and tensorstore read missing chunks of
        # such an array as zeros; zarr-python 2 returns uninitialized memory there.
        cases.append(Case(fmt, "<i4", "zlib", fill=None, label="fill-null"))
    for dt, shape, chunks, written in [
        ("<i8", (50,), (8,), ((3, 41),)),
        ("<f4", (4, 5, 6), (3, 2, 4), ((1, 4), (0, 5), (2, 6))),
        ("<f8", (), (), "all"),
        ("<i4", (0, 5), (2, 2), "all"),
        ("<u2", SHAPE, CHUNKS, None),
    ]:
        cases.append(Case(fmt, dt, base, shape=shape, chunks=chunks, written=written,
                          order="F" if fmt == 2 and len(shape) == 3 else "C",
                          label="empty" if written is None else ""))
    return cases


# ----------------------------------------------------------------------------- a group tree

TREE_GROUPS = {
    "": {"title": "interop tree", "version": 1, "nested": {"list": [1, 2.5, "x", None, True]}},
    "a": {"level": 1, "text": "ünï"},
    "a/b": {},
    "c": {"note": "no members"},
}


def tree_arrays(fmt):
    """The arrays of the test tree (path -> Case): nested, with fill values and missing chunks."""
    return {
        "a/x": Case(fmt, "<i2", "zstd", label="tree"),
        "a/b/y": Case(fmt, "<f4", "gzip", fill=np.nan, label="tree"),
        "z": Case(fmt, "|u1", "none", written="all", label="tree"),
    }


def tree_children(paths, parent):
    """Direct member names of ``parent`` among the tree ``paths``."""
    prefix = f"{parent}/" if parent else ""
    return {p[len(prefix):] for p in paths
            if p and p != parent and p.startswith(prefix) and "/" not in p[len(prefix):]}
