"""Categorical string filter (numcodecs ``Categorize``).

Spec: numcodecs 0.16 ``Categorize(labels, dtype, astype="u1")``, array→array: each element
equal to ``labels[i]`` becomes ``i + 1`` and every other element ``0``, stored as the integer
type ``astype``; decoding maps ``0`` back to ``""``.  ``dtype`` is a unicode (``"<U4"``) or
object (``"|O"``) type.  Names: v2 id ``categorize``; v3 name ``numcodecs.categorize``, by the
convention of the other wrappers, although zarr-python 3.1.6 has no such wrapper.

Limitation: zarrc arrays cannot have an object dtype yet, and its v3 arrays no string dtype, so
the codec works on arrays only for v2 fixed-width unicode (``<U…``) data; the codec itself
(encode/decode) handles object arrays of ``str`` too, byte-identically to numcodecs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from zarrc.codecs._numcodecs import (
    NumcodecsFilter,
    deliver_array,
    flat_view,
    parse_dtype,
    raw_dtype,
    shaped,
)
from zarrc.codecs.base import ChunkSpec
from zarrc.errors import CodecError

__all__ = ["CategorizeCodec"]


def _label_text(label: Any) -> str:
    if isinstance(label, str):
        return label
    if isinstance(label, (bytes, bytearray)):  # numcodecs' ensure_text decodes UTF-8
        return bytes(label).decode("utf-8")
    raise CodecError(f"codec 'categorize': labels must be strings, got {label!r}")


class CategorizeCodec(NumcodecsFilter):
    """Strings from a fixed list of labels stored as their 1-based index (0: other)."""

    name = "numcodecs.categorize"
    codec_id = "categorize"

    def __init__(self, *, labels: Any, dtype: Any, astype: Any = "u1") -> None:
        self.dtype = parse_dtype("categorize", "dtype", dtype, allow_object=True)
        if self.dtype.kind not in "UO":
            raise CodecError(
                f"codec 'categorize': 'dtype' must be unicode ('U') or object ('O'), got "
                f"{self.dtype}"
            )
        if isinstance(labels, (str, bytes)):
            raise CodecError("codec 'categorize': 'labels' must be a list of strings")
        try:
            self.labels = [_label_text(label) for label in labels]
        except TypeError:
            raise CodecError("codec 'categorize': 'labels' must be a list of strings") from None
        self.astype = parse_dtype("categorize", "astype", astype)  # object is refused
        self._raw = {"labels": list(self.labels), "dtype": raw_dtype(dtype)}
        self._raw["astype"] = raw_dtype(astype)

    def get_config_v2(self) -> dict[str, Any]:
        return {"labels": list(self.labels), "dtype": self.dtype.str, "astype": self.astype.str}

    def evolve(self, spec: ChunkSpec) -> CategorizeCodec:
        if spec.dtype.kind not in "UO":
            raise CodecError(f"codec 'categorize' needs a string array, got {spec.dtype}")
        return self

    def resolve(self, spec: ChunkSpec) -> ChunkSpec:
        return ChunkSpec(spec.shape, self.astype, "C", None)

    def _values(self, data: Any) -> np.ndarray:
        if self.dtype.hasobject:
            return np.asarray(data, dtype=object).reshape(-1)
        return flat_view(data, self.dtype)

    def encode(self, data: np.ndarray) -> np.ndarray:
        arr = self._values(data)
        enc = np.zeros(arr.shape, dtype=self.astype)
        for i, label in enumerate(self.labels):
            enc[arr == label] = i + 1
        return shaped(enc, data)

    def decode(self, data: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        enc = flat_view(data, self.astype)
        dec = np.full(enc.shape, "", dtype=self.dtype)
        for i, label in enumerate(self.labels):
            dec[enc == i + 1] = label
        return deliver_array(shaped(dec, data), out)
