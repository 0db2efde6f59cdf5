"""Types of :mod:`zarrc._ext._errors` (compiled from ``_errors.pyx``)."""

ERRORS: dict[int, tuple[type[Exception], str]]
MAXDIM: int

def raise_for_code(code: int, what: str = ...) -> None: ...
