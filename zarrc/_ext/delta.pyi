"""Types of :mod:`zarrc._ext.delta` (compiled from ``delta.pyx``)."""

from typing import Any

import numpy as np
from typing_extensions import Buffer

# numpy declares the buffer protocol (__buffer__) to type checkers only for Python >= 3.12
_Buf = Buffer | np.ndarray[Any, Any]

def delta_encode(src: _Buf, dst: _Buf) -> None: ...
def delta_decode(src: _Buf, dst: _Buf) -> None: ...
