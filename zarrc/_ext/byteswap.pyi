"""Types of :mod:`zarrc._ext.byteswap` (compiled from ``byteswap.pyx``)."""

from typing import Any

import numpy as np
from typing_extensions import Buffer

# numpy declares the buffer protocol (__buffer__) to type checkers only for Python >= 3.12
_Buf = Buffer | np.ndarray[Any, Any]

def byteswap_inplace(buf: _Buf, element_size: int) -> None: ...
def byteswap_copy(src: _Buf, dst: _Buf, element_size: int) -> None: ...
