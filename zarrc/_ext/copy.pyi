"""Types of :mod:`zarrc._ext.copy` (compiled from ``copy.pyx``)."""

from collections.abc import Sequence
from typing import Any

import numpy as np
from typing_extensions import Buffer

def copy_view(dst: Buffer, src: Buffer) -> None: ...
def transpose_into(dst: np.ndarray[Any, Any], src: np.ndarray[Any, Any], axes: Sequence[int]) -> None: ...
