"""Damaged chunks straight into the native decode loop, each in a buffer of exactly its size,
against decoders that share no code with csrc/ (zstandard, lz4, zlib, numcodecs' own c-blosc).

A chunk the loop accepts must hold what the independent decoder makes of the same bytes; one
it refuses must be refused with E_DATA. The buffers are NumPy arrays of exactly the chunk's
length, so under scripts/sanitize.sh (AddressSanitizer) a read one byte past a chunk stops
the run, which a bytes object (a spare NUL, and pymalloc pools without redzones) would hide.
Whole chunks go through the direct, row-by-row and bounce-buffer paths; a partial selection
through the prefix decoders. The one allowed disagreement: a zstd frame without a checksum
that this libzstd decodes and the independent one calls corrupt (libzstd versions notice
different damage; only the checksum catches all of it, docs/reliability.md).
"""

from __future__ import annotations

import gzip
import random
import zlib

import lz4.block
import numcodecs
import numpy as np
import pytest
import zstandard

from zarrc._ext import chunkio
from zarrc._ext import codec as native_codec
from zarrc.indexing import normalize_selection, plan_box

CASES = 150
LAYOUTS = [(16,), (8, 8), (4, 64), (3, 5), (2, 3, 40), (128, 4)]


def _encode(name, raw, itemsize, rng):
    if name is None:
        return raw
    if name == "zstd":
        return zstandard.ZstdCompressor(level=1).compress(raw)
    if name == "lz4":
        return len(raw).to_bytes(4, "little") + lz4.block.compress(raw, store_size=False)
    if name == "zlib":
        return zlib.compress(raw)
    if name == "gzip":
        return gzip.compress(raw)
    typesize = rng.choice([1, 2, 4, 8, itemsize])
    return bytes(native_codec.blosc_encode(raw, typesize, 5, rng.choice([0, 1]), "lz4",
                                           rng.choice([0, 64, 256])))


def _reference(name, data, nbytes):
    """The chunk as the independent decoder reads it, or None where it refuses it."""
    try:
        if name is None:
            out = data
        elif name == "zstd":
            out = zstandard.ZstdDecompressor().decompress(data, max_output_size=nbytes)
        elif name == "lz4":
            if int.from_bytes(data[:4], "little") != nbytes:
                return None
            out = lz4.block.decompress(data[4:], uncompressed_size=nbytes)
        elif name == "zlib":
            out = zlib.decompressobj().decompress(data)  # trailing bytes ignored, as zlib does
        elif name == "gzip":
            out = gzip.decompress(data)
        else:
            out = bytes(numcodecs.Blosc().decode(data))
    except Exception:
        return None
    return out if len(out) == nbytes else None


def _damage(data, rng):
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        r = rng.random()
        if r < 0.3 and out:
            out[rng.randrange(len(out))] = rng.randrange(256)
        elif r < 0.45 and out:
            del out[rng.randrange(len(out)):]
        elif r < 0.55:
            out += rng.randbytes(rng.randint(1, 40))
        elif r < 0.8 and len(out) >= 8:  # a header or offset field (blosc, lz4, gzip sizes)
            at = min(rng.choice([0, 4, 8, 12, 16, 20, 24]), len(out) - 4)
            out[at:at + 4] = rng.randrange(1 << 32).to_bytes(4, "little")
        elif out:
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def _exact(data):
    """A private allocation of exactly len(data) bytes."""
    out = np.empty(len(data), np.uint8)
    out[:] = np.frombuffer(data, np.uint8)
    return out


@pytest.mark.parametrize("name", [None, "zstd", "lz4", "zlib", "gzip", "blosc"])
def test_a_damaged_chunk_decodes_as_an_independent_decoder_does_or_is_refused(name):
    if not chunkio.decodes(name):
        pytest.skip(f"{name} is not native in this build")
    rng = random.Random(f"corrupt-buffers-{name}")
    dec = chunkio.Decompressor()
    outcomes = {"refused": 0, "same": 0, "zstd unchecked": 0}
    for _ in range(CASES):
        itemsize = rng.choice([1, 2, 4, 8])
        chunks = rng.choice(LAYOUTS)
        nbytes = int(np.prod(chunks)) * itemsize
        raw = bytes(rng.randrange(4) for _ in range(nbytes))
        data = _damage(_encode(name, raw, itemsize, rng), rng)
        want = _reference(name, data, nbytes)
        # two chunks along the first dimension, both these bytes: whole chunks (rows of a
        # bigger box) and a part of each (a prefix decode)
        shape = (2 * chunks[0], *chunks[1:])
        dtype = np.dtype(f"u{itemsize}")
        for sel in [(slice(None),) * len(shape),
                    (slice(1, None, 2),) + tuple(slice(0, max(1, c // 3)) for c in chunks[1:])]:
            norm = normalize_selection(sel, shape)
            box = np.zeros(norm.box_shape, dtype)
            plan = plan_box(norm.dims, shape, chunks)
            read = chunkio.ChunkRead(None, "default", "/", chunks, shape, itemsize, name, "C",
                                     plan.rows, box, b"\0" * itemsize, plan.lists)
            rc, index = read.run_buffers(dec, [_exact(data) for _ in range(read.total)],
                                         np.empty(nbytes, np.uint8), 0, read.total)
            if rc != read.total:
                assert (rc, index) == (chunkio.E_DATA, 0), (rc, index)
                outcomes["refused"] += 1
                continue
            if want is None:
                assert name == "zstd" and not (data[4] & 0x04), (name, data.hex())
                outcomes["zstd unchecked"] += 1
                continue
            chunk = np.frombuffer(want, dtype).reshape(chunks)
            np.testing.assert_array_equal(box, np.concatenate([chunk, chunk])[sel])
            outcomes["same"] += 1
    # the damage is varied enough that both outcomes happen
    assert outcomes["refused"] > 0 and outcomes["same"] > 0, outcomes
