"""Reverse the byte order of fixed-size units (wraps ``csrc/zc_byteswap.c``).

The unit is the *swap unit*, which is the itemsize except for complex types: NumPy (and the
Zarr ``bytes`` codec) swap each component, so complex64 uses 4 and complex128 uses 8.
"""

from cpython.buffer cimport PyBUF_ANY_CONTIGUOUS, PyBUF_WRITABLE, PyBuffer_Release

from zarrc._ext cimport csrc
from zarrc._ext._buffer cimport get_buffer
from zarrc._ext._errors cimport check


def byteswap_inplace(buf, Py_ssize_t element_size):
    """Reverse the bytes of every `element_size`-byte unit of the contiguous writable `buf`.

    Parameters
    ----------
    buf : writable contiguous buffer
        Its length in bytes must be a multiple of `element_size`.
    element_size : int
        The swap unit in bytes: the itemsize, or the component size for complex
        (4 for complex64, 8 for complex128).  1, 2, 4, 8, 16 are fast paths; any size >= 1 works.

    Raises
    ------
    ValueError
        `buf` is read-only or not contiguous, `element_size` < 1, or the length is not a
        multiple of it.
    """
    cdef Py_buffer b
    cdef Py_ssize_t rc
    get_buffer(buf, &b, PyBUF_ANY_CONTIGUOUS | PyBUF_WRITABLE, "byteswap_inplace", "buf")
    try:
        with nogil:
            rc = csrc.zc_byteswap_inplace(<char *>b.buf, b.len, element_size)
        check(rc, "byteswap_inplace")
    finally:
        PyBuffer_Release(&b)


def byteswap_copy(src, dst, Py_ssize_t element_size):
    """Write `src` with the bytes of every `element_size`-byte unit reversed into `dst`.

    Parameters
    ----------
    src : contiguous buffer
    dst : writable contiguous buffer
        As long as `src` (in bytes); it may be `src` itself, but not partly overlap it.
    element_size : int
        The swap unit in bytes, as for :func:`byteswap_inplace`.

    Raises
    ------
    ValueError
        Lengths differ or are not a multiple of `element_size`, or `dst` is read-only.
    """
    cdef Py_buffer s
    cdef Py_buffer d
    cdef Py_ssize_t rc
    get_buffer(src, &s, PyBUF_ANY_CONTIGUOUS, "byteswap_copy", "src")
    try:
        get_buffer(dst, &d, PyBUF_ANY_CONTIGUOUS | PyBUF_WRITABLE, "byteswap_copy", "dst")
        try:
            if s.len != d.len:
                raise ValueError(f"byteswap_copy: src has {s.len} bytes but dst has {d.len}")
            with nogil:
                rc = csrc.zc_byteswap_copy(<const char *>s.buf, <char *>d.buf, s.len,
                                           element_size)
            check(rc, "byteswap_copy")
        finally:
            PyBuffer_Release(&d)
    finally:
        PyBuffer_Release(&s)
