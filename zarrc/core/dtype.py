"""zarr-python's ``zarr.core.dtype`` path: the data type classes of :mod:`zarrc.dtype`."""

from zarrc.dtype import *  # noqa: F403
from zarrc.dtype import __all__  # noqa: F401
