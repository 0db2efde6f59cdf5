"""Progress bars: the streams, conversion and a[...] under the config show a tqdm bar that counts
what was done; ``zarrc convert`` shows one by default on a terminal (a real pty) and never in a
pipe."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios

import numpy as np
import pytest

import zarrc
from zarrc.storage import MemoryStore

pytest.importorskip("tqdm")


def _bars(text: str) -> list[str]:
    """The final state of each bar tqdm drew (``desc: 100%|...| n/total``)."""
    lines = text.replace("\r", "\n").splitlines()
    return [ln for ln in lines if "|" in ln and "%" in ln]


def test_streams_count_their_pieces_on_a_bar(capsys):
    a = zarrc.create_array(MemoryStore(), name="temps", shape=(40, 30), chunks=(10, 10),
                           dtype="f4")
    a.write_chunks((((slice(i, i + 10),), float(i)) for i in range(0, 40, 10)), progress=True)
    assert sum(1 for _ in a.iter_chunks(progress=True)) == 12
    assert len(list(a.iter_slices(size=15, progress=True))) == 3
    err = capsys.readouterr().err
    bars = _bars(err)
    assert "writing /temps: 4items" in err  # a generator: no total, a count
    assert any(b.startswith("reading /temps: 100%") and "12/12" in b for b in bars)
    assert any(b.startswith("reading /temps: 100%") and "3/3" in b for b in bars)


def test_a_broken_stream_closes_its_bar(capsys):
    a = zarrc.create_array(MemoryStore(), name="x", shape=(40,), chunks=(4,), dtype="i1")
    for k, _ in enumerate(a.iter_chunks(progress=True)):
        if k == 2:
            break
    bars = _bars(capsys.readouterr().err)
    assert bars and "3/10" in bars[-1]  # stopped where the consumer stopped, and closed


def test_reads_and_writes_over_many_chunks_follow_the_config(capsys):
    a = zarrc.create_array(MemoryStore(), name="big", shape=(64, 64), chunks=(8, 8), dtype="i2")
    a[...] = 1
    assert _bars(capsys.readouterr().err) == []  # off by default
    with zarrc.config.set(progress=True):
        a[...] = np.arange(64 * 64).reshape(64, 64)
        assert a[...].sum() == np.arange(64 * 64).sum()
        a[0:3, 0:3]  # one chunk: no bar
    bars = _bars(capsys.readouterr().err)
    assert [b.split(":")[0] for b in bars if "100%" in b] == ["writing /big", "reading /big"]
    assert all("64/64" in b for b in bars if "100%" in b)
    with pytest.raises(TypeError, match="progress"):
        list(a.iter_chunks(progress="yes"))
    with pytest.raises(ValueError, match="progress"):
        zarrc.config.set(progress="yes")


def test_convert_shows_a_bar_per_array(tmp_path, capsys):
    g = zarrc.group(str(tmp_path / "src.zarr"))
    g.create_array("a", shape=(20, 20), chunks=(5, 5), dtype="f4")[...] = 1
    g.create_array("b", shape=(6,), chunks=(2,), dtype="f4")[...] = 2
    zarrc.convert(str(tmp_path / "src.zarr"), str(tmp_path / "dst.zarr"), progress=True)
    bars = [b for b in _bars(capsys.readouterr().err) if "100%" in b]
    assert sorted(b.split(":")[0] for b in bars) == ["copying /a", "copying /b"]
    assert any("16/16" in b for b in bars) and any("3/3" in b for b in bars)
    assert np.array_equal(zarrc.open_array(str(tmp_path / "dst.zarr"), path="a")[...],
                          np.ones((20, 20)))


def _source(tmp_path) -> str:
    path = str(tmp_path / "cli.zarr")
    a = zarrc.create_array(path, shape=(64, 64), chunks=(8, 8), dtype="f8")
    a[...] = 3.0
    return path


def _cli(args: list[str], tty: bool) -> tuple[int, str]:
    """Run ``zarrc ARGS`` in a real process with its stderr (and stdout) on a new pty, or on
    a pipe; returns the exit code and everything it wrote."""
    cmd = [sys.executable, "-m", "zarrc.cli", *args]
    env = {**os.environ, "COLUMNS": "100"}
    if not tty:
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
        return done.returncode, done.stdout + done.stderr
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    child = subprocess.Popen(cmd, stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    out = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(leader, 65536)
        except OSError:  # the child closed the pty
            break
        if not data:
            break
        out += data
    os.close(leader)
    return child.wait(60), out.decode(errors="replace")


def test_the_cli_shows_a_bar_on_a_terminal_and_never_in_a_pipe(tmp_path):
    src = _source(tmp_path)
    code, text = _cli(["convert", src, str(tmp_path / "tty.zarr")], tty=True)
    assert code == 0, text
    bars = _bars(text)
    assert bars and "100%" in bars[-1] and "64/64" in bars[-1]
    code, text = _cli(["convert", src, str(tmp_path / "pipe.zarr")], tty=False)
    assert code == 0, text
    assert _bars(text) == [] and "converted" in text
    code, text = _cli(["convert", src, str(tmp_path / "forced.zarr"), "--progress"], tty=False)
    assert code == 0 and "64/64" in text
    code, text = _cli(["convert", src, str(tmp_path / "quiet.zarr"), "--no-progress"], tty=True)
    assert code == 0 and _bars(text) == [] and "converted" in text
    for name in ("tty", "pipe", "forced", "quiet"):
        assert (zarrc.open_array(str(tmp_path / f"{name}.zarr"))[...] == 3.0).all()


def test_without_tqdm_asking_for_a_bar_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    a = zarrc.create_array(MemoryStore(), shape=(8,), chunks=(2,), dtype="i1")
    with pytest.raises(ImportError, match=r"zarrc\[progress\]"):
        a.iter_chunks(progress=True)
    assert len(list(a.iter_chunks())) == 4  # no bar asked: no tqdm needed
    from zarrc.cli import _progress

    assert _progress(None) is False  # the CLI's default does without
