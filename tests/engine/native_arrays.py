"""Arrays the native-loop tests share (every codec the C loops decode, in a LocalStore), and
reads of a box through either chunk-I/O implementation."""

import numpy as np

import zarrc
from zarrc.engine.read import read_box
from zarrc.storage import LocalStore
from zarrc.testing.engine import io_kinds, reopened

# per codec: (v3 codec config, v2 compressor config); None is raw bytes
CODECS = {
    "none": (None, None),
    "zstd": ({"name": "zstd", "configuration": {"level": 1, "checksum": False}},
             {"id": "zstd", "level": 1}),
    "zstd_checksum": ({"name": "zstd", "configuration": {"level": 3, "checksum": True}},
                      {"id": "zstd", "level": 3, "checksum": True}),
    "blosc": ({"name": "blosc", "configuration": {"cname": "lz4", "clevel": 5}},
              {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1}),
    "blosc_zstd": ({"name": "blosc", "configuration": {"cname": "zstd", "clevel": 3,
                                                       "shuffle": "bitshuffle"}},
                   {"id": "blosc", "cname": "zstd", "clevel": 3, "shuffle": 2}),
    "lz4": ({"name": "numcodecs.lz4"}, {"id": "lz4"}),
    "gzip": ({"name": "gzip", "configuration": {"level": 5}}, {"id": "gzip", "level": 5}),
    "zlib": ({"name": "numcodecs.zlib"}, {"id": "zlib", "level": 1}),
}


def create_local(root, shape, dtype, chunks, coding, *, zarr_format=3, separator=None,
                 order="C", fill_value=0, name="a", **kwargs):
    """An empty array in a LocalStore at ``root``; ``coding`` is a ``CODECS`` entry."""
    v3, v2 = coding
    if zarr_format == 3:
        kwargs["compressors"] = [v3] if v3 else None
        if separator:
            kwargs["chunk_key_encoding"] = {"name": "default",
                                            "configuration": {"separator": separator}}
    else:
        kwargs["compressors"] = [v2] if v2 else None
        if separator:
            kwargs["dimension_separator"] = separator
    return zarrc.create_array(LocalStore(root), name=name, shape=shape, dtype=dtype,
                              chunks=chunks, zarr_format=zarr_format, order=order,
                              fill_value=fill_value, **kwargs)


def make_array(root, data, chunks, *, codec="zstd", written=None, **kwargs):
    """An array of ``data`` in a LocalStore at ``root`` (``create_local``'s options); only
    ``written`` (a selection) is stored when given, the rest is left to the fill value."""
    a = create_local(root, data.shape, data.dtype, chunks, CODECS[codec], **kwargs)
    if written is None:
        a[...] = data
    else:
        a[written] = data[written]
    return a


def expected_of(data, fill_value, written):
    if written is None:
        return data
    out = np.full_like(data, fill_value)
    out[written] = data[written]
    return out


def box_read(a, sel, fill=99):
    """The box of ``sel`` as ``a``'s chunk I/O reads it, into a box first set to ``fill`` (so
    a place the read misses shows)."""
    ctx = a._ctx
    box = (np.full(sel.box_shape, fill, dtype=ctx.dtype) if ctx.dtype.kind in "iuf"
           else np.empty(sel.box_shape, dtype=ctx.dtype))
    return read_box(ctx, sel, box)


def native_and_reference(a):
    """``a`` opened with each implementation; the native one must read natively."""
    native = reopened(a, "native")
    assert io_kinds(native)[0] == "native", io_kinds(native)
    reference = reopened(a, "reference")
    assert io_kinds(reference) == ("reference",) * 4
    return native, reference


def assert_native_reads(a, sel, expected):
    """The native implementation reads ``sel`` of ``a`` as ``expected``, as the reference does."""
    native, reference = native_and_reference(a)
    box = box_read(native, sel)
    np.testing.assert_array_equal(box, expected)
    np.testing.assert_array_equal(box, box_read(reference, sel))
