"""Draw the layer diagram of docs/design.md (docs/design/layers.svg) from pyproject.toml.

The layers are the import-linter "layers" contract, top to bottom: a module may import the
ones below it, never those above. Beside them stand the modules that the "forbidden"
contracts keep apart (storage, indexing, the C kernels, errors), each with its rules. So the
picture is the contract CI checks: change the contract, run this script, and the test
(tests/docs/test_layers_diagram.py) fails until the committed SVG matches.

    python scripts/layers_diagram.py [OUT]      (default: docs/design/layers.svg)
"""

from __future__ import annotations

import sys
import textwrap
from html import escape
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "design" / "layers.svg"

# What each module does, in a few words (a module without a line here is drawn all the same).
ROLES = {
    "zarrc.cli": "the zarrc command",
    "zarrc.xarray | zarrc.dask": "xarray backend and to_zarr; dask graphs (optional extras)",
    "zarrc.demo": "the demo dataset",
    "zarrc.convert": "convert / upgrade between formats and stores",
    "zarrc.api": "create_array, open_array, group, ... (zarr-python's names)",
    "zarrc.group": "Group: a node holding arrays and groups",
    "zarrc.array": "Array: a[sel] planned, handed to the engine",
    "zarrc.lazy": "LazyArray views, isel by dimension name",
    "zarrc.nodes": "paths, format detection, metadata documents",
    "zarrc.attributes": "attrs: read-modify-write of the document",
    "zarrc.engine": "chunk tasks: fetch → decode → copy; native loops",
    "zarrc.codecs": "CodecPipeline and the codecs",
    "zarrc.metadata": "ArrayMetadata / GroupMetadata ⇄ v2 / v3 JSON",
    "zarrc.indexing": "selection → orthogonal box → chunk projections",
    "zarrc.storage": "Store: keys ⇄ bytes, byte ranges, listing",
    "zarrc._ext": "Cython over csrc/ C kernels, GIL released",
    "zarrc.errors": "the exception hierarchy",
}
ACROSS = "across the library"
ROLES[ACROSS] = "rules over many modules"
SIDE = ["zarrc.indexing", "zarrc.storage", "zarrc._ext", "zarrc.errors", ACROSS]

W_MAIN, W_SIDE, BOX_H, GAP, PAD = 430, 400, 40, 8, 24
FONT = "font-family='DejaVu Sans, Verdana, sans-serif'"


def contracts(pyproject: Path = ROOT / "pyproject.toml") -> tuple[list[str], dict[str, list[str]]]:
    """The layers, top first, and per module the names of the forbidden contracts it is under
    (a contract over several modules is listed under ``ACROSS``)."""
    found = tomllib.loads(pyproject.read_text())["tool"]["importlinter"]["contracts"]
    layers = next(c["layers"] for c in found if c["type"] == "layers")
    rules: dict[str, list[str]] = {}
    for c in found:
        if c["type"] == "forbidden":
            sources = c["source_modules"]
            rules.setdefault(sources[0] if len(sources) == 1 else ACROSS, []).append(c["name"])
    return layers, rules


def _box(x: int, y: int, w: int, h: int, title: str, text: str, fill: str, dash: bool) -> str:
    style = " stroke-dasharray='5 3'" if dash else ""
    return (f"<rect x='{x}' y='{y}' width='{w}' height='{h}' rx='6' fill='{fill}' "
            f"stroke='#37474f'{style}/>"
            f"<text x='{x + 10}' y='{y + 16}' {FONT} font-size='13' font-weight='bold' "
            f"fill='#102027'>{escape(title)}</text>"
            f"<text x='{x + 10}' y='{y + 32}' {FONT} font-size='11' fill='#37474f'>"
            f"{escape(text)}</text>")


def _module(parts: list[str], x: int, y: int, w: int, module: str,
            rules: dict[str, list[str]], fill: str, dash: bool) -> int:
    """One module's box, its role and its forbidden-import rules; the y below it."""
    lines = []
    for note in rules.get(module, []):  # about 6 px a character at this size
        wrapped = textwrap.wrap(note, width=(w - 30) // 6)
        lines += ["• " + wrapped[0]] + ["  " + line for line in wrapped[1:]]
    h = BOX_H + 15 * len(lines)
    parts.append(_box(x, y, w, h, module, ROLES.get(module, ""), fill, dash))
    for k, line in enumerate(lines):
        parts.append(f"<text x='{x + 10}' y='{y + 48 + 15 * k}' {FONT} font-size='10.5' "
                     f"fill='#6d4c41' xml:space='preserve'>{escape(line)}</text>")
    return y + h + GAP


def svg(layers: list[str], rules: dict[str, list[str]]) -> str:
    """The diagram as an SVG document (deterministic: the same contract, the same bytes)."""
    top = PAD + 30
    side_x = PAD + 40 + W_MAIN + 50
    parts = [f"<text x='{PAD + 40}' y='{PAD + 12}' {FONT} font-size='14' font-weight='bold' "
             "fill='#102027'>Layers: each imports only those below it</text>",
             f"<text x='{side_x}' y='{PAD + 12}' {FONT} font-size='14' font-weight='bold' "
             "fill='#102027'>Beside them, kept apart</text>"]
    y = top
    for i, module in enumerate(layers):
        fill = "#e3f2fd" if i % 2 == 0 else "#bbdefb"
        y = _module(parts, PAD + 40, y, W_MAIN, module, rules, fill, False)
    main_h = y - GAP - top
    # the flow: a selection goes down the stack, bytes come back up
    x = PAD + 16
    parts.append(f"<line x1='{x}' y1='{top}' x2='{x}' y2='{top + main_h}' stroke='#1565c0' "
                 "stroke-width='2' marker-end='url(#down)' marker-start='url(#up)'/>")
    parts.append(f"<text x='{x - 6}' y='{top + main_h / 2}' {FONT} font-size='11' "
                 f"fill='#1565c0' text-anchor='middle' transform='rotate(-90 {x - 6} "
                 f"{top + main_h / 2})'>a selection flows down, bytes flow up</text>")
    y = top
    for module in SIDE:
        y = _module(parts, side_x, y, W_SIDE, module, rules, "#fff8e1", True)
    width = side_x + W_SIDE + PAD
    height = max(top + main_h, y - GAP) + PAD
    markers = ("<defs>"
               "<marker id='down' markerWidth='10' markerHeight='10' refX='5' refY='8' "
               "orient='0' markerUnits='userSpaceOnUse'><path d='M0,0 L10,0 L5,9 z' "
               "fill='#1565c0'/></marker>"
               "<marker id='up' markerWidth='10' markerHeight='10' refX='5' refY='2' "
               "orient='0' markerUnits='userSpaceOnUse'><path d='M0,10 L10,10 L5,1 z' "
               "fill='#1565c0'/></marker></defs>")
    return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
            f"viewBox='0 0 {width} {height}' role='img' aria-label='zarrc layers'>"
            f"<title>zarrc layers (from the import-linter contracts in pyproject.toml)</title>"
            f"{markers}<rect width='100%' height='100%' fill='white'/>"
            + "".join(parts) + "</svg>\n")


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(svg(*contracts()))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
