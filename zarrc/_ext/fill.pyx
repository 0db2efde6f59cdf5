"""Fill a strided region with one item (wraps ``csrc/zc_fill.c``).

Used for missing chunks (the fill value) and for initialising outputs; zeros become memset.
``fill_equal`` answers the opposite question for writes: is a chunk nothing but the fill value?
"""

from cpython.buffer cimport PyBUF_SIMPLE, PyBUF_STRIDES, PyBUF_WRITABLE, PyBuffer_Release

from zarrc._ext cimport csrc
from zarrc._ext._buffer cimport get_buffer
from zarrc._ext._errors cimport check


def fill_view(dst, value):
    """Write the item `value` into every element of the writable strided buffer `dst`.

    Parameters
    ----------
    dst : writable buffer (e.g. ``numpy.ndarray`` or a view of one)
        Any strides, negative included.
    value : bytes-like
        Exactly ``dst.itemsize`` bytes, the item in dst's byte order, e.g.
        ``np.asarray(v, dst.dtype).tobytes()``.

    Raises
    ------
    ValueError
        `value` is not ``dst.itemsize`` bytes long, or `dst` is read-only.

    Notes
    -----
    The GIL is released while filling.
    """
    cdef Py_buffer d
    cdef Py_buffer v
    cdef Py_ssize_t rc
    get_buffer(dst, &d, PyBUF_STRIDES | PyBUF_WRITABLE, "fill_view", "dst")
    try:
        get_buffer(value, &v, PyBUF_SIMPLE, "fill_view", "value")
        try:
            if v.len != d.itemsize:
                raise ValueError(f"fill_view: value has {v.len} bytes but dst items have "
                                 f"{d.itemsize}")
            with nogil:
                rc = csrc.zc_fill_region(<char *>d.buf, d.strides, d.shape, d.ndim,
                                         <const char *>v.buf, d.itemsize)
            check(rc, "fill_view")
        finally:
            PyBuffer_Release(&v)
    finally:
        PyBuffer_Release(&d)


def fill_equal(src, value):
    """True if every element of the strided buffer `src` has exactly the bytes `value`.

    Bitwise (a NaN fill matches the same NaN bits; -0.0 is not 0.0) and stops at the first
    difference, so a chunk of real data costs a few bytes of comparison. An empty `src` is
    True. The GIL is released while comparing.

    Raises
    ------
    ValueError
        `value` is not ``src.itemsize`` bytes long.
    """
    cdef Py_buffer s
    cdef Py_buffer v
    cdef Py_ssize_t rc
    get_buffer(src, &s, PyBUF_STRIDES, "fill_equal", "src")
    try:
        get_buffer(value, &v, PyBUF_SIMPLE, "fill_equal", "value")
        try:
            if v.len != s.itemsize:
                raise ValueError(f"fill_equal: value has {v.len} bytes but src items have "
                                 f"{s.itemsize}")
            with nogil:
                rc = csrc.zc_fill_equal(<const char *>s.buf, s.strides, s.shape, s.ndim,
                                        <const char *>v.buf, s.itemsize)
            check(rc, "fill_equal")
        finally:
            PyBuffer_Release(&v)
    finally:
        PyBuffer_Release(&s)
    return rc == 1
