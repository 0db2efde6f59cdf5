"""asv_bench/tools/ratio_chart.py: the ratios it reads from the harness's JSON, its table and
its chart."""

from __future__ import annotations

import json

import pytest
from loader import load_script

pytest.importorskip("matplotlib", reason="the docs extra is not installed")
ratio_chart = load_script("asv_bench/tools/ratio_chart.py")


def _cell(ms, status="ok"):
    return {"median_ms": ms if status == "ok" else None, "times_ms": [ms], "status": status,
            "error": "" if status != "error" else "boom"}


DOC = {
    "date": "2026-12-06T10:20:30", "quick": False,
    "results": {
        "read_sub": {"zarrc": _cell(8.0), "zarr": _cell(40.0), "zarrs": _cell(16.0),
                     "tensorstore": _cell(10.0)},
        "write_sharded": {"zarrc": _cell(150.0), "zarr": _cell(900.0),
                          "zarrs": _cell(100.0), "tensorstore": _cell(50.0, "WRONG")},
        "vindex": {"zarrc": _cell(1.0, "error"), "zarrs": _cell(2.0)},
        "oindex": {"zarrc": _cell(3.0), "zarrs": _cell(1.0, "error")},
    },
}


def test_ratio_is_zarrc_over_the_fastest_peer_that_gave_a_right_answer():
    found = {r.workload: r for r in ratio_chart.ratios(DOC)}
    assert set(found) == {"read_sub", "write_sharded"}  # no zarrc time, no peer time: out
    assert (found["read_sub"].peer, found["read_sub"].value) == ("tensorstore", 0.8)
    assert (found["write_sharded"].peer, found["write_sharded"].value) == ("zarrs", 1.5)


def test_table_and_chart(tmp_path):
    paths = []
    for n, date in enumerate(["2026-12-06T10:20:30", "2026-12-06T11:00:00"]):
        path = tmp_path / f"run{n}.json"
        path.write_text(json.dumps(dict(DOC, date=date)))
        paths.append(path)
    out = tmp_path / "chart.svg"
    assert ratio_chart.main([*map(str, paths), "-o", str(out)]) == 0
    svg = out.read_text()
    for text in ("read_sub", "write_sharded", "0.80 vs tensorstore", "1.50 vs zarrs",
                 "run 1: 2026-12-06 10:20, full size", "run 2"):
        assert text in svg
    assert "oindex" not in svg
    first = svg
    ratio_chart.main([*map(str, paths), "-o", str(out)])
    assert out.read_text() == first  # no date, no random ids: the same JSON, the same file
    runs = [ratio_chart.load_run(p) for p in paths]
    assert ratio_chart.markdown_table(runs).splitlines()[2:] == [
        "| read_sub | 0.80 (tensorstore) | 0.80 (tensorstore) |",
        "| write_sharded | 1.50 (zarrs) | 1.50 (zarrs) |",
    ]
