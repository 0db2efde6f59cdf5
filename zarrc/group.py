"""The Group: a named collection of arrays and groups, with attributes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TypeVar, overload

import numpy as np
import numpy.typing as npt

from zarrc import nodes
from zarrc.array import Array, create_array_node, like_kwargs
from zarrc.core.metadata import public_metadata
from zarrc.errors import (
    ContainsArrayError,
    ContainsGroupError,
    MetadataError,
    NodeNotFoundError,
    ReadOnlyError,
)
from zarrc.info import GroupInfo
from zarrc.metadata import (
    ZARR_JSON,
    ZARRAY,
    ZATTRS,
    ZGROUP,
    ZMETADATA,
    ArrayMetadata,
    GroupMetadata,
    NodeMetadata,
    normalize_shape,
)
from zarrc.nodes import ShapeLike
from zarrc.storage.base import Store

if TYPE_CHECKING:
    from zarrc.core.metadata import GroupMetadata as PublicGroupMetadata

_T = TypeVar("_T")

__all__ = ["Group", "open_node", "create_group_node"]

_METADATA_NAMES = frozenset({ZARR_JSON, ZARRAY, ZATTRS, ZGROUP, ZMETADATA})


def open_node(store: Store, path: str, *, zarr_format: int | None = None,
              read_only: bool = False, metadata: NodeMetadata | None = None,
              write_empty_chunks: bool | None = None) -> Array | Group:
    """The Array or Group at ``path`` (its metadata read unless given)."""
    document: dict[str, Any] | None = None
    if metadata is None:
        metadata, document = nodes.read_node(store, path, zarr_format)
    meta = metadata
    if isinstance(meta, ArrayMetadata):
        return Array(store, path, meta, read_only=read_only,
                     write_empty_chunks=write_empty_chunks, document=document)
    return Group(store, path, meta, read_only=read_only)


def create_group_node(store: Store, path: str, *, zarr_format: int = 3,
                      attributes: dict[str, Any] | None = None,
                      overwrite: bool = False) -> Group:
    """Create a group at ``path`` of ``store`` and open it."""
    if store.read_only:
        raise ReadOnlyError(f"cannot create a group in read-only {store!r}")
    if zarr_format not in (2, 3):
        raise ValueError(f"zarr_format must be 2 or 3, got {zarr_format!r}")
    meta = GroupMetadata(zarr_format=zarr_format, attributes=dict(attributes or {}))
    nodes.create_node(store, path, meta, overwrite=overwrite)
    return Group(store, path, meta)


def _consolidated_entries(meta: GroupMetadata) -> dict[str, Any] | None:
    """``{relative path: metadata}`` from consolidated metadata, or None if there is none."""
    cm = meta.consolidated_metadata
    if cm is None:
        return None
    entries: Any = getattr(cm, "metadata", cm)  # also a plain mapping given by a caller
    return dict(entries)


def _descendant_metadata(entries: dict[str, Any] | None, rel: str) -> NodeMetadata | None:
    """The metadata of ``rel`` from consolidated ``entries`` (None if not there); a group gets
    the entries below it as its own consolidated metadata, as zarr-python does."""
    if entries is None or rel not in entries:
        return None
    meta: NodeMetadata = entries[rel]
    if isinstance(meta, GroupMetadata):
        prefix = rel + "/"
        meta = meta.with_consolidated({k[len(prefix):]: v for k, v in entries.items()
                                       if k.startswith(prefix)})
    return meta


def create_nodes(st: Store, specs: dict[str, Any], *,
                 overwrite: bool = False) -> list[tuple[str, Array | Group]]:
    """Create the nodes ``{path: metadata}`` in store ``st`` and the missing groups above them
    (see :func:`zarrc.create_hierarchy`); ``[(path, node)]``, parents first. Everything is
    checked before anything is written."""
    if st.read_only:
        raise ReadOnlyError(f"cannot create nodes in read-only {st!r}")
    wanted: dict[str, NodeMetadata] = {}
    for path, meta in specs.items():
        internal = _internal_metadata(meta, path)
        wanted[nodes.normalize_path(path)] = internal
    formats = {m.zarr_format for m in wanted.values()}
    if len(formats) > 1:
        raise ValueError("create_hierarchy: all nodes must have the same zarr_format")
    fmt = formats.pop() if formats else 3
    todo: dict[str, NodeMetadata | None] = {}
    for path in wanted:
        parts = path.split("/") if path else []
        for depth in range(len(parts)):
            parent = "/".join(parts[:depth])
            if isinstance(wanted.get(parent), ArrayMetadata):
                raise ContainsArrayError(f"create_hierarchy: {parent!r} is an array, "
                                         f"{path!r} cannot be below it")
            if parent not in wanted:
                todo[parent] = None  # an implicit group: kept if present
    for path in wanted:
        nodes.check_new_path(path)
        todo[path] = wanted[path]
    order = sorted(todo, key=lambda p: (p.count("/") + bool(p), p))
    kinds = {path: nodes.node_kind(st, path) for path in order}
    for path in order:
        kind, meta = kinds[path], todo[path]
        if meta is None and kind == "array":
            raise ContainsArrayError(f"create_hierarchy: {path!r} is an array")
        if meta is not None and kind is not None and not overwrite:
            cls = ContainsArrayError if kind == "array" else ContainsGroupError
            raise cls(f"create_hierarchy: an {kind} already exists at {path!r}")
    created: list[tuple[str, Array | Group]] = []
    for path in order:
        meta = todo[path]
        if meta is None:
            if kinds[path] is None:
                nodes.write_metadata(st, path, GroupMetadata(zarr_format=fmt, attributes={}))
            created.append((path, open_node(st, path)))
            continue
        if kinds[path] is not None:
            st.delete_prefix(f"{path}/" if path else "")
        nodes.write_metadata(st, path, meta)
        created.append((path, open_node(st, path, metadata=meta)))
    return created


def _internal_metadata(meta: Any, path: str) -> NodeMetadata:
    """zarrc's metadata for a node description given to create_hierarchy."""
    if isinstance(meta, (ArrayMetadata, GroupMetadata)):
        return meta
    to_internal = getattr(meta, "to_internal", None)
    if callable(to_internal):
        internal: NodeMetadata = to_internal()
        return internal
    to_dict = getattr(meta, "to_dict", None)
    doc = to_dict() if callable(to_dict) else meta
    if not isinstance(doc, dict):
        raise TypeError(f"create_hierarchy: {path!r}: expected node metadata, got {meta!r}")
    from zarrc.metadata import parse_array_metadata_v2, parse_node_metadata_v3

    if doc.get("zarr_format") == 2:
        if doc.get("node_type") == "group":
            return GroupMetadata(2, dict(doc.get("attributes") or {}))
        attrs = doc.get("attributes")
        return parse_array_metadata_v2({k: v for k, v in doc.items() if k != "attributes"},
                                       attrs, f"{path}/.zarray")
    return parse_node_metadata_v3(doc, f"{path}/zarr.json")


