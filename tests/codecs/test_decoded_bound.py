"""``decoded_bound``: what a codec's headers say the data decodes to, at most, never less.

Readers reject a stored chunk whose bound is below its shape's size before allocating for the
shape, so a bound under the real size would refuse good data: the property checks it never is.
"""

import zlib

import numpy as np
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from zarrc.codecs.blosc import BloscCodec
from zarrc.codecs.crc32c import Crc32cCodec
from zarrc.codecs.deflate import GzipCodec, ZlibCodec
from zarrc.codecs.lz4 import LZ4Codec
from zarrc.codecs.zstd import ZstdCodec

EXACT = {  # codecs whose headers state the decoded size
    "zstd": lambda: ZstdCodec(level=3),
    "zstd_checksum": lambda: ZstdCodec(level=1, checksum=True),
    "blosc": lambda: BloscCodec(cname="lz4", clevel=5, shuffle="shuffle", typesize=4),
    "blosc_zstd": lambda: BloscCodec(cname="zstd", clevel=3, shuffle="bitshuffle", typesize=2),
    "lz4": lambda: LZ4Codec(),
    "crc32c": lambda: Crc32cCodec(),
}
BOUNDED = {"gzip": lambda: GzipCodec(level=9), "zlib": lambda: ZlibCodec(level=9)}


def payloads():
    """Bytes from incompressible to all-equal (the most compressible data there is)."""
    return st.one_of(
        st.binary(max_size=5000),
        st.builds(lambda b, n: b * n, st.binary(min_size=1, max_size=3), st.integers(0, 60_000)),
    )


@settings(max_examples=150, deadline=None)
@given(payloads(), st.sampled_from(sorted(EXACT)))
def test_headers_state_the_exact_size(data, name):
    codec = EXACT[name]()
    assert codec.decoded_bound(codec.encode(data)) == len(data)


@settings(max_examples=150, deadline=None)
@given(payloads(), st.sampled_from(sorted(BOUNDED)))
def test_deflate_bound_is_never_below_the_size(data, name):
    codec = BOUNDED[name]()
    encoded = codec.encode(data)
    assert len(data) <= codec.decoded_bound(encoded) == 1032 * len(encoded)


def test_zstd_frames_without_a_content_size_are_bounded_by_their_blocks():
    for data in (b"", b"x" * 1_000_000, np.random.default_rng(0).bytes(300_000),
                 b"ab" * 200_000 + np.random.default_rng(1).bytes(70_000)):
        encoded = zstandard.ZstdCompressor(write_content_size=False).compress(data)
        assert ZstdCodec().decoded_bound(encoded) >= len(data)
    # several frames (one with its size, one without) and a skippable frame in between
    a, b = b"one" * 5000, b"two" * 7000
    joined = (zstandard.ZstdCompressor().compress(a) + b"\x50\x2a\x4d\x18\x03\0\0\0xyz"
              + zstandard.ZstdCompressor(write_content_size=False).compress(b))
    assert ZstdCodec().decoded_bound(joined) >= len(a + b)
    assert bytes(ZstdCodec().decode(joined)) == a + b


def test_damaged_headers_leave_the_verdict_to_decode():
    assert ZstdCodec().decoded_bound(b"\x28\xb5\x2f\xfd") is None  # cut short: decode raises
    assert ZstdCodec().decoded_bound(b"not zstd at all") is None
    assert BloscCodec().decoded_bound(b"short") is None
    assert LZ4Codec().decoded_bound(b"\x01") is None
    assert ZlibCodec().decoded_bound(zlib.compress(b"")) >= 0
