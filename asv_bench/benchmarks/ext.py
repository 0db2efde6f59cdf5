"""Benchmarks of the C kernels in zarrc._ext, each beside the NumPy operation it replaces."""

from types import SimpleNamespace

import numpy as np

from zarrc._ext import slow
from zarrc._ext.byteswap import byteswap_copy
from zarrc._ext.copy import copy_view
from zarrc._ext.delta import delta_decode, delta_encode
from zarrc._ext.fill import fill_view
from zarrc._ext.shuffle import shuffle_decode, shuffle_encode

SIDE = 1024  # 2-d arrays are SIDE x SIDE items
# each kernel beside its pure-NumPy twin (the NumPy operation it replaces)
IMPLS = {
    "zarrc": SimpleNamespace(copy_view=copy_view, fill_view=fill_view,
                             shuffle_encode=shuffle_encode, shuffle_decode=shuffle_decode,
                             delta_encode=delta_encode, delta_decode=delta_decode,
                             byteswap_copy=byteswap_copy),
    "numpy": slow,
}


def _random(shape, dtype):
    """Seeded random bytes viewed as `dtype`."""
    dtype = np.dtype(dtype)
    rng = np.random.default_rng(42)
    nbytes = int(np.prod(shape)) * dtype.itemsize
    return rng.integers(0, 256, nbytes, dtype=np.uint8).view(dtype).reshape(shape)


def _copy_case(layout, dtype):
    """(dst, src) for one layout of a chunk <-> output copy."""
    if layout == "contiguous":
        return np.empty((SIDE, SIDE), dtype), _random((SIDE, SIDE), dtype)
    if layout == "strided":  # a strided selection out of a bigger chunk
        return np.empty((SIDE // 2, SIDE // 2), dtype), _random((SIDE, SIDE), dtype)[::2, ::-2]
    if layout == "transposed":  # a C chunk into an F-ordered output
        return np.empty((SIDE, SIDE), dtype), _random((SIDE, SIDE), dtype).T
    if layout == "edge":  # a partial chunk into the middle of an output
        return np.empty((SIDE, SIDE), dtype)[3:-5, 7:-1], _random((SIDE - 8, SIDE - 8), dtype)
    if layout == "broadcast":  # a scalar spread over a region
        return np.empty((SIDE, SIDE), dtype), np.broadcast_to(_random((1,), dtype), (SIDE, SIDE))
    raise ValueError(layout)


class CopyView:
    params = (["contiguous", "strided", "transposed", "edge", "broadcast"],
              ["u1", "f4", "f8", "c16", "V3"], list(IMPLS))
    param_names = ["layout", "dtype", "impl"]

    def setup(self, layout, dtype, impl):
        self.dst, self.src = _copy_case(layout, dtype)
        self.copy = IMPLS[impl].copy_view

    def time_copy_view(self, layout, dtype, impl):
        self.copy(self.dst, self.src)


class FillView:
    params = (["contiguous", "strided"], ["u1", "f8", "V3"], ["zero", "nonzero"], list(IMPLS))
    param_names = ["layout", "dtype", "value", "impl"]

    def setup(self, layout, dtype, value, impl):
        dst = np.empty((SIDE, SIDE), dtype)
        self.dst = dst if layout == "contiguous" else dst[:, ::3]
        itemsize = np.dtype(dtype).itemsize
        self.value = bytes(itemsize) if value == "zero" else bytes(range(1, itemsize + 1))
        self.fill = IMPLS[impl].fill_view

    def time_fill_view(self, layout, dtype, value, impl):
        self.fill(self.dst, self.value)


class Shuffle:
    params = ([2, 4, 8, 16], ["encode", "decode"], list(IMPLS))
    param_names = ["elementsize", "direction", "impl"]

    def setup(self, elementsize, direction, impl):
        self.src = _random((SIDE * SIDE * 4,), "u1")
        self.dst = np.empty_like(self.src)
        self.run = getattr(IMPLS[impl], f"shuffle_{direction}")

    def time_shuffle(self, elementsize, direction, impl):
        self.run(self.src, self.dst, elementsize)


class Delta:
    params = (["i1", "i4", "i8", "f4", "f8"], ["encode", "decode"], list(IMPLS))
    param_names = ["dtype", "direction", "impl"]

    def setup(self, dtype, direction, impl):
        self.src = _random((SIDE * SIDE,), dtype)
        self.dst = np.empty_like(self.src)
        self.run = getattr(IMPLS[impl], f"delta_{direction}")
        np.seterr(all="ignore")

    def time_delta(self, dtype, direction, impl):
        self.run(self.src, self.dst)


class Byteswap:
    params = ([2, 4, 8, 16], list(IMPLS))
    param_names = ["element_size", "impl"]

    def setup(self, element_size, impl):
        self.src = _random((SIDE * SIDE * 4,), "u1")
        self.dst = np.empty_like(self.src)
        self.run = IMPLS[impl].byteswap_copy

    def time_byteswap_copy(self, element_size, impl):
        self.run(self.src, self.dst, element_size)
