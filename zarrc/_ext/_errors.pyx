"""Map the ``ZC_E_*`` return codes of the C kernels to Python exceptions, in one place.

Argument problems become :class:`ValueError` (a bad dtype :class:`TypeError`); corrupt input
data becomes :class:`zarrc.errors.CodecError`.  The Python wrappers check their arguments before
calling C, so most codes here are a second line of defence.
"""

from zarrc._ext cimport csrc

from zarrc.errors import CodecError

# code -> (exception class, what went wrong)
ERRORS = {
    csrc.ZC_E_ARG: (ValueError, "invalid argument (negative length or extent, or null buffer)"),
    csrc.ZC_E_NDIM: (ValueError, f"too many dimensions (at most {csrc.ZC_MAXDIM})"),
    csrc.ZC_E_ITEMSIZE: (ValueError, "item or element size is not supported"),
    csrc.ZC_E_SIZE: (ValueError, "buffer length is not a whole number of items"),
    csrc.ZC_E_DTYPE: (TypeError, "data type is not supported"),
    csrc.ZC_E_OVERLAP: (ValueError, "source and destination buffers overlap"),
    csrc.ZC_E_DATA: (CodecError, "input data is corrupt"),
}

MAXDIM = csrc.ZC_MAXDIM


cdef object error_for(Py_ssize_t code, str what):
    cls, message = ERRORS.get(code, (RuntimeError, f"unknown kernel error code {code}"))
    return cls(f"{what}: {message}")


def raise_for_code(code, what="kernel"):
    """Raise the exception a kernel return code maps to; return None for codes >= 0."""
    if code < 0:
        raise error_for(code, what)
