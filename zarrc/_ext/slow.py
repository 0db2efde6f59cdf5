"""Pure-NumPy twins of the C kernels in :mod:`zarrc._ext`.

Same names, signatures, results and exception types as the Cython wrappers; slower, but short
enough to read as the specification.  They are the oracle of the property tests (DESIGN.md
principle 7) and a fallback for dtypes the kernels do not cover.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from typing import TypeAlias

    from typing_extensions import Buffer

    # As the kernels' stubs (copy.pyi): numpy declares the buffer protocol (__buffer__) to type
    # checkers only for Python >= 3.12.
    _Buf: TypeAlias = Buffer | npt.NDArray[Any]

__all__ = [
    "copy_view",
    "fill_view",
    "byteswap_inplace",
    "byteswap_copy",
    "shuffle_encode",
    "shuffle_decode",
    "delta_encode",
    "delta_decode",
]

_DELTA_SIZES = {"i": (1, 2, 4, 8), "u": (1, 2, 4, 8), "f": (4, 8)}


def _array(obj: _Buf, what: str, name: str, writable: bool = False) -> npt.NDArray[Any]:
    """`obj` as an ndarray sharing its memory, refusing object dtypes and read-only targets."""
    if isinstance(obj, np.ndarray):
        arr = obj
    else:
        try:
            arr = np.asarray(memoryview(obj))
        except (BufferError, ValueError) as exc:
            raise ValueError(f"{what}: {name} is not a usable buffer ({exc})") from exc
    if arr.dtype.hasobject:
        raise TypeError(f"{what}: {name} holds Python objects, which cannot be copied as bytes")
    if writable and not arr.flags.writeable:
        raise ValueError(f"{what}: {name} must be a writable buffer")
    return arr


def _flat(obj: _Buf, what: str, name: str, writable: bool = False) -> npt.NDArray[Any]:
    """The items of a contiguous buffer as a 1-d array, in memory order."""
    arr = _array(obj, what, name, writable)
    if not (arr.flags.c_contiguous or arr.flags.f_contiguous):
        raise ValueError(f"{what}: {name} must be a contiguous buffer")
    return arr.reshape(-1, order="A")


def _bytes(obj: _Buf, what: str, name: str, writable: bool = False) -> npt.NDArray[np.uint8]:
    """The memory of a contiguous buffer as a 1-d uint8 array."""
    return _flat(obj, what, name, writable).view(np.uint8)


def _item_bytes(value: _Buf) -> bytes:
    """The bytes of ``value`` (an ndarray is a Buffer at run time; numpy's stubs say so only
    for Python >= 3.12)."""
    return bytes(memoryview(cast("Buffer", value)))


def _as_void(arr: npt.NDArray[Any]) -> npt.NDArray[np.void]:
    """View items as opaque bytes so assignment copies them whatever the dtype."""
    return arr.view(np.dtype((np.void, arr.itemsize)))


def copy_view(dst: _Buf, src: _Buf) -> None:
    """Copy `src` into `dst` (same shape and itemsize, any strides); see zarrc._ext.copy."""
    d = _array(dst, "copy_view", "dst", writable=True)
    s = _array(src, "copy_view", "src")
    if d.shape != s.shape:
        raise ValueError(f"copy_view: shape mismatch, dst {d.shape} vs src {s.shape}")
    if d.itemsize != s.itemsize:
        raise ValueError(f"copy_view: itemsize mismatch, dst {d.itemsize} vs src {s.itemsize}")
    if d.itemsize == 0:
        raise ValueError("copy_view: item or element size is not supported")
    _as_void(d)[...] = _as_void(s)


def transpose_into(dst: npt.NDArray[Any], src: npt.NDArray[Any], axes: Sequence[int]) -> None:
    """``dst[...] = src.transpose(axes)``; see zarrc._ext.copy."""
    order = tuple(int(a) for a in axes)
    s = _array(src, "transpose_into", "src")
    if sorted(order) != list(range(s.ndim)):
        raise ValueError(f"transpose_into: axes {order} are not a permutation of {s.ndim} axes")
    copy_view(dst, s.transpose(order))


def fill_view(dst: _Buf, value: _Buf) -> None:
    """Write the item bytes `value` into every element of `dst`; see zarrc._ext.fill."""
    d = _array(dst, "fill_view", "dst", writable=True)
    v = _item_bytes(value)
    if len(v) != d.itemsize:
        raise ValueError(f"fill_view: value has {len(v)} bytes but dst items have {d.itemsize}")
    if d.itemsize == 0:
        raise ValueError("fill_view: item or element size is not supported")
    vd = _as_void(d)
    vd[...] = np.frombuffer(v, dtype=vd.dtype).reshape(())


def fill_equal(src: _Buf, value: _Buf) -> bool:
    """True if every element of `src` has exactly the bytes `value`; see zarrc._ext.fill."""
    a = _array(src, "fill_equal", "src")
    v = _item_bytes(value)
    if len(v) != a.itemsize:
        raise ValueError(f"fill_equal: value has {len(v)} bytes but src items have {a.itemsize}")
    if a.size == 0:
        return True
    items = np.ascontiguousarray(_as_void(a)).reshape(-1)
    return bool((items == np.frombuffer(v, dtype=items.dtype)[0]).all())


def _units(buf: npt.NDArray[np.uint8], element_size: int, what: str) -> npt.NDArray[np.uint8]:
    if element_size < 1:
        raise ValueError(f"{what}: item or element size is not supported")
    if buf.size % element_size:
        raise ValueError(f"{what}: buffer length is not a whole number of items")
    return buf.reshape(-1, element_size)


def byteswap_inplace(buf: _Buf, element_size: int) -> None:
    """Reverse the bytes of each `element_size`-byte unit of `buf`; see zarrc._ext.byteswap."""
    units = _units(_bytes(buf, "byteswap_inplace", "buf", writable=True), element_size,
                   "byteswap_inplace")
    units[...] = units[:, ::-1].copy()


def byteswap_copy(src: _Buf, dst: _Buf, element_size: int) -> None:
    """Write `src` with each `element_size`-byte unit reversed into `dst` (may be `src`)."""
    s = _bytes(src, "byteswap_copy", "src")
    d = _bytes(dst, "byteswap_copy", "dst", writable=True)
    if s.size != d.size:
        raise ValueError(f"byteswap_copy: src has {s.size} bytes but dst has {d.size}")
    _units(d, element_size, "byteswap_copy")[...] = (
        _units(s, element_size, "byteswap_copy")[:, ::-1].copy())


_ShuffleArgs = tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8], int, int]


def _shuffle_args(src: _Buf, dst: _Buf, elementsize: int, what: str) -> _ShuffleArgs:
    s = _bytes(src, what, "src")
    d = _bytes(dst, what, "dst", writable=True)
    if s.size != d.size:
        raise ValueError(f"{what}: src has {s.size} bytes but dst has {d.size}")
    if elementsize < 1:
        raise ValueError(f"{what}: item or element size is not supported")
    if s.size and np.may_share_memory(s, d):
        raise ValueError(f"{what}: source and destination buffers overlap")
    n = s.size // elementsize
    return s, d, n, n * elementsize


def shuffle_encode(src: _Buf, dst: _Buf, elementsize: int) -> None:
    """Byte j of element i goes to j*n + i; leftover bytes copied; see zarrc._ext.shuffle."""
    s, d, n, whole = _shuffle_args(src, dst, elementsize, "shuffle_encode")
    d[:whole] = s[:whole].reshape(n, elementsize).T.reshape(-1)
    d[whole:] = s[whole:]


def shuffle_decode(src: _Buf, dst: _Buf, elementsize: int) -> None:
    """Inverse of :func:`shuffle_encode`."""
    s, d, n, whole = _shuffle_args(src, dst, elementsize, "shuffle_decode")
    d[:whole] = s[:whole].reshape(elementsize, n).T.reshape(-1)
    d[whole:] = s[whole:]


def _delta_args(src: _Buf, dst: _Buf, what: str
                ) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    s = _flat(src, what, "src")
    d = _flat(dst, what, "dst", writable=True)
    for name, arr in (("src", s), ("dst", d)):
        if arr.itemsize not in _DELTA_SIZES.get(arr.dtype.kind, ()):
            raise TypeError(f"{what}: {name} has unsupported dtype {arr.dtype} "
                            "(int8..int64, uint8..uint64, float32 or float64)")
        if not arr.dtype.isnative:
            raise TypeError(f"{what}: {name} is not in native byte order ({arr.dtype.str})")
    if (s.dtype.kind, s.itemsize) != (d.dtype.kind, d.itemsize):
        raise ValueError(f"{what}: src and dst dtypes differ ({s.dtype} and {d.dtype})")
    if s.size != d.size:
        raise ValueError(f"{what}: src has {s.nbytes} bytes but dst has {d.nbytes}")
    return s, d


def delta_encode(src: _Buf, dst: _Buf) -> None:
    """dst[0] = src[0], dst[i] = src[i] - src[i-1] (NumPy wrapping); see zarrc._ext.delta."""
    s, d = _delta_args(src, dst, "delta_encode")
    if s.size:
        diff = np.subtract(s[1:], s[:-1], dtype=s.dtype)
        d[0] = s[0]
        d[1:] = diff


def delta_decode(src: _Buf, dst: _Buf) -> None:
    """Running sum in the same dtype, inverse of :func:`delta_encode`."""
    s, d = _delta_args(src, dst, "delta_decode")
    np.cumsum(s, dtype=s.dtype, out=d.view(s.dtype))
