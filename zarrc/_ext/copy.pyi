"""Types of :mod:`zarrc._ext.copy` (compiled from ``copy.pyx``)."""

from collections.abc import Sequence
from typing import Any

import numpy as np
from typing_extensions import Buffer

# numpy declares the buffer protocol (__buffer__) to type checkers only for Python >= 3.12
_Buf = Buffer | np.ndarray[Any, Any]

def copy_view(dst: _Buf, src: _Buf) -> None: ...
def transpose_into(dst: np.ndarray[Any, Any], src: np.ndarray[Any, Any], axes: Sequence[int]) -> None: ...
