"""zarrc for xarray: the ``engine="zarrc"`` backend and :func:`to_zarr` (the ``xarray`` extra).

``xr.open_dataset(path, engine="zarrc")`` / ``xr.open_datatree(path, engine="zarrc")`` read
what xarray's zarr engine writes; :func:`to_zarr` writes what it reads. See docs/xarray.md.
"""

from zarrc.xarray.backend import ZarrcBackendEntrypoint
from zarrc.xarray.write import to_zarr

__all__ = ["ZarrcBackendEntrypoint", "to_zarr"]
