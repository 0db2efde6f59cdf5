"""N-d strided region copy: the one kernel behind every chunk <-> output copy.

Wraps ``csrc/zc_copy.c``.  Any strided buffer works (NumPy arrays and their views included):
pointers, shape, strides and itemsize come from the buffer protocol, so no NumPy headers are
needed and every dtype of a given itemsize is just bytes.
"""

from cpython.buffer cimport PyBUF_STRIDES, PyBUF_WRITABLE, PyBuffer_Release

from zarrc._ext cimport csrc
from zarrc._ext._buffer cimport get_buffer
from zarrc._ext._errors cimport check


cdef tuple _shape(const Py_buffer *view):
    return tuple([view.shape[i] for i in range(view.ndim)])


cdef int _check_same_layout(const Py_buffer *dst, const Py_buffer *src, str what) except -1:
    """Require equal shapes and itemsizes; broadcasting is the caller's job (np.broadcast_to)."""
    cdef int i
    cdef bint same = dst.ndim == src.ndim
    if same:
        for i in range(dst.ndim):
            if dst.shape[i] != src.shape[i]:
                same = False
                break
    if not same:
        raise ValueError(f"{what}: shape mismatch, dst {_shape(dst)} vs src {_shape(src)}")
    if dst.itemsize != src.itemsize:
        raise ValueError(
            f"{what}: itemsize mismatch, dst {dst.itemsize} vs src {src.itemsize} bytes")
    return 0


def copy_view(dst, src):
    """Copy the strided buffer `src` into the writable strided buffer `dst`, element by element.

    Parameters
    ----------
    dst : writable buffer (e.g. ``numpy.ndarray`` or a view of one)
        Destination; any strides, negative included.
    src : buffer
        Same shape and itemsize as `dst`; any strides, zero included (a broadcast view).
        Items are copied as opaque bytes, so the dtypes only need equal itemsizes.

    Raises
    ------
    ValueError
        Shapes or itemsizes differ, or `dst` is read-only.
    TypeError
        An argument is not a buffer, or holds Python objects.

    Notes
    -----
    The GIL is released during the copy.  `dst` and `src` must not overlap.  A transpose is a
    copy from (or into) a permuted view, e.g. ``copy_view(out, chunk.transpose(order))``.
    """
    cdef Py_buffer d
    cdef Py_buffer s
    cdef Py_ssize_t rc
    get_buffer(dst, &d, PyBUF_STRIDES | PyBUF_WRITABLE, "copy_view", "dst")
    try:
        get_buffer(src, &s, PyBUF_STRIDES, "copy_view", "src")
        try:
            _check_same_layout(&d, &s, "copy_view")
            with nogil:
                rc = csrc.zc_copy_region(<const char *>s.buf, s.strides, <char *>d.buf,
                                         d.strides, d.shape, d.ndim, d.itemsize)
            check(rc, "copy_view")
        finally:
            PyBuffer_Release(&s)
    finally:
        PyBuffer_Release(&d)


def transpose_into(dst, src, axes):
    """``dst[...] = src.transpose(axes)``: an N-d transpose as one strided copy, GIL released.

    Parameters
    ----------
    dst : writable ndarray
        Shape ``tuple(src.shape[a] for a in axes)``, any strides.
    src : ndarray
    axes : sequence of int
        A permutation of ``range(src.ndim)``.

    Raises
    ------
    ValueError
        `axes` is not a permutation of the source's axes, or the shapes do not match.
    """
    axes = tuple(int(a) for a in axes)
    if sorted(axes) != list(range(src.ndim)):
        raise ValueError(f"transpose_into: axes {axes} are not a permutation of "
                         f"{src.ndim} axes")
    copy_view(dst, src.transpose(axes))
