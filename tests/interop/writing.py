"""Write interop cases and the test tree with zarrc or zarr-python (one code path for both).

``lib`` is ``"zarrc"`` or ``"zarr"`` (zarr-python 3). Imports of the libraries are lazy so the
helpers load even where one of them is missing.
"""

from __future__ import annotations

import cases


def zarr_kwargs(case):
    """``zarr.create_array`` keyword arguments for ``case`` (numcodecs objects for v2)."""
    import numcodecs

    kw = case.zarrc_kwargs()
    if case.fmt == 2:
        c = case.v2_codecs()
        kw["compressors"] = None if c["compressor"] is None else [
            numcodecs.get_codec(dict(c["compressor"]))]
        kw["filters"] = None if c["filters"] is None else [
            numcodecs.get_codec(dict(f)) for f in c["filters"]]
        kw["chunk_key_encoding"] = {"name": "v2", "separator": kw.pop("dimension_separator")}
    return kw


def write_region(arr, case):
    """Write the case's data into its region (nothing for never-written cases)."""
    sel = case.selection()
    if sel is not None:
        arr[sel] = case.data()[sel]


def write_case(case, path, lib, parent=None, name=None):
    """Create the array of ``case`` at ``path`` (or as ``parent[name]``) and write its data."""
    if lib == "zarr":
        import zarr as mod

        kw = zarr_kwargs(case)
    else:
        import zarrc as mod

        kw = case.zarrc_kwargs()
    if parent is None:
        arr = mod.create_array(str(path), **kw)
    else:
        kw.pop("zarr_format")  # a member has its group's format
        arr = parent.create_array(name, **kw)
    write_region(arr, case)
    return arr


def write_tree(fmt, path, lib):
    """Write the tree of cases.TREE_GROUPS / cases.tree_arrays(fmt) with ``lib``."""
    attrs = cases.TREE_GROUPS
    if lib == "zarr":
        import zarr

        root = zarr.open_group(str(path), mode="w", zarr_format=fmt, attributes=attrs[""])
    else:
        import zarrc

        root = zarrc.group(str(path), zarr_format=fmt, attributes=attrs[""])
    for gpath in sorted(p for p in attrs if p):
        parent, _, name = gpath.rpartition("/")
        g = (root[parent] if parent else root).create_group(name)
        g.attrs.update(attrs[gpath])
    for apath, case in cases.tree_arrays(fmt).items():
        parent, _, name = apath.rpartition("/")
        write_case(case, None, lib, parent=root[parent] if parent else root, name=name)
    return root
