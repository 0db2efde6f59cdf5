"""Fill a strided region with one item (wraps ``csrc/zc_fill.c``).

Used for missing chunks (the fill value) and for initialising outputs; zeros become memset.
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
