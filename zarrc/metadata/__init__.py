"""Zarr metadata as frozen data plus ``parse_*`` validators (JSON in, typed out).

This package knows both formats' documents - v2 ``.zarray``/``.zgroup``/``.zattrs``/
``.zmetadata`` and v3 ``zarr.json`` - and nothing above them: it holds codec configurations
as dicts, never codec objects, and imports only :mod:`zarrc.errors`, NumPy and the stdlib.
"""

from zarrc.metadata.array import ArrayMetadata
from zarrc.metadata.chunk_grid import (
    RegularChunkGrid,
    guess_chunks,
    normalize_chunks,
    normalize_shape,
    parse_chunk_grid,
)
from zarrc.metadata.chunk_key import ChunkKeyEncoding, parse_chunk_key_encoding
from zarrc.metadata.dtype import (
    dtype_to_v2,
    dtype_to_v3,
    normalize_dtype,
    parse_dtype_v2,
    parse_dtype_v3,
)
from zarrc.metadata.fill_value import (
    default_fill_value,
    fill_value_to_json,
    normalize_fill_value,
    parse_fill_value,
)
from zarrc.metadata.group import (
    ConsolidatedMetadata,
    GroupMetadata,
    NodeMetadata,
    consolidated_to_json_v2,
    consolidated_to_json_v3,
    parse_consolidated_v2,
    parse_consolidated_v3,
    parse_group_metadata_v2,
    parse_group_metadata_v3,
    parse_node_metadata_v3,
)
from zarrc.metadata.jsonio import dump_json, parse_json
from zarrc.metadata.keys import ZARR_JSON, ZARRAY, ZATTRS, ZGROUP, ZMETADATA
from zarrc.metadata.rectilinear import RectilinearChunkGrid, is_rectilinear_chunks
from zarrc.metadata.v2 import parse_array_metadata_v2
from zarrc.metadata.v3 import parse_array_metadata_v3, parse_codecs

__all__ = [
    "ArrayMetadata",
    "RectilinearChunkGrid",
    "is_rectilinear_chunks",
    "GroupMetadata",
    "ConsolidatedMetadata",
    "NodeMetadata",
    "RegularChunkGrid",
    "ChunkKeyEncoding",
    "parse_array_metadata_v2",
    "parse_array_metadata_v3",
    "parse_group_metadata_v2",
    "parse_group_metadata_v3",
    "parse_node_metadata_v3",
    "parse_consolidated_v2",
    "parse_consolidated_v3",
    "consolidated_to_json_v2",
    "consolidated_to_json_v3",
    "parse_codecs",
    "parse_chunk_grid",
    "parse_chunk_key_encoding",
    "parse_dtype_v2",
    "parse_dtype_v3",
    "dtype_to_v2",
    "dtype_to_v3",
    "normalize_dtype",
    "parse_fill_value",
    "fill_value_to_json",
    "normalize_fill_value",
    "default_fill_value",
    "normalize_shape",
    "guess_chunks",
    "normalize_chunks",
    "parse_json",
    "dump_json",
    "ZARRAY",
    "ZGROUP",
    "ZATTRS",
    "ZMETADATA",
    "ZARR_JSON",
]