class Group(nodes.Node):
    """A Zarr group (v2 or v3). Create or open one with ``zarrc.group`` / ``zarrc.open_group``."""

    _kind = "group"
    _metadata: GroupMetadata

    def __init__(self, store: Store, path: str, metadata: GroupMetadata, *,
                 read_only: bool = False) -> None:
        self._store = store
        self._path = path
        self._metadata = metadata
        self._read_only = bool(read_only or store.read_only)

    def _adopt(self, meta: NodeMetadata, document: dict[str, Any] | None = None) -> None:
        assert isinstance(meta, GroupMetadata)  # _reread refuses a node replaced by an array
        if meta.zarr_format == 2:  # v2 keeps consolidated metadata in .zmetadata: keep ours
            meta = meta.with_consolidated(_consolidated_entries(self._metadata))
        self._metadata = meta

    # -- properties -------------------------------------------------------------------------
    @property
    def metadata(self) -> PublicGroupMetadata:
        """zarr-python's ``GroupMetadata`` (consolidated metadata nested in it);
        ``to_dict()`` is the stored document."""
        meta: PublicGroupMetadata = public_metadata(self._metadata)
        return meta

    # -- members ----------------------------------------------------------------------------
    def _child(self, name: str) -> str:
        return nodes.join_path(self._path, name)

    def _member_metadata(self) -> dict[str, Any]:
        """``{name: metadata}`` of the direct members, from consolidated metadata if present."""
        entries = _consolidated_entries(self._metadata)
        if entries is not None:
            return {k: v for k, v in entries.items() if k and "/" not in k}
        found: dict[str, Any] = {}
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

    def __getitem__(self, name: str) -> Array | Group:
        rel = nodes.normalize_path(name)
        meta = _descendant_metadata(_consolidated_entries(self._metadata), rel)
        try:
            return self._open_member(rel, meta, zarr_format=self.zarr_format)
        except NodeNotFoundError:
            raise NodeNotFoundError(f"no member {name!r} in group {self.name!r}") from None

    # (document key, entry prefix) of the consolidated metadata this group came from
    _consolidated_in: tuple[str, str] | None = None

    def _open_member(self, rel: str, meta: NodeMetadata | None,
                     **kwargs: Any) -> Array | Group:
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

    def _consolidated_source(self) -> tuple[str, str]:
        if self._consolidated_in is not None:
            return self._consolidated_in
        if self.zarr_format == 2:
            return nodes.key_of(self._path, ZMETADATA), ""
        return f"{nodes.key_of(self._path, ZARR_JSON)}[consolidated_metadata]", ""

    @overload
    def get(self, name: str) -> Array | Group | None: ...
    @overload
    def get(self, name: str, default: _T) -> Array | Group | _T: ...

    def get(self, name: str, default: Any = None) -> Any:
        """The member ``name``, or ``default`` if there is none."""
        try:
            return self[name]
        except KeyError:
            return default

    def __contains__(self, name: str) -> bool:
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

    def members(self, max_depth: int | None = 0, *,
                use_consolidated_for_children: bool = True
                ) -> tuple[tuple[str, Array | Group], ...]:
        """``(path, node)`` pairs of the members, sorted: the direct members with
        ``max_depth=0`` (the default), every descendant with ``None``, ``n`` levels below
        the direct members otherwise. Paths are relative to this group."""
        if max_depth is not None and max_depth < 0:
            raise ValueError(f"max_depth must be None or >= 0, got {max_depth}")
        entries = _consolidated_entries(self._metadata)
        if entries is None:  # read from the members' own documents
            found = [(name, open_node(self._store, self._child(name), metadata=meta,
                                      read_only=self._read_only))
                     for name, meta in sorted(self._member_metadata().items())]
        else:
            found = [(name, self._open_member(name, _descendant_metadata(entries, name)))
                     for name in sorted(self._member_metadata())]
        if max_depth is None or max_depth > 0:  # as zarr-python: each level's members first
            deeper = None if max_depth is None else max_depth - 1
            for name, node in list(found):
                if isinstance(node, Group):
                    found += [(f"{name}/{sub}", child) for sub, child in node.members(deeper)]
        return tuple(found)

    def nmembers(self, max_depth: int | None = 0) -> int:
        """How many members :meth:`members` gives for ``max_depth``."""
        if max_depth == 0:
            return len(self._member_metadata())
        return len(self.members(max_depth))

    def arrays(self) -> tuple[tuple[str, Array], ...]:
        return tuple((n, m) for n, m in self.members() if isinstance(m, Array))

    def groups(self) -> tuple[tuple[str, Group], ...]:
        return tuple((n, m) for n, m in self.members() if isinstance(m, Group))

    def array_keys(self) -> tuple[str, ...]:
        return tuple(sorted(n for n, m in self._member_metadata().items()
                            if isinstance(m, ArrayMetadata)))

    def group_keys(self) -> tuple[str, ...]:
        return tuple(sorted(n for n, m in self._member_metadata().items()
                            if isinstance(m, GroupMetadata)))

    def array_values(self) -> Iterator[Array]:
        """The member arrays, in name order."""
        return (m for _, m in self.arrays())

    def group_values(self) -> Iterator[Group]:
        """The member groups, in name order."""
        return (m for _, m in self.groups())

    def __setitem__(self, name: str, value: Any) -> None:
        """``g[name] = data``: store ``data`` as a new array (replacing what is there)."""
        self.create_array(name, data=value, overwrite=True)

    def move(self, source: str, dest: str) -> None:
        """Move the member at ``source`` (an array or group, with everything below it) to
        ``dest``, both relative to this group; missing parents of ``dest`` become groups."""
        self._check_writable()
        if not nodes.normalize_path(source) or not nodes.normalize_path(dest):
            raise ValueError("move: source and dest must name members, not the group itself")
        src, dst = self._child(source), self._child(dest)
        if nodes.node_kind(self._store, src) is None:
            raise NodeNotFoundError(f"no member {source!r} in group {self.name!r}")
        kind = nodes.node_kind(self._store, dst)
        if kind is not None:
            cls = ContainsArrayError if kind == "array" else ContainsGroupError
            raise cls(f"cannot move {source!r} to {dest!r}: an {kind} is there")
        if dst == src or dst.startswith(src + "/"):
            raise ValueError(f"cannot move {source!r} into itself ({dest!r})")
        nodes.check_new_path(dst)
        nodes.make_parents(self._store, dst, self.zarr_format)
        for key in self._store.list_prefix(src + "/"):
            self._store.set(dst + key[len(src):], self._store.get(key))
        self._store.delete_prefix(src + "/")

    def __delitem__(self, name: str) -> None:
        self._check_writable()
        path = self._child(name)
        with nodes.node_lock(self._store, path):
            if nodes.node_kind(self._store, path) is None:
                raise NodeNotFoundError(f"no member {name!r} in group {self.name!r}")
            self._store.delete_prefix(path + "/")

    # -- creating members -------------------------------------------------------------------
    def create_array(self, name: str, *, overwrite: bool = False, **create_kwargs: Any) -> Array:
        """Create an array member; ``zarr_format`` follows the group's."""
        self._check_writable()
        create_kwargs.setdefault("zarr_format", self.zarr_format)
        return create_array_node(self._store, self._child(name), overwrite=overwrite,
                                 **create_kwargs)

    create = create_array

    def create_dataset(self, name: str, **kwargs: Any) -> Array:
        """zarr-python 2's spelling of :meth:`create_array` (``data=`` accepted)."""
        return self.create_array(name, **kwargs)

    def _filled(self, name: str, fill_value: Any, kwargs: dict[str, Any]) -> Array:
        kwargs.setdefault("dtype", "float64")
        return self.create_array(name, fill_value=fill_value, **kwargs)

    def zeros(self, *, name: str, shape: ShapeLike, **kwargs: Any) -> Array:
        """A member array reading as zeros (nothing stored)."""
        return self._filled(name, 0, {"shape": shape, **kwargs})

    def ones(self, *, name: str, shape: ShapeLike, **kwargs: Any) -> Array:
        """A member array reading as ones (nothing stored)."""
        return self._filled(name, 1, {"shape": shape, **kwargs})

    def full(self, *, name: str, shape: ShapeLike, fill_value: Any, **kwargs: Any) -> Array:
        """A member array reading as ``fill_value`` everywhere (nothing stored)."""
        kwargs.setdefault("dtype", np.asarray(fill_value).dtype)
        return self._filled(name, fill_value, {"shape": shape, **kwargs})

    def empty(self, *, name: str, shape: ShapeLike, **kwargs: Any) -> Array:
        """A member array with unspecified contents (it reads as the fill value)."""
        kwargs.setdefault("dtype", "float64")
        return self.create_array(name, shape=shape, **kwargs)

    def array(self, name: str, *, data: npt.ArrayLike | Array | None = None,
              **kwargs: Any) -> Array:
        """A member array holding ``data`` (or created from ``shape``/``dtype``)."""
        return self.create_array(name, data=data, **kwargs)

    def _like(self, name: str, data: Any, fill: Any, kwargs: dict[str, Any]) -> Array:
        merged = {**like_kwargs(data), **kwargs}
        if fill is not None:
            merged["fill_value"] = fill
        return self.create_array(name, **merged)

    def zeros_like(self, *, name: str, data: Any, **kwargs: Any) -> Array:
        return self._like(name, data, 0, kwargs)

    def ones_like(self, *, name: str, data: Any, **kwargs: Any) -> Array:
        return self._like(name, data, 1, kwargs)

    def full_like(self, *, name: str, data: Any, **kwargs: Any) -> Array:
        return self._like(name, data, kwargs.pop("fill_value", None), kwargs)

    def empty_like(self, *, name: str, data: Any, **kwargs: Any) -> Array:
        return self._like(name, data, None, kwargs)

    def create_group(self, name: str, *, overwrite: bool = False,
                     attributes: dict[str, Any] | None = None) -> Group:
        self._check_writable()
        return create_group_node(self._store, self._child(name), zarr_format=self.zarr_format,
                                 attributes=attributes, overwrite=overwrite)

    def create_hierarchy(self, nodes_spec: dict[str, Any], *, overwrite: bool = False
                         ) -> Iterator[tuple[str, Array | Group]]:
        """Create the nodes ``{path: metadata}`` below this group (see
        :func:`zarrc.create_hierarchy`); yields ``(path, node)`` relative to this group."""
        self._check_writable()
        prefix = f"{self._path}/" if self._path else ""
        created = create_nodes(self._store, {prefix + k.strip("/"): v
                                             for k, v in nodes_spec.items()}, overwrite=overwrite)
        return iter([(path[len(prefix):], node) for path, node in created
                     if path.startswith(prefix) and path != self._path])

    def require_groups(self, *names: str) -> tuple[Group, ...]:
        return tuple(self.require_group(n) for n in names)

    def require_group(self, name: str, *, attributes: dict[str, Any] | None = None) -> Group:
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
        found = open_node(self._store, path, read_only=self._read_only)
        if not isinstance(found, Group):  # an array was created there meanwhile
            raise ContainsArrayError(f"{path!r} is an array, not a group")
        return found

    def require_array(self, name: str, **create_kwargs: Any) -> Array:
        """The member array ``name``, created with ``create_kwargs`` if absent; an existing
        one must have the requested ``shape`` and a dtype ``dtype`` casts to (TypeError)."""
        path = self._child(name)
        kind = nodes.node_kind(self._store, path)
        if kind == "group":
            raise ContainsGroupError(f"{path!r} is a group, not an array")
        if kind is None:
            try:
                return self.create_array(name, **create_kwargs)
            except ContainsArrayError:  # another writer created it first: use theirs
                pass
        found = open_node(self._store, path, read_only=self._read_only)
        if not isinstance(found, Array):  # a group was created there meanwhile
            raise ContainsGroupError(f"{path!r} is a group, not an array")
        shape = create_kwargs.get("shape")
        if shape is not None and normalize_shape(shape) != found.shape:
            raise TypeError(f"array {path!r} has shape {found.shape}, not "
                            f"{normalize_shape(shape)}")
        dtype = create_kwargs.get("dtype")
        if dtype is not None and not np.can_cast(found.dtype, np.dtype(dtype)):
            raise TypeError(f"array {path!r} has dtype {found.dtype}, which does not cast "
                            f"to {np.dtype(dtype)}")
        return found

    require_dataset = require_array

    # -- display ----------------------------------------------------------------------------
    def tree(self, expand: Any = None, level: int | None = None, *,
             max_depth: int | None = None, **_ignored: Any) -> Tree:
        """A printable tree of the hierarchy below this group, ``level`` (zarr-python's
        name) or ``max_depth`` levels deep."""
        return Tree(self, level if level is not None else max_depth)

    def _info(self, members: list[Any] | None) -> GroupInfo:
        counts: dict[str, int] = {}
        if members is not None:
            groups = sum(isinstance(m, (Group, GroupMetadata)) for m in members)
            counts = {"count_members": len(members), "count_arrays": len(members) - groups,
                      "count_groups": groups}
        return GroupInfo(name=self._path, zarr_format=self.zarr_format,
                         read_only=self.read_only, store_type=type(self._store).__name__,
                         **counts)

    @property
    def info(self) -> GroupInfo:
        """A printable summary (zarr-python's layout); member counts when the group has
        consolidated metadata, else see :meth:`info_complete`."""
        entries = _consolidated_entries(self._metadata)
        return self._info(None if entries is None else list(entries.values()))

    def info_complete(self) -> GroupInfo:
        """:attr:`info` with the number of members, arrays and groups below the group."""
        return self._info([node for _, node in self.members(max_depth=None)])

    def __repr__(self) -> str:
        return f"<Group {self.store_path}>"


class Tree:
    """``group.tree()``: the hierarchy as indented text."""

    def __init__(self, group: Group, max_depth: int | None) -> None:
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
        return "\n".join([self._group.name, *self._lines(self._group, "", 1)]) + "\n"

    __repr__ = __str__
