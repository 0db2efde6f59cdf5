"""Measure how much of zarr-python's user guide runs unchanged with ``import zarrc as zarr``.

    python tests/interop/guide_snippets.py GUIDE_DIR [PAGE ...] [--json OUT] [--show-diff]

GUIDE_DIR holds zarr-python's ``docs/user-guide/*.md`` (e.g. ``git show
v3.1.6:docs/user-guide/arrays.md`` from a clone; zarrc does not vendor the guide). Every
``python exec="true"`` block of a page is run in order within its ``session`` (one fresh
interpreter and one fresh working directory per session and library), once with zarr-python and
once with the page's imports rewritten (``import zarr`` -> ``import zarrc as zarr``, ``from
zarr...`` -> ``from zarrc...``). A snippet counts as *runnable* when it runs under zarr-python
here (cloud snippets needing s3 or obstore do not); for those the script reports how many run
under zarrc and how many print exactly what zarr-python prints, up to memory addresses, timings
and the working directory.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

PAGES = ("arrays", "groups", "attributes", "storage", "consolidated_metadata", "data_types",
         "performance", "config")

_FENCE = re.compile(r"^(?P<indent>[ \t]*)```python(?P<attrs>[^\n]*)$")


def extract(text: str) -> list[dict]:
    """The ``exec="true"`` python blocks of a markdown page: session, shown or not, code."""
    blocks, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, attrs = m.group("indent"), m.group("attrs")
        body, i = [], i + 1
        while i < len(lines) and lines[i].strip() != "```":
            line = lines[i]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            i += 1
        i += 1
        if 'exec="true"' not in attrs:
            continue
        session = re.search(r'session="([^"]*)"', attrs)
        blocks.append({"session": session.group(1) if session else "",
                       "shown": 'source="above"' in attrs, "code": "\n".join(body) + "\n"})
    return blocks


def to_zarrc(code: str) -> str:
    """The snippet with its zarr imports pointed at zarrc (the only change made)."""
    code = re.sub(r"^(\s*)import zarr\b(?!\.)", r"\1import zarrc as zarr", code, flags=re.M)
    return re.sub(r"^(\s*)from zarr\b", r"\1from zarrc", code, flags=re.M)


# Runs in the child interpreter: execute the blocks in one namespace, one result per block.
_RUNNER = r"""
import contextlib, io, json, sys, traceback
blocks = json.load(sys.stdin)
ns = {"__name__": "__main__"}
results = []
for code in blocks:
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, "<snippet>", "exec"), ns)
        results.append({"ok": True, "out": out.getvalue()})
    except BaseException as exc:
        results.append({"ok": False, "out": out.getvalue(),
                        "error": "".join(traceback.format_exception_only(type(exc), exc)).strip()})
sys.__stdout__.write(json.dumps(results))
"""


def run_session(codes: list[str], python: str, timeout: float) -> list[dict]:
    """Run one session's blocks in a fresh interpreter and directory."""
    with tempfile.TemporaryDirectory(prefix="guide-") as cwd:
        env = {**os.environ, "PYTHONWARNINGS": "ignore"}
        proc = subprocess.run([python, "-c", _RUNNER], input=json.dumps(codes), cwd=cwd,
                              capture_output=True, text=True, timeout=timeout, env=env,
                              check=False)
        if proc.returncode != 0 or not proc.stdout:
            err = f"session crashed ({proc.returncode}): {proc.stderr[-500:]}"
            return [{"ok": False, "out": "", "error": err} for _ in codes]
        results = json.loads(proc.stdout)
        for r in results:
            r["out"] = r["out"].replace(os.path.realpath(cwd), "<cwd>").replace(cwd, "<cwd>")
        return results


def normalize(out: str) -> str:
    """Output up to memory addresses (``0x...``, a memory store's ``memory://<id>``) and
    timings."""
    out = re.sub(r"0x[0-9a-fA-F]+", "0x?", out)
    out = re.sub(r"memory://\d+", "memory://?", out)
    return re.sub(r"\d+\.\d+s\b", "?s", out)


def measure_page(page: str, text: str, python: str, timeout: float) -> list[dict]:
    """One record per exec block of ``page``: both results and whether the outputs agree."""
    blocks = extract(text)
    records = [dict(b, page=page, index=i) for i, b in enumerate(blocks)]
    for session in dict.fromkeys(b["session"] for b in blocks):
        mine = [r for r in records if r["session"] == session]
        zp = run_session([r["code"] for r in mine], python, timeout)
        zc = run_session([to_zarrc(r["code"]) for r in mine], python, timeout)
        for r, a, b in zip(mine, zp, zc):
            r["zarr"], r["zarrc"] = a, b
            r["runnable"] = a["ok"]
            r["runs"] = a["ok"] and b["ok"]
            r["same"] = r["runs"] and normalize(a["out"]) == normalize(b["out"])
    return records


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("guide_dir")
    ap.add_argument("pages", nargs="*", default=list(PAGES))
    ap.add_argument("--python", default=sys.executable, help="interpreter with zarr and zarrc")
    ap.add_argument("--json", help="write every record here")
    ap.add_argument("--show-diff", action="store_true", help="print each differing output")
    ap.add_argument("--timeout", type=float, default=600)
    args = ap.parse_args(argv)
    records = []
    for page in args.pages:
        with open(os.path.join(args.guide_dir, f"{page}.md"), encoding="utf-8") as f:
            records += measure_page(page, f.read(), args.python, args.timeout)
    shown = [r for r in records if r["shown"] and r["runnable"]]
    print(f"{'page':<24}{'runnable':>9}{'run':>6}{'same':>6}")
    for page in args.pages:
        rs = [r for r in shown if r["page"] == page]
        print(f"{page:<24}{len(rs):>9}{sum(r['runs'] for r in rs):>6}"
              f"{sum(r['same'] for r in rs):>6}")
    n = len(shown)
    runs, same = sum(r["runs"] for r in shown), sum(r["same"] for r in shown)
    print(f"{'total':<24}{n:>9}{runs:>6}{same:>6}")
    if n:
        print(f"run: {runs / n:.1%}   same output: {same / n:.1%}")
    skipped = [r for r in records if r["shown"] and not r["runnable"]]
    for r in skipped:
        print(f"not runnable with zarr-python here: {r['page']}#{r['index']}: "
              f"{r['zarr']['error'].splitlines()[-1][:100]}")
    for r in shown:
        if not r["same"]:
            why = r["zarrc"].get("error", "output differs") if not r["runs"] else "output differs"
            print(f"differs: {r['page']}#{r['index']}: {why.splitlines()[-1][:120]}")
            if args.show_diff and r["runs"]:
                print("  --- zarr\n" + normalize(r["zarr"]["out"]) +
                      "  --- zarrc\n" + normalize(r["zarrc"]["out"]))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(records, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
