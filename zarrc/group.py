"""The Group: a named collection of arrays and groups, with attributes."""

from __future__ import annotations

from collections.abc import Iterator

from zarrc import nodes
from zarrc.array import Array, create_array_node
from zarrc.errors import (
    ContainsArrayError,
    ContainsGroupError,
    MetadataError,
    NodeNotFoundError,
    ReadOnlyError,
)
from zarrc.metadata import (
    ZARR_JSON,
    ZARRAY,
    ZATTRS,
    ZGROUP,
    ZMETADATA,
    ArrayMetadata,
    GroupMetadata,
)

__all__ = ["Group", "open_node", "create_group_node"]

_METADATA_NAMES = frozenset({ZARR_JSON, ZARRAY, ZATTRS, ZGROUP, ZMETADATA})


def open_node(store, path: str, *, zarr_format: int | None = None, read_only: bool = False,
              metadata=None, write_empty_chunks: bool = False):
    """The Array or Group at ``path`` (its metadata read unless given)."""
    document = None
    if metadata is None:
        metadata, document = nodes.read_node(store, path, zarr_format)
    meta = metadata
    if isinstance(meta, ArrayMetadata):
        return Array(store, path, meta, read_only=read_only, write_empty_chunks=write_empty_chunks,
                     document=document)
    return Group(store, path, meta, read_only=read_only)


def create_group_node(store, path: str, *, zarr_format: int = 3, attributes=None,
                      overwrite: bool = False) -> Group:
    """Create a group at ``path`` of ``store`` and open it."""
    if store.read_only:
        raise ReadOnlyError(f"cannot create a group in read-only {store!r}")
    if zarr_format not in (2, 3):
        raise ValueError(f"zarr_format must be 2 or 3, got {zarr_format!r}")
    meta = GroupMetadata(zarr_format=zarr_format, attributes=dict(attributes or {}))
    nodes.create_node(store, path, meta, overwrite=overwrite)
    return Group(store, path, meta)


def _consolidated_entries(meta: GroupMetadata) -> dict | None:
    """``{relative path: metadata}`` from consolidated metadata, or None if there is none."""
    cm = meta.consolidated_metadata
    if cm is None:
        return None
    return dict(getattr(cm, "metadata", cm))


def _descendant_metadata(entries: dict | None, rel: str):
    """The metadata of ``rel`` from consolidated ``entries`` (None if not there); a group gets
    the entries below it as its own consolidated metadata, as zarr-python does."""
    if entries is None or rel not in entries:
        return None
    meta = entries[rel]
    if isinstance(meta, GroupMetadata):
        prefix = rel + "/"
        meta = meta.with_consolidated({k[len(prefix):]: v for k, v in entries.items()
                                       if k.startswith(prefix)})
    return meta


