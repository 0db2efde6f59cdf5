"""Store key names of the metadata documents of both Zarr formats.

These are data of the specs (v2: ``.zarray``/``.zgroup``/``.zattrs`` and the consolidated
``.zmetadata``; v3: one ``zarr.json`` per node), kept in one place so no layer spells them.
"""

from __future__ import annotations

__all__ = ["ZARRAY", "ZGROUP", "ZATTRS", "ZMETADATA", "ZARR_JSON"]

ZARRAY = ".zarray"
ZGROUP = ".zgroup"
ZATTRS = ".zattrs"
ZMETADATA = ".zmetadata"
ZARR_JSON = "zarr.json"
