"""Fill-value forms only zarr-python 2.x wrote: zarrc reads them, never writes them.

Each case is a ``.zarray`` fill value in a form an old zarr-python release wrote (see
docs/support.md, "Legacy v2 metadata") and the value missing chunks must read as. An array is
written with zarrc, one chunk stored and two missing, and its ``.zarray`` given the legacy
form. The expected values are what zarr-python 2 reads (NumPy's conversion, as
``Metadata2.decode_fill_value`` and ``chunk.fill`` do it) or, for the forms zarr-python 2.18
refuses, what the writing release meant (the dtype's zero for the default 0, the real part for
a bare float, the int64 a uint64 count views). With the zarr 2.18 peer present, the cases it
reads are read live and compared, and the ones it refuses are shown to be refused.
Rewriting the metadata (a resize) stores the modern form, which zarr 2.18 then reads the same.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

pytestmark = pytest.mark.interop

NAT = np.datetime64("NaT")


@dataclass(frozen=True)
class Legacy:
    label: str
    dtype: str
    form: Any  # the stored JSON fill value
    expected: Any  # the value missing chunks read as
    modern: Any  # what zarrc writes for it
    written: list  # the two values of the one stored chunk
    zarr2_reads: bool  # zarr-python 2.18 opens it (else: it raises, zarrc does better)
    wrote: str  # who wrote this form

    @property
    def np_dtype(self):
        return np.dtype(self.dtype)


CASES = [
    Legacy("S1-zero", "|S1", 0, b"0", "MA==", [b"A", b"C"], True, "zarr-python 2.0-2.1 default"),
    Legacy("S3-one", "|S3", 1, b"1", "MQ==", [b"ab", b"c"], True, "zarr-python 2.0-2.1 ones()"),
    Legacy("S4-float", "|S4", 2.5, b"2.5", "Mi41", [b"x", b""], True, "zarr-python 2.0-2.1"),
    Legacy("U4-zero", "<U4", 0, "0", "0", ["foo", "quux"], True, "zarr-python 2.0-2.1 default"),
    Legacy("U2-be-seven", ">U2", 7, "7", "7", ["é", "ab"], True, "zarr-python 2.0-2.1"),
    Legacy("f8-int-zero", "<f8", 0, 0.0, 0.0, [1.5, -2.0], True, "zarr-python 2.0-2.1 default"),
    Legacy("i4-integral-float", "<i4", 3.0, 3, 3, [1, -2], True, "zarr-python 2.0-2.1"),
    Legacy("b1-zero", "|b1", 0, False, False, [True, True], True, "zarr-python 2.0-2.1 default"),
    Legacy("b1-one", "|b1", 1, True, True, [False, True], True, "zarr-python 2.0-2.1 ones()"),
    Legacy("c16-zero", "<c16", 0, 0j, [0.0, 0.0], [1 + 2j, -3j], False,
           "zarr-python 2.0-2.1 default"),
    Legacy("c8-real", "<c8", 1.5, 1.5 + 0j, [1.5, 0.0], [1j, 2], False, "zarr-python 2.0-2.1"),
    Legacy("c16-nan", "<c16", "NaN", complex(np.nan, 0), ["NaN", 0.0], [1, 2], False,
           "zarr-python 2.0-2.1"),
    Legacy("V3-zero", "|V3", 0, b"\0\0\0", "AAAA", [b"\1\2\3", b"\4\5\6"], False,
           "zarr-python 2.0-2.1 default"),
    Legacy("M8ns-nat-uint64", "<M8[ns]", 2**63, NAT, -(2**63), [0, 1], False,
           "zarr-python 2.2"),
    Legacy("M8s-before-epoch-uint64", "<M8[s]", 2**64 - 86400, np.datetime64(-86400, "s"),
           -86400, [5, 6], False, "zarr-python 2.2"),
    Legacy("m8s-nat-uint64", "<m8[s]", 2**63, np.timedelta64("NaT"), -(2**63), [7, 8], False,
           "zarr-python 2.2"),
]
IDS = [c.label for c in CASES]


def fill_hex(value, dtype):
    return np.array(value, dtype=dtype).tobytes().hex()


def expected_values(case, n):
    out = np.full(n, case.expected, dtype=case.np_dtype)
    out[:2] = np.array(case.written).astype(case.np_dtype)
    return out


def write_legacy(case, path):
    """A 6-element array in chunks of 2, chunk 0 stored, with ``case.form`` as fill value."""
    import zarrc

    a = zarrc.open_array(str(path), mode="w", zarr_format=2, shape=(6,), chunks=(2,),
                         dtype=case.dtype, fill_value=None)
    a[:2] = np.array(case.written).astype(case.np_dtype)
    doc_path = path / ".zarray"
    doc = json.loads(doc_path.read_text())
    doc["fill_value"] = case.form
    del doc["dimension_separator"]  # as every zarr-python before 2.8 wrote it
    doc_path.write_text(json.dumps(doc))
    return doc


def assert_same(values, expected, what):
    assert values.dtype == expected.dtype, what
    assert values.tobytes() == expected.tobytes(), f"{what}: {values!r} != {expected!r}"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_legacy_form_reads_as_zarr2_reads_it(case, tmp_path):
    import zarrc

    write_legacy(case, tmp_path / "a")
    a = zarrc.open_array(str(tmp_path / "a"), mode="r")
    assert a.dtype == case.np_dtype
    assert fill_hex(a.fill_value, a.dtype) == fill_hex(case.expected, case.np_dtype)
    assert_same(a[...], expected_values(case, 6), case.label)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_rewriting_stores_the_modern_form(case, tmp_path):
    """zarrc never writes a legacy form: a resize rewrites .zarray in today's encoding."""
    import zarrc

    legacy = write_legacy(case, tmp_path / "a")
    a = zarrc.open_array(str(tmp_path / "a"), mode="r+")
    a.resize(8)
    doc = json.loads((tmp_path / "a" / ".zarray").read_text())
    # compared as JSON text: 1 == True in Python, not in JSON
    assert json.dumps(doc["fill_value"]) == json.dumps(case.modern)
    assert json.dumps(doc["fill_value"]) != json.dumps(legacy["fill_value"])
    assert doc["dimension_separator"] == "."
    assert {k: v for k, v in doc.items() if k not in ("fill_value", "shape",
                                                      "dimension_separator")} == \
        {k: v for k, v in legacy.items() if k not in ("fill_value", "shape")}
    again = zarrc.open_array(str(tmp_path / "a"), mode="r")
    assert fill_hex(again.fill_value, again.dtype) == fill_hex(case.expected, case.np_dtype)
    assert_same(again[...], expected_values(case, 8), case.label)


