"""The native codecs of this build, and blosc as the Python codec uses it (wraps csrc/zc_codec.c).

Which codecs the chunk loops (:mod:`zarrc._ext.chunkio`) decode and encode depends on the
libraries found when zarrc was built: :func:`native_codecs` lists them with the library
versions. :func:`blosc_encode` and :func:`blosc_decode_into` are zarrc's one blosc
implementation (``zarrc.codecs.blosc`` calls them; the chunk loops use the same C): libblosc's
context API, with no process-global state, and zarrc's own encoder for the common lz4 settings.
"""

from cpython.buffer cimport PyBUF_SIMPLE, PyBUF_WRITABLE, PyBuffer_Release
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from cpython.mem cimport PyMem_Free, PyMem_Malloc

from zarrc._ext cimport csrc
from zarrc._ext._buffer cimport get_buffer

import os

from zarrc.errors import CodecError

# zarrc's names of the native codecs (the chunk loops' codec ids)
_NAMES = {
    "zstd": csrc.ZC_CODEC_ZSTD,
    "blosc": csrc.ZC_CODEC_BLOSC,
    "lz4": csrc.ZC_CODEC_LZ4,
    "gzip": csrc.ZC_CODEC_GZIP,
    "zlib": csrc.ZC_CODEC_ZLIB,
}
BLOSC_MAX_BUFFERSIZE = 2**31 - 1 - 16  # c-blosc 1.x: INT_MAX - BLOSC_MAX_OVERHEAD


def native_codecs():
    """``{codec name: library version}`` of the codecs this build decodes natively (the
    libraries found at build time; the version the loaded library reports, its header's at
    build time where it reports none); ``"zlib"`` and ``"gzip"`` share libdeflate."""
    return {name: runtime or built for name, (built, runtime) in native_versions().items()}


def native_versions():
    """``{codec name: (build-time version, run-time version or None)}`` of the codecs this
    build decodes natively: the library's header when zarrc was compiled, and the library
    loaded now (None where it cannot tell: libdeflate has no version call)."""
    cdef const char *built
    cdef const char *runtime
    out = {}
    for name, codec in _NAMES.items():
        built = csrc.zc_codec_version(codec, 1)
        if built != NULL:
            runtime = csrc.zc_codec_version(codec, 0)
            out[name] = (built.decode("ascii"),
                         None if runtime == NULL else runtime.decode("ascii"))
    return out


def native_library_files():
    """``{codec name: the shared library file behind it}`` of the native codecs whose library
    this process loaded as a shared object (the one the extension calls, found from the
    library's own symbol; absent when linked statically or where the platform cannot tell)."""
    cdef const char *path
    out = {}
    for name, codec in _NAMES.items():
        path = csrc.zc_codec_library_file(codec)
        if path != NULL:
            out[name] = os.path.realpath(os.fsdecode(path))  # the RPATH may hold ".."
    return out


def native_encoders():
    """The codec names the write loops encode natively (a subset of :func:`native_codecs`)."""
    return sorted(name for name, codec in _NAMES.items() if csrc.zc_codec_encodes(codec) == 1)


def blosc_available():
    """True if this build has libblosc (blosc can be encoded and decoded at all)."""
    return csrc.zc_codec_available(csrc.ZC_CODEC_BLOSC) == 1


def blosc_has(str cname):
    """True if the linked libblosc can (de)compress with the inner compressor `cname`."""
    return csrc.zc_codec_blosc_has(cname.encode("ascii")) == 1


def blosc_encode(data, int typesize, int clevel, int shuffle, str cname,
                 Py_ssize_t blocksize=0):
    """The blosc1 chunk of `data` (a contiguous buffer): c-blosc 1.21's bytes for the settings
    (``shuffle`` 0 none, 1 byte, 2 bit; ``typesize`` above 255 shuffles as 1; ``blocksize`` 0
    is c-blosc's choice), as python-blosc and numcodecs write them with one thread."""
    cdef Py_buffer src
    cdef csrc.zc_encode_params p
    cdef char *tmp = NULL
    cdef char *dst
    cdef size_t scratch
    cdef size_t n
    cdef Py_ssize_t m
    if not blosc_available():
        raise CodecError("codec 'blosc': zarrc was built without libblosc")
    if not blosc_has(cname):
        raise CodecError(f"codec 'blosc': inner compressor {cname!r} is not in this libblosc")
    name = cname.encode("ascii")
    p.level = clevel
    p.checksum = 0
    p.shuffle = shuffle
    p.typesize = typesize
    p.blocksize = blocksize
    p.cname = name
    get_buffer(data, &src, PyBUF_SIMPLE, "blosc_encode", "data")
    try:
        n = <size_t>src.len
        if n > BLOSC_MAX_BUFFERSIZE:
            raise CodecError(f"codec 'blosc': input of {n} bytes exceeds {BLOSC_MAX_BUFFERSIZE}")
        out = PyBytes_FromStringAndSize(NULL, csrc.zc_codec_encode_bound(csrc.ZC_CODEC_BLOSC, n))
        scratch = csrc.zc_codec_encode_scratch(csrc.ZC_CODEC_BLOSC, n)
        tmp = <char *>PyMem_Malloc(max(scratch, 1))
        if tmp == NULL:
            raise MemoryError("blosc_encode: no memory for the scratch block")
        dst = PyBytes_AS_STRING(out)
        with nogil:
            m = csrc.zc_codec_encode(NULL, csrc.ZC_CODEC_BLOSC, &p, <const char *>src.buf, n,
                                     dst, n + 16, tmp, scratch)
    finally:
        PyMem_Free(tmp)
        PyBuffer_Release(&src)
    if m < 0:
        raise CodecError(f"codec 'blosc': compression failed (settings typesize={typesize} "
                         f"clevel={clevel} shuffle={shuffle} cname={cname!r} "
                         f"blocksize={blocksize})")
    return out[:m]


def blosc_decode_into(data, out):
    """Decode the blosc1 chunk `data` into `out` (a writable contiguous buffer), which it must
    fill exactly; CodecError for a corrupt chunk or one of another size."""
    cdef Py_buffer src
    cdef Py_buffer dst
    cdef int rc
    if not blosc_available():
        raise CodecError("codec 'blosc': zarrc was built without libblosc")
    get_buffer(data, &src, PyBUF_SIMPLE, "blosc_decode_into", "data")
    try:
        get_buffer(out, &dst, PyBUF_SIMPLE | PyBUF_WRITABLE, "blosc_decode_into", "out")
        try:
            with nogil:
                rc = csrc.zc_codec_decode(NULL, csrc.ZC_CODEC_BLOSC, <const char *>src.buf,
                                          <size_t>src.len, <char *>dst.buf, <size_t>dst.len,
                                          <size_t>dst.len)
        finally:
            PyBuffer_Release(&dst)
    finally:
        PyBuffer_Release(&src)
    if rc != 0:
        raise CodecError("codec 'blosc': corrupt data")
