"""Delta encoding in the numcodecs ``Delta`` layout, same dtype (wraps ``csrc/zc_delta.c``).

``encode``: ``out[0] = x[0]``, ``out[i] = x[i] - x[i-1]``; ``decode`` is the running sum.  Integers
wrap (like NumPy); floats use IEEE arithmetic in their own precision, summed left to right as
``np.cumsum`` does.  Supported: native-endian int8..int64, uint8..uint64, float32, float64.  The
codec layer handles ``astype`` conversion and byte order.
"""

import sys

from cpython.buffer cimport (PyBUF_ANY_CONTIGUOUS, PyBUF_FORMAT, PyBUF_WRITABLE,
                             PyBuffer_Release)

from zarrc._ext cimport csrc
from zarrc._ext._buffer cimport get_buffer
from zarrc._ext._errors cimport check

cdef bint _LITTLE = sys.byteorder == "little"


cdef int _kind(const Py_buffer *view, str what, str name) except -1:
    """The ZC_KIND_* of a buffer's struct-module format, or TypeError if unsupported."""
    fmt = (<bytes>view.format).decode("ascii") if view.format != NULL else "B"
    code = fmt.lstrip("@=<>!")
    order = fmt[:len(fmt) - len(code)].lstrip("@=")  # "@" and "=" mean native
    if order and (order == "<") != _LITTLE:
        raise TypeError(f"{what}: {name} is not in native byte order (format {fmt!r})")
    if len(code) == 1:
        if code in "bhilqn":
            return csrc.ZC_KIND_INT
        if code in "BHILQN":
            return csrc.ZC_KIND_UINT
        if code in "fd":
            return csrc.ZC_KIND_FLOAT
    raise TypeError(f"{what}: {name} has unsupported item format {fmt!r} "
                    "(int8..int64, uint8..uint64, float32 or float64)")


cdef int _check_dtype(obj, str what, str name) except -1:
    """Refuse NumPy dtypes outside int/uint/float early (datetimes cannot even export a format)."""
    dtype = getattr(obj, "dtype", None)
    if dtype is not None and getattr(dtype, "kind", "f") not in "iuf":
        raise TypeError(f"{what}: {name} has unsupported dtype {dtype} "
                        "(int8..int64, uint8..uint64, float32 or float64)")
    return 0


cdef int _run(src, dst, bint decode, str what) except -1:
    cdef Py_buffer s
    cdef Py_buffer d
    cdef Py_ssize_t rc
    cdef int kind
    _check_dtype(src, what, "src")
    _check_dtype(dst, what, "dst")
    get_buffer(src, &s, PyBUF_ANY_CONTIGUOUS | PyBUF_FORMAT, what, "src")
    try:
        get_buffer(dst, &d, PyBUF_ANY_CONTIGUOUS | PyBUF_FORMAT | PyBUF_WRITABLE, what, "dst")
        try:
            kind = _kind(&s, what, "src")
            if _kind(&d, what, "dst") != kind or d.itemsize != s.itemsize:
                raise ValueError(f"{what}: src and dst dtypes differ (formats "
                                 f"{(<bytes>s.format).decode()!r} and "
                                 f"{(<bytes>d.format).decode()!r})")
            if s.len != d.len:
                raise ValueError(f"{what}: src has {s.len} bytes but dst has {d.len}")
            with nogil:
                if decode:
                    rc = csrc.zc_delta_decode(<const char *>s.buf, <char *>d.buf,
                                              s.len // s.itemsize, s.itemsize, kind)
                else:
                    rc = csrc.zc_delta_encode(<const char *>s.buf, <char *>d.buf,
                                              s.len // s.itemsize, s.itemsize, kind)
            check(rc, what)
        finally:
            PyBuffer_Release(&d)
    finally:
        PyBuffer_Release(&s)
    return 0


def delta_encode(src, dst):
    """Delta-encode the contiguous array `src` into `dst` (same dtype and size, may be `src`).

    Items are taken in memory order (``reshape(-1, order='A')``, as numcodecs does).

    Raises
    ------
    TypeError
        The dtype is unsupported or not native-endian.
    ValueError
        Dtypes or sizes differ, a buffer is not contiguous, or `dst` is read-only.
    """
    _run(src, dst, False, "delta_encode")


def delta_decode(src, dst):
    """Undo :func:`delta_encode` (running sum) from `src` into `dst`; same rules."""
    _run(src, dst, True, "delta_decode")
