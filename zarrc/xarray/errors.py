"""The errors :func:`zarrc.xarray.to_zarr` raises for arguments that do not fit together."""

from __future__ import annotations

from zarrc.errors import BaseZarrError

__all__ = ["ToZarrError", "UnsafeChunksError"]


class ToZarrError(BaseZarrError):
    """``to_zarr``'s arguments do not fit each other, the Dataset or the store: a mode with
    ``append_dim``/``region`` it excludes, an encoding key xarray's zarr engine does not take,
    a variable whose dimensions or sizes differ from the stored one, ... The message names the
    variable and argument. A ``ValueError`` (as xarray raises them) and a ``ZarrcError``."""


class UnsafeChunksError(ToZarrError):
    """With ``safe_chunks=True`` (the default), two dask blocks of a variable would write
    into the same Zarr chunk (or shard), or in ``mode="r+"`` a block would write part of a
    chunk: the writes xarray's zarr engine refuses with a ``ValueError``. The message names
    the variable, the dimension, the chunk and block sizes. zarrc itself would store them
    correctly (under its chunk locks): ``safe_chunks=False`` allows them."""
