"""Types of :mod:`zarrc._ext.shuffle` (compiled from ``shuffle.pyx``)."""

from typing import Any

import numpy as np
from typing_extensions import Buffer

# numpy declares the buffer protocol (__buffer__) to type checkers only for Python >= 3.12
_Buf = Buffer | np.ndarray[Any, Any]

def shuffle_encode(src: _Buf, dst: _Buf, elementsize: int) -> None: ...
def shuffle_decode(src: _Buf, dst: _Buf, elementsize: int) -> None: ...
