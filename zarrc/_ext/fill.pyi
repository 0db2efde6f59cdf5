"""Types of :mod:`zarrc._ext.fill` (compiled from ``fill.pyx``)."""

from typing import Any

import numpy as np
from typing_extensions import Buffer

# numpy declares the buffer protocol (__buffer__) to type checkers only for Python >= 3.12
_Buf = Buffer | np.ndarray[Any, Any]

def fill_view(dst: _Buf, value: _Buf) -> None: ...
def fill_equal(src: _Buf, value: _Buf) -> bool: ...
