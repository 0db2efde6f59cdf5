"""Draw zarrc's time over the best peer's, per workload, from the peer harness's JSON runs.

The peer harness (``peers.py --json FILE``, run as the performance page says) writes every
library's median per workload; this script turns one or more such files into the chart of
docs/performance.md: one bar per workload and run, ``zarrc / fastest other library`` on a log
scale, below 1 where zarrc is faster. Workloads a library failed (``error``, ``WRONG``) count
for no one; a workload zarrc has no time for is left out. Run it with matplotlib installed
(the ``docs`` extra), from the project root::

    python asv_bench/tools/ratio_chart.py docs/performance/peers-*.json \\
        -o docs/performance/ratios.svg --table

``--table`` also prints the ratios as a Markdown table. The SVG is written without a date or
random ids, so the same JSON gives the same file.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

ZARRC = "zarrc"
FASTER, SLOWER = "#2e7d32", "#e65100"


@dataclass(frozen=True)
class Ratio:
    """zarrc's median over the best peer's on one workload of one run."""

    workload: str
    zarrc_ms: float
    peer: str
    peer_ms: float

    @property
    def value(self) -> float:
        return self.zarrc_ms / self.peer_ms


@dataclass(frozen=True)
class Run:
    """One harness run: its label (date, size) and its ratios in the harness's order."""

    label: str
    quick: bool
    ratios: list[Ratio]


def _median(cell: dict) -> float | None:
    if cell.get("status", "ok") != "ok":
        return None
    value = cell.get("median_ms")
    return float(value) if value else None


def ratios(doc: dict) -> list[Ratio]:
    """Per workload with a zarrc time and at least one peer time: zarrc over the fastest peer."""
    found = []
    for workload, cells in doc["results"].items():
        mine = _median(cells.get(ZARRC, {}))
        peers = {lib: _median(cell) for lib, cell in cells.items() if lib != ZARRC}
        peers = {lib: ms for lib, ms in peers.items() if ms is not None}
        if mine is None or not peers:
            continue
        best = min(peers, key=peers.get)
        found.append(Ratio(workload, mine, best, peers[best]))
    return found


def load_run(path: Path) -> Run:
    doc = json.loads(path.read_text())
    size = "quick (2048² arrays)" if doc.get("quick") else "full size"
    return Run(f"{doc.get('date', path.stem)[:16].replace('T', ' ')}, {size}",
               bool(doc.get("quick")), ratios(doc))


def markdown_table(runs: list[Run]) -> str:
    """The ratios as a Markdown table: a row per workload, a column per run."""
    workloads = _workloads(runs)
    lines = ["| workload | " + " | ".join(f"run {i + 1}: zarrc/best peer" for i in range(len(runs)))
             + " |", "|---|" + "---:|" * len(runs)]
    for w in workloads:
        cells = []
        for run in runs:
            r = next((r for r in run.ratios if r.workload == w), None)
            cells.append(f"{r.value:.2f} ({r.peer})" if r else "–")
        lines.append(f"| {w} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _workloads(runs: list[Run]) -> list[str]:
    seen: list[str] = []
    for run in runs:
        seen += [r.workload for r in run.ratios if r.workload not in seen]
    return seen


def draw(runs: list[Run], out: Path) -> None:
    """Horizontal bars, workloads top to bottom, the runs of a workload side by side."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "zarrc", "font.size": 9})
    workloads = _workloads(runs)
    height = 0.8 / len(runs)
    fig, ax = plt.subplots(figsize=(8, 0.9 + 0.34 * len(workloads) * max(1, len(runs) * 0.7)))
    values = []
    for k, run in enumerate(runs):
        by_name = {r.workload: r for r in run.ratios}
        for i, w in enumerate(workloads):
            r = by_name.get(w)
            if r is None:
                continue
            y = i + (k - (len(runs) - 1) / 2) * height
            ax.barh(y, math.log2(r.value), height=height * 0.9, left=0,
                    color=FASTER if r.value < 1 else SLOWER, alpha=1.0 - 0.35 * k)
            ax.text(math.log2(r.value) + (0.03 if r.value >= 1 else -0.03), y,
                    f" {r.value:.2f} vs {r.peer} ", va="center", fontsize=7,
                    ha="left" if r.value >= 1 else "right")
            values.append(math.log2(r.value))
    span = max(1.0, max(abs(v) for v in values) + 0.9) if values else 1.0
    ax.set_xlim(-span, span)
    ticks = [t for t in (-4, -3, -2, -1, 0, 1, 2, 3, 4) if -span <= t <= span]
    ax.set_xticks(ticks, [f"{2.0 ** t:g}" for t in ticks])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(range(len(workloads)), workloads)
    ax.invert_yaxis()
    ax.set_xlabel("zarrc time / fastest other library's time (log scale; below 1: zarrc faster)")
    title = "zarrc vs zarr-python, zarrs and tensorstore, per workload"
    ax.set_title(title + "\n" + "; ".join(f"run {i + 1}: {r.label}" for i, r in enumerate(runs)),
                 fontsize=9)
    ax.grid(axis="x", linewidth=0.3)
    if len(runs) > 1:  # which bar of a workload is which run
        from matplotlib.patches import Patch

        ax.legend(handles=[Patch(color="grey", alpha=1.0 - 0.35 * k, label=f"run {k + 1}")
                           for k in range(len(runs))], loc="lower right", fontsize=7)
    fig.tight_layout()
    fig.savefig(out, metadata={"Date": None, "Creator": None})
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("runs", nargs="+", type=Path, help="JSON files of peers.py --json")
    p.add_argument("-o", "--out", type=Path, required=True, help="the image (.svg or .png)")
    p.add_argument("--table", action="store_true", help="also print a Markdown table")
    args = p.parse_args(argv)
    runs = [load_run(path) for path in args.runs]
    if not any(run.ratios for run in runs):
        p.error("no workload has both a zarrc time and a peer time")
    draw(runs, args.out)
    if args.table:
        sys.stdout.write(markdown_table(runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
