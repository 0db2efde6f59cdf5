"""zarrc reads zarr-python's own format-compatibility fixture exactly as zarr-python 2.18 does.

The fixture (``fixture/`` of zarr-developers/zarr-python at tag v2.18.7: 24 arrays x 7
compressors, written by zarr-python 2.1 in 2017, plus the separator cases ``flat``/``nested``
with and without ``dimension_separator``, ``meta`` and a UTF-8 attribute) is unpacked from
tests/data/zarr-python-fixture/. What zarr 2 reads from each array (dtype, shape, chunks, order,
fill value bytes, attributes, SHA-256 of the values) is in manifest.json, recorded by
tests/data/record_zarr_python_fixture.py in the pinned zarr 2.18 venv; with that venv present
(``$ZARRC_ZARR2_PYTHON``) the recording is redone and must match.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.interop

DATA = Path(__file__).resolve().parents[1] / "data"
FIXTURE = DATA / "zarr-python-fixture"
MANIFEST = json.loads((FIXTURE / "manifest.json").read_text(encoding="utf-8"))
ARCHIVE = DATA / MANIFEST["source"]["archive"]
RECORDER = DATA / "record_zarr_python_fixture.py"
ARRAYS = {e["path"]: e for e in MANIFEST["arrays"]}


def _id(entry):
    return entry["path"] or "(root)"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def fixture_root(tmp_path_factory):
    """The fixture directory, unpacked once per module (and worker)."""
    dest = tmp_path_factory.mktemp("zarr-python-fixture")
    with tarfile.open(ARCHIVE) as tar:
        tar.extractall(dest, filter="data")
    return dest / "fixture"


def test_archive_is_the_recorded_tag():
    """The archive is the one the manifest was recorded from (git archive names its commit)."""
    assert sha256(ARCHIVE.read_bytes()) == MANIFEST["source"]["archive_sha256"]
    with tarfile.open(ARCHIVE) as tar:
        assert tar.pax_headers.get("comment") == MANIFEST["source"]["commit"]
    assert MANIFEST["read_by"]["zarr"].startswith("2.18.")


def _nodes(root: Path, name: str) -> set[str]:
    return {p.parent.relative_to(root).as_posix().strip(".") for p in root.rglob(name)}


def test_manifest_covers_every_node(fixture_root):
    """Every .zarray / .zgroup of the fixture is recorded, and the legacy forms are there."""
    assert _nodes(fixture_root, ".zarray") == set(ARRAYS)
    assert _nodes(fixture_root, ".zgroup") == {g["path"] for g in MANIFEST["groups"]}
    assert len(ARRAYS) == 24 * 7 + 5
    numeric_text_fill = {p for p, e in ARRAYS.items()
                         if e["dtype"][1] in "SU" and e["stored_fill_value"] == 0}
    assert numeric_text_fill == {f"{i}/{j}" for i in (14, 15) for j in range(7)}
    for path in ("flat_legacy", "nested_legacy", "0/0"):
        assert "dimension_separator" not in json.loads((fixture_root / path / ".zarray")
                                                       .read_text())


@pytest.mark.parametrize("entry", MANIFEST["arrays"], ids=_id)
def test_array_reads_as_zarr2_reads_it(fixture_root, entry):
    import zarrc

    what = entry["path"]
    a = zarrc.open_array(str(fixture_root / entry["path"]), mode="r")
    assert a.zarr_format == 2, what
    assert a.dtype.str == entry["dtype"], what
    assert list(a.shape) == entry["shape"] and list(a.chunks) == entry["chunks"], what
    assert a.order == entry["order"], what
    fill = None if a.fill_value is None else np.array(a.fill_value, dtype=a.dtype).tobytes().hex()
    assert fill == entry["fill_value_hex"], f"{what}: fill {a.fill_value!r}, zarr 2 reads " \
                                            f"{entry['fill_value_repr']}"
    assert dict(a.attrs) == entry["attributes"], what
    values = a[...]
    assert isinstance(values, np.ndarray) and values.dtype.str == entry["dtype"], what
    head = [repr(v) for v in values.ravel(order="C")[:3].tolist()]
    assert sha256(values.tobytes(order="C")) == entry["values_sha256"], (
        f"{what}: values differ from zarr 2's (first {head}, zarr 2 {entry['values_head']})")


@pytest.mark.parametrize("entry", MANIFEST["groups"], ids=_id)
def test_group_reads_as_zarr2_reads_it(fixture_root, entry):
    import zarrc

    g = zarrc.open_group(str(fixture_root / entry["path"]), mode="r")
    assert dict(g.attrs) == entry["attributes"]
    assert sorted(g.group_keys()) == entry["groups"]
    assert sorted(g.array_keys()) == entry["arrays"]


def test_members_read_through_the_root_group(fixture_root):
    """Opened as members of the root group, the legacy arrays read the same."""
    import zarrc

    root = zarrc.open_group(str(fixture_root), mode="r")
    for path in ("14/3", "15/5", "flat_legacy"):
        values = root[path][...]
        assert sha256(values.tobytes(order="C")) == ARRAYS[path]["values_sha256"], path


def test_nested_legacy_reads_with_the_separator_added(fixture_root, tmp_path):
    """``nested_legacy`` (NestedDirectoryStore before zarr-python 2.8: chunks under "0/0", no
    ``dimension_separator``) reads as fill values, as in zarr 2.18; recording the separator it
    was written with makes it read as zarr 2.18 reads ``nested``."""
    import zarrc

    path = tmp_path / "nested_legacy"
    shutil.copytree(fixture_root / "nested_legacy", path)
    doc = json.loads((path / ".zarray").read_text())
    doc["dimension_separator"] = "/"
    (path / ".zarray").write_text(json.dumps(doc))
    values = zarrc.open_array(str(path), mode="r")[...]
    assert sha256(values.tobytes(order="C")) == ARRAYS["nested"]["values_sha256"]
    np.testing.assert_array_equal(values, [[1, 2], [3, 4]])


@pytest.mark.parametrize("path, field, value", [
    ("14/0", "fill_value", True),
    ("14/0", "fill_value", "not base64!"),
    ("15/0", "fill_value", [0]),
    ("16/0", "fill_value", "nan"),
    ("0/0", "fill_value", 1.5),
    ("0/0", "order", "K"),
    ("0/0", "dtype", "|i3"),
    ("0/0", "filters", {}),
    ("0/1", "compressor", "zlib"),
    ("flat_legacy", "dimension_separator", "-"),
])
def test_malformed_copy_is_refused_naming_file_and_field(fixture_root, tmp_path, path, field,
                                                         value):
    """Forms no zarr-python release wrote stay errors, found through the root group."""
    import zarrc

    root = tmp_path / "fixture"
    shutil.copytree(fixture_root / path, root / path)
    (root / ".zgroup").write_text('{"zarr_format": 2}')
    doc = json.loads((root / path / ".zarray").read_text())
    doc[field] = value
    (root / path / ".zarray").write_text(json.dumps(doc))
    with pytest.raises(zarrc.errors.MetadataError) as info:
        zarrc.open_group(str(root), mode="r")[path]
    assert f"{path}/.zarray" in str(info.value) and repr(field) in str(info.value)


def test_manifest_is_what_zarr2_reads(zarr2_python):
    """Rerun the recording with the live zarr 2.18 peer: the stored manifest is its output."""
    proc = subprocess.run([zarr2_python, str(RECORDER)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    live = json.loads(proc.stdout)
    assert live["read_by"]["zarr"] == MANIFEST["read_by"]["zarr"]
    assert live == MANIFEST
