"""The ``zarrc`` command."""

import numpy as np

import zarrc
from zarrc.cli import main


def test_info_and_tree(tmp_path, capsys):
    path = str(tmp_path / "g.zarr")
    g = zarrc.group(path)
    g.create_array("a", shape=(5, 5), dtype="u2", chunks=(2, 2))[...] = np.ones((5, 5))
    assert main(["tree", path]) == 0
    out = capsys.readouterr().out
    assert "a (5, 5) uint16" in out
    assert main(["info", path, "--node", "a"]) == 0
    out = capsys.readouterr().out
    assert "(5, 5)" in out and "UInt16" in out and "Chunks Initialized : 9" in out


def test_missing_path_is_a_clean_error(tmp_path, capsys):
    assert main(["info", str(tmp_path / "absent")]) == 1
    assert "error" in capsys.readouterr().err


def test_demo_writes_and_verifies(tmp_path, capsys):
    assert main(["demo", str(tmp_path / "demo"), "--size", "64"]) == 0
    out = capsys.readouterr().out
    assert out.count("verified") == 4 and "MISMATCH" not in out
    a = zarrc.open_array(str(tmp_path / "demo" / "v2_zlib.zarr"), mode="r")
    assert a.shape == (64, 64) and a.zarr_format == 2
