"""zarrc: Zarr v2 + v3 arrays with a native engine and NumPy's indexing semantics.

``import zarrc as zarr`` works for the common path: the names follow zarr-python 3.
"""

from zarrc import codecs, config, errors, storage
from zarrc._version import __version__
from zarrc.api import (
    array,
    consolidate_metadata,
    create_array,
    empty,
    full,
    group,
    load,
    ones,
    open,
    open_array,
    open_consolidated,
    open_group,
    save,
    zeros,
)
from zarrc.array import Array
from zarrc.convert import convert, upgrade_v2_to_v3
from zarrc.group import Group
from zarrc.lazy import LazyArray


def from_dask(darr, store=None, **create_kwargs) -> Array:
    """Create an array from a dask array, block by block (see :func:`zarrc.dask.from_dask`;
    needs the ``dask`` extra, imported only when called)."""
    from zarrc.dask import from_dask as _from_dask

    return _from_dask(darr, store, **create_kwargs)


__all__ = [
    "Array",
    "Group",
    "LazyArray",
    "__version__",
    "array",
    "codecs",
    "config",
    "consolidate_metadata",
    "convert",
    "create_array",
    "empty",
    "errors",
    "from_dask",
    "full",
    "group",
    "load",
    "ones",
    "open",
    "open_array",
    "open_consolidated",
    "open_group",
    "save",
    "storage",
    "upgrade_v2_to_v3",
    "zeros",
]
