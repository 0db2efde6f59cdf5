"""zarr-python's ``zarr.core`` paths, for code that imports from them.

``zarrc.core.metadata`` (``ArrayV2Metadata``, ``ArrayV3Metadata``), ``zarrc.core.group``
(``GroupMetadata``, ``ConsolidatedMetadata``), ``zarrc.core.dtype`` (the data type classes) and
``zarrc.core.buffer`` (``Buffer``) hold what zarr-python users reach for there.
"""
