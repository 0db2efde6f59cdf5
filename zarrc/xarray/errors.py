"""The error :func:`zarrc.xarray.to_zarr` raises for arguments that do not fit together."""

from __future__ import annotations

from zarrc.errors import BaseZarrError

__all__ = ["ToZarrError"]


class ToZarrError(BaseZarrError):
    """``to_zarr``'s arguments do not fit each other, the Dataset or the store: a mode with
    ``append_dim``/``region`` it excludes, an encoding key xarray's zarr engine does not take,
    a variable whose dimensions or sizes differ from the stored one, ... The message names the
    variable and argument. A ``ValueError`` (as xarray raises them) and a ``ZarrcError``."""
