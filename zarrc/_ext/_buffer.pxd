# Buffer-protocol helpers shared by the wrappers (inline, so every module gets its own copy).

from cpython.buffer cimport PyBUF_ANY_CONTIGUOUS, PyBUF_WRITABLE, PyObject_GetBuffer


cdef inline int get_buffer(object obj, Py_buffer *view, int flags, str what,
                           str name) except -1:
    """Fill `view` for `obj` with `flags`; a refusal (read-only, not contiguous) is a ValueError.

    Object arrays are rejected: the kernels copy bytes and would skip reference counting.
    Not a buffer at all stays a TypeError.  On error `view` is left unfilled (nothing to release).
    """
    dtype = getattr(obj, "dtype", None)
    if dtype is not None and getattr(dtype, "hasobject", False):
        raise TypeError(f"{what}: {name} holds Python objects, which cannot be copied as bytes")
    try:
        PyObject_GetBuffer(obj, view, flags)
    except (BufferError, ValueError) as exc:
        need = "writable" if flags & PyBUF_WRITABLE else "readable"
        if flags & PyBUF_ANY_CONTIGUOUS == PyBUF_ANY_CONTIGUOUS:
            need += ", contiguous"
        raise ValueError(f"{what}: {name} must be a {need} buffer ({exc})") from exc
    return 0