class Group(nodes.Node):
    """A Zarr group (v2 or v3). Create or open one with ``zarrc.group`` / ``zarrc.open_group``."""

    _kind = "group"

    def __init__(self, store, path: str, metadata: GroupMetadata, *, read_only: bool = False):
        self._store = store
        self._path = path
        self._metadata = metadata
        self._read_only = bool(read_only or store.read_only)

    def _adopt(self, meta: GroupMetadata, document: dict | None = None) -> None:
        if meta.zarr_format == 2:  # v2 keeps consolidated metadata in .zmetadata: keep ours
            meta = meta.with_consolidated(self._metadata.consolidated_metadata)
        self._metadata = meta

    # -- properties -------------------------------------------------------------------------
    @property
    def metadata(self) -> dict:
        return self._metadata.to_json()

    # -- members ----------------------------------------------------------------------------
    def _child(self, name: str) -> str:
        return nodes.join_path(self._path, name)

    def _member_metadata(self) -> dict:
        """``{name: metadata}`` of the direct members, from consolidated metadata if present."""
        entries = _consolidated_entries(self._metadata)
        if entries is not None:
            return {k: v for k, v in entries.items() if k and "/" not in k}
        found = {}
        prefix = f"{self._path}/" if self._path else ""
        for name in self._store.list_dir(prefix):
            if name in _METADATA_NAMES:
                continue
            try:
                found[name] = nodes.read_node_metadata(self._store, self._child(name),
                                                       self.zarr_format)
            except NodeNotFoundError:
                continue
        return found

    def __getitem__(self, name: str):
        rel = nodes.normalize_path(name)
        meta = _descendant_metadata(_consolidated_entries(self._metadata), rel)
        try:
            return self._open_member(rel, meta, zarr_format=self.zarr_format)
        except NodeNotFoundError:
            raise NodeNotFoundError(f"no member {name!r} in group {self.name!r}") from None

    _consolidated_in: tuple | None = None  # (document key, entry prefix) this group came from

    def _open_member(self, rel: str, meta, **kwargs):
        """Open member ``rel`` (its ``meta`` from consolidated metadata, or None to read it).

        Bad metadata from a consolidated document is reported as coming from there (the
        document and the entry), not from the member's own document."""
        try:
            node = open_node(self._store, self._child(rel), read_only=self._read_only,
                             metadata=meta, **kwargs)
        except MetadataError as exc:
            if meta is None:
                raise
            key, prefix = self._consolidated_source()
            raise type(exc)(f"{key}: entry {prefix + rel!r}: {exc}") from None
        if meta is not None and isinstance(node, Group):
            key, prefix = self._consolidated_source()
            node._consolidated_in = (key, f"{prefix}{rel}/")
        return node

    def _consolidated_source(self) -> tuple:
        if self._consolidated_in is not None:
            return self._consolidated_in
        if self.zarr_format == 2:
            return nodes.key_of(self._path, ZMETADATA), ""
        return f"{nodes.key_of(self._path, ZARR_JSON)}[consolidated_metadata]", ""

    def get(self, name: str, default=None):
        try:
            return self[name]
        except KeyError:
            return default

    def __contains__(self, name) -> bool:
        if not isinstance(name, str):
            return False
        try:
            self[name]
        except (KeyError, ValueError):
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._member_metadata()))

    def keys(self) -> Iterator[str]:
        return iter(self)

    def __len__(self) -> int:
        return len(self._member_metadata())

    def members(self) -> tuple:
        """``(name, node)`` pairs of the direct members, sorted by name."""
        entries = _consolidated_entries(self._metadata)
        if entries is None:  # read from the members' own documents
            return tuple((name, open_node(self._store, self._child(name), metadata=meta,
                                          read_only=self._read_only))
                         for name, meta in sorted(self._member_metadata().items()))
        return tuple((name, self._open_member(name, _descendant_metadata(entries, name)))
                     for name in sorted(self._member_metadata()))

    def arrays(self) -> tuple:
        return tuple((n, m) for n, m in self.members() if isinstance(m, Array))

    def groups(self) -> tuple:
        return tuple((n, m) for n, m in self.members() if isinstance(m, Group))

    def array_keys(self) -> tuple:
        return tuple(n for n, m in self._member_metadata().items() if isinstance(m, ArrayMetadata))

    def group_keys(self) -> tuple:
        return tuple(n for n, m in self._member_metadata().items() if isinstance(m, GroupMetadata))

    def __delitem__(self, name: str) -> None:
        self._check_writable()
        path = self._child(name)
        with nodes.node_lock(self._store, path):
            if nodes.node_kind(self._store, path) is None:
                raise NodeNotFoundError(f"no member {name!r} in group {self.name!r}")
            self._store.delete_prefix(path + "/")

    # -- creating members -------------------------------------------------------------------
    def create_array(self, name: str, *, overwrite: bool = False, **create_kwargs) -> Array:
        """Create an array member; ``zarr_format`` follows the group's."""
        self._check_writable()
        create_kwargs.setdefault("zarr_format", self.zarr_format)
        return create_array_node(self._store, self._child(name), overwrite=overwrite,
                                 **create_kwargs)

    def create_group(self, name: str, *, overwrite: bool = False, attributes=None) -> Group:
        self._check_writable()
        return create_group_node(self._store, self._child(name), zarr_format=self.zarr_format,
                                 attributes=attributes, overwrite=overwrite)

    def require_group(self, name: str, *, attributes=None) -> Group:
        """The member group ``name``, created if absent (an array there is an error)."""
        path = self._child(name)
        kind = nodes.node_kind(self._store, path)
        if kind == "array":
            raise ContainsArrayError(f"{path!r} is an array, not a group")
        if kind is None:
            try:
                return self.create_group(name, attributes=attributes)
            except ContainsGroupError:  # another writer created it first: use theirs
                pass
        return open_node(self._store, path, read_only=self._read_only)

    def require_array(self, name: str, **create_kwargs) -> Array:
        """The member array ``name``, created with ``create_kwargs`` if absent."""
        path = self._child(name)
        kind = nodes.node_kind(self._store, path)
        if kind == "group":
            raise ContainsArrayError(f"{path!r} is a group, not an array")
        if kind is None:
            try:
                return self.create_array(name, **create_kwargs)
            except ContainsArrayError:  # another writer created it first: use theirs
                pass
        return open_node(self._store, path, read_only=self._read_only)

    # -- display ----------------------------------------------------------------------------
    def tree(self, max_depth: int | None = None) -> Tree:
        """A printable tree of the hierarchy below this group."""
        return Tree(self, max_depth)

    @property
    def info(self) -> str:
        return (f"Name        : {self.name}\nType        : Group\nZarr format : {self.zarr_format}"
                f"\nRead-only   : {self.read_only}\nStore type  : {type(self._store).__name__}"
                f"\nNo. members : {len(self)}")

    def __repr__(self) -> str:
        return f"<zarrc.Group {self.name} zarr_format={self.zarr_format}>"


class Tree:
    """``group.tree()``: the hierarchy as indented text."""

    def __init__(self, group: Group, max_depth: int | None):
        self._group = group
        self._max_depth = max_depth

    def _lines(self, group: Group, indent: str, depth: int) -> Iterator[str]:
        members = group.members()
        for i, (name, node) in enumerate(members):
            last = i == len(members) - 1
            branch = "└── " if last else "├── "
            if isinstance(node, Array):
                yield f"{indent}{branch}{name} {node.shape} {node.dtype}"
            else:
                yield f"{indent}{branch}{name}"
                if self._max_depth is None or depth < self._max_depth:
                    yield from self._lines(node, indent + ("    " if last else "│   "), depth + 1)

    def __str__(self) -> str:
        return "\n".join([self._group.name, *self._lines(self._group, "", 1)])

    __repr__ = __str__
