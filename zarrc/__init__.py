"""zarrc: Zarr v2 + v3 arrays with a native engine and NumPy's indexing semantics.

``import zarrc as zarr`` works for zarr-python 3's user guide: the module functions, the
``Array``/``Group`` members, ``zarrc.config``, ``zarrc.codecs``, ``zarrc.dtype``,
``zarrc.errors`` and ``zarrc.storage`` follow zarr-python 3.1.6 (docs/migrating.md).
"""

from typing import Any

from zarrc import codecs, config, dtype, errors, storage, telemetry
from zarrc._version import __version__
from zarrc.api import (
    array,
    consolidate_metadata,
    copy,
    copy_all,
    create,
    create_array,
    create_group,
    create_hierarchy,
    empty,
    empty_like,
    from_array,
    full,
    full_like,
    group,
    load,
    ones,
    ones_like,
    open,
    open_array,
    open_consolidated,
    open_group,
    open_like,
    save,
    save_array,
    save_group,
    tree,
    zeros,
    zeros_like,
)
from zarrc.array import Array
from zarrc.buildinfo import build_info, show_config
from zarrc.convert import convert, upgrade_v2_to_v3
from zarrc.group import Group
from zarrc.lazy import LazyArray
from zarrc.storage import StoreLike


def from_dask(darr: Any, store: StoreLike = None, **create_kwargs: Any) -> Array:
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
    "build_info",
    "codecs",
    "config",
    "consolidate_metadata",
    "convert",
    "copy",
    "copy_all",
    "create",
    "create_array",
    "create_group",
    "create_hierarchy",
    "dtype",
    "empty",
    "empty_like",
    "errors",
    "from_array",
    "from_dask",
    "full",
    "full_like",
    "group",
    "load",
    "ones",
    "ones_like",
    "open",
    "open_array",
    "open_consolidated",
    "open_group",
    "open_like",
    "save",
    "save_array",
    "save_group",
    "show_config",
    "storage",
    "telemetry",
    "tree",
    "upgrade_v2_to_v3",
    "zeros",
    "zeros_like",
]
