"""zarr-python's ``zarr.core.group`` names: ``GroupMetadata`` and ``ConsolidatedMetadata``."""

from zarrc.core.metadata import ConsolidatedMetadata, GroupMetadata

__all__ = ["ConsolidatedMetadata", "GroupMetadata"]
