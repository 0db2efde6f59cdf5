"""Deterministic test data and v2 fill-value decoding shared by every interop peer.

This module depends on NumPy alone (any of 1.26 / 2.x) so that the same formulas run in the main
venv, in the zarr 2.18 peer venv (``zarr2_peer.py``) and in ``tests/data/make_v2_fixtures.py``:
a fixture or a peer records a generator name and its parameters, and the test regenerates the
expected values here instead of trusting stored copies.
"""

from __future__ import annotations

import base64
import math

import numpy as np

# Knuth's multiplicative hash: scrambles the element index so data is not a plain ramp.
_MIX = 2654435761


def _index(n, params):
    """Return the per-element integer driving every generator (ramp or mixed)."""
    i = np.arange(n, dtype=np.int64)
    if params.get("mix"):
        i = (i * _MIX) % (1 << 31)
    return i


def _ramp(n, dtype, params):
    """Fill ``n`` elements of ``dtype`` from ``start + index * step``, cast with NumPy rules."""
    dt = np.dtype(dtype)
    start = params.get("start", 0)
    step = params.get("step", 1)
    i = _index(n, params)
    kind = dt.kind
    if kind == "b":
        return (i % 3 == 0).astype(dt)
    if kind in "iu":
        # int64 arithmetic, then a C cast: wraps identically on every NumPy version.
        return (np.int64(start) + i * np.int64(step)).astype(dt)
    if kind == "f":
        out = (float(start) + i.astype(np.float64) * float(step)).astype(dt)
        return _with_specials(out, params)
    if kind == "c":
        re = float(start) + i.astype(np.float64) * float(step)
        out = (re - 1j * (re / 2)).astype(dt)
        return _with_specials(out, params)
    if kind in "Mm":
        vals = np.int64(start) + i * np.int64(step)
        nat_every = params.get("nat_every")
        if nat_every:
            vals[::nat_every] = np.iinfo(np.int64).min  # NaT
        native = np.dtype(f"{kind}8[{np.datetime_data(dt)[0]}]")
        return vals.view(native).astype(dt)
    if kind == "S":
        vals = [(f"k{v}" if v % 2 else f"{v}").encode()[: dt.itemsize] for v in start + i * step]
        return np.array(vals, dtype=dt)
    if kind == "U":
        width = dt.itemsize // 4
        vals = [("é" + str(v) if v % 2 else "Ω" + str(v) + "z")[:width] for v in start + i * step]
        return np.array(vals, dtype=dt)
    raise ValueError(f"ramp: unsupported dtype {dt.str}")


def _with_specials(out, params):
    """Plant NaN, +inf, -inf and -0.0 at fixed positions when ``params['specials']`` is set."""
    if params.get("specials") and out.size:
        specials = [np.nan, np.inf, -np.inf, -0.0]
        for k, v in enumerate(specials):
            pos = (k * 7 + 1) % out.size
            out[pos] = v if out.dtype.kind == "f" else complex(v, -v if not math.isnan(v) else 1.0)
    return out


GENERATORS = {"ramp": _ramp}


def generate(generator, dtype, shape):
    """Return the full array described by ``generator`` ({"name", "params"}) in C order.

    ``params["blank"]`` (any generator) overwrites a region with one value, e.g. the fill value
    so that a writer may skip that chunk.
    """
    fn = GENERATORS[generator["name"]]
    params = generator.get("params", {})
    n = int(np.prod(shape, dtype=np.int64))
    out = fn(n, dtype, params).reshape(shape)
    blank = params.get("blank")
    if blank:  # {"region": [[start, stop], ...], "value": v2 JSON}: e.g. a chunk equal to fill
        out[region_slices(blank["region"])] = decode_v2_fill(blank["value"], dtype)
    return out


def region_slices(written):
    """Turn a manifest region (list of [start, stop] per dimension) into a tuple of slices."""
    return tuple(slice(a, b) for a, b in written)


def expected_array(dtype, shape, generator, written, fill):
    """Return what a reader must see: ``fill`` everywhere, generated data inside ``written``.

    ``written`` is ``"all"``, ``None`` (nothing ever written) or a region (see `region_slices`).
    """
    dt = np.dtype(dtype)
    data = generate(generator, dt, shape)
    if written == "all":
        return data
    out = np.full(shape, fill if fill is not None else 0, dtype=dt)
    if written is not None:
        sel = region_slices(written)
        out[sel] = data[sel]
    return out


def _decode_float(v):
    """Decode a v2 float fill value (numbers or "NaN" / "Infinity" / "-Infinity")."""
    if isinstance(v, str):
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[v]
    return float(v)


def decode_v2_fill(value, dtype):
    """Decode a zarr v2 ``fill_value`` JSON value into a NumPy scalar of ``dtype`` (or None)."""
    dt = np.dtype(dtype)
    if value is None:
        return None
    if dt.kind == "f":
        return np.array(_decode_float(value), dtype=dt)[()]
    if dt.kind == "c":
        re, im = value
        return np.array(complex(_decode_float(re), _decode_float(im)), dtype=dt)[()]
    if dt.kind == "S":
        return np.array(base64.standard_b64decode(value), dtype=dt)[()]
    if dt.kind in "Mm":
        return np.array(value, dtype="i8").view(dt.newbyteorder("=")).astype(dt)[()]
    return np.array(value, dtype=dt)[()]


def _encode_float(v):
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def encode_v2_fill(value, dtype):
    """Encode a Python/NumPy fill value as zarr v2 JSON (the inverse of `decode_v2_fill`)."""
    dt = np.dtype(dtype)
    if value is None:
        return None
    scalar = np.array(value, dtype=dt)[()]
    if dt.kind == "f":
        return _encode_float(scalar)
    if dt.kind == "c":
        return [_encode_float(scalar.real), _encode_float(scalar.imag)]
    if dt.kind == "S":
        return base64.standard_b64encode(bytes(scalar)).decode("ascii")
    if dt.kind in "Mm":
        return int(np.array(scalar).view("i8"))
    if dt.kind == "b":
        return bool(scalar)
    if dt.kind in "iu":
        return int(scalar)
    return str(scalar)


def fill_bytes(value, dtype):
    """Return the raw bytes of a fill value as ``dtype`` (NaN-safe equality), or None."""
    if value is None:
        return None
    return np.array(value, dtype=dtype).tobytes()


def default_params(dtype):
    """Return ramp parameters that exercise every byte of ``dtype`` while staying exact."""
    dt = np.dtype(dtype)
    if dt.kind in "iu":
        big = {1: 37, 2: 4099, 4: 1_000_003, 8: 1_099_511_627_791}[dt.itemsize]
        return {"start": -(big * 5), "step": big, "mix": True}
    if dt.kind in "fc":
        return {"start": -10.5, "step": 0.25, "specials": True}
    if dt.kind == "M":
        unit = np.datetime_data(dt)[0]
        step = {"ns": 3_600_000_000_123, "s": 86_413, "D": 29}.get(unit, 7)
        return {"start": step * 1000, "step": step, "nat_every": 11}
    if dt.kind == "m":
        return {"start": -500, "step": 37, "nat_every": 13}
    if dt.kind in "SU":
        return {"start": 0, "step": 13}
    return {}
