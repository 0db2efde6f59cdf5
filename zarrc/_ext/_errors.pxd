# The one mapping from ZC_E_* codes to Python exceptions (implemented in _errors.pyx).

cdef object error_for(Py_ssize_t code, str what)


cdef inline int check(Py_ssize_t rc, str what) except -1:
    """Raise the exception for a negative kernel return code `rc`; `what` names the caller."""
    if rc < 0:
        raise error_for(rc, what)
    return 0