def test_zarr2_reads_the_legacy_and_the_rewritten_forms(zarr2_run, tmp_path):
    """The live oracle: zarr 2.18 reads each legacy form it can as zarrc does, refuses the
    others, and reads every form zarrc rewrote with the same fill value."""
    import zarrc

    reads = []
    for case in CASES:
        write_legacy(case, tmp_path / "legacy" / case.label)
        write_legacy(case, tmp_path / "rewritten" / case.label)
        zarrc.open_array(str(tmp_path / "rewritten" / case.label), mode="r+").resize(8)
        for kind in ("legacy", "rewritten"):
            reads.append({"kind": "array", "path": f"{kind}/{case.label}",
                          "out": str(tmp_path / f"{kind}-{case.label}.npy")})
    results = {r["path"]: r for r in zarr2_run({"op": "read", "root": str(tmp_path),
                                                 "cases": reads})}
    for case in CASES:
        for kind, n in (("legacy", 6), ("rewritten", 8)):
            what = f"zarr 2 reading {kind} {case.label}"
            result = results[f"{kind}/{case.label}"]
            if kind == "legacy" and not case.zarr2_reads:
                assert result["error"] is not None, f"{what}: zarr 2 now reads it"
                continue
            assert result["error"] is None, f"{what}: {result['error']}"
            assert result["fill_value_hex"] == fill_hex(case.expected, case.np_dtype), what
            values = np.load(tmp_path / f"{kind}-{case.label}.npy")
            assert_same(values.astype(case.np_dtype), expected_values(case, n), what)
