"""Byte shuffle / unshuffle, byte-identical to numcodecs ``Shuffle`` (wraps ``csrc/zc_shuffle.c``).

With ``n = len // elementsize`` whole elements, byte ``j`` of element ``i`` goes to position
``j * n + i``; trailing bytes that do not make a whole element are copied unchanged (the blosc
convention; numcodecs itself refuses such lengths).
"""

from cpython.buffer cimport PyBUF_ANY_CONTIGUOUS, PyBUF_WRITABLE, PyBuffer_Release

from zarrc._ext cimport csrc
from zarrc._ext._buffer cimport get_buffer
from zarrc._ext._errors cimport check


cdef int _run(src, dst, Py_ssize_t elementsize, bint decode, str what) except -1:
    cdef Py_buffer s
    cdef Py_buffer d
    cdef Py_ssize_t rc
    get_buffer(src, &s, PyBUF_ANY_CONTIGUOUS, what, "src")
    try:
        get_buffer(dst, &d, PyBUF_ANY_CONTIGUOUS | PyBUF_WRITABLE, what, "dst")
        try:
            if s.len != d.len:
                raise ValueError(f"{what}: src has {s.len} bytes but dst has {d.len}")
            with nogil:
                if decode:
                    rc = csrc.zc_shuffle_decode(<const char *>s.buf, <char *>d.buf, s.len,
                                                elementsize)
                else:
                    rc = csrc.zc_shuffle_encode(<const char *>s.buf, <char *>d.buf, s.len,
                                                elementsize)
            check(rc, what)
        finally:
            PyBuffer_Release(&d)
    finally:
        PyBuffer_Release(&s)
    return 0


def shuffle_encode(src, dst, Py_ssize_t elementsize):
    """Byte-shuffle the contiguous buffer `src` into `dst` (same length, no overlap).

    Parameters
    ----------
    src : contiguous buffer
    dst : writable contiguous buffer
        Exactly as many bytes as `src`; must not overlap it.
    elementsize : int
        Bytes per element (>= 1; 1 is a plain copy).

    Raises
    ------
    ValueError
        Lengths differ, the buffers overlap, `elementsize` < 1, or `dst` is read-only.
    """
    _run(src, dst, elementsize, False, "shuffle_encode")


def shuffle_decode(src, dst, Py_ssize_t elementsize):
    """Undo :func:`shuffle_encode`: unshuffle `src` into `dst` (same length, no overlap)."""
    _run(src, dst, elementsize, True, "shuffle_decode")
