"""The code examples of the docs pages: find them and run them as a reader would.

Every ```python (or ```pycon) block of README.md and of every page under docs/ runs, page by
page in order, in one namespace per page, in a fresh working directory that is also on
``sys.path``. What a block prints is checked where the page shows it:

- a block of ``>>>`` lines is a doctest: each statement's output is the text below it;
- any other block's printed output must match a ```text title="Output" block right after it
  (doctest's comparison, so ``...`` stands for any text and runs of blanks are equal);
- a block whose first line is ``# file: NAME.py`` is a module the later blocks import: it is
  written to the working directory, not run;
- a block whose first line starts with ``# needs the network`` is not run (this machine reaches
  no network); the tests list every such block. No other opt-out exists.

Run as a script (``python doc_examples.py PAGE``) it runs one page in the current directory
and exits non-zero with the failing block's place and traceback.
"""

from __future__ import annotations

import contextlib
import dataclasses
import doctest
import io
import re
import sys
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUN_LANGUAGES = {"python", "py", "pycon"}
NETWORK_MARKER = "# needs the network"
FILE_MARKER = re.compile(r"# file: ([A-Za-z_][A-Za-z0-9_]*\.py)\s*$")
OUTPUT_INFO = re.compile(r'^text\s+title="Output"\s*$')
_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<info>.*?)\s*$")
_OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


class DocExampleError(AssertionError):
    """A docs example that failed: raised, or printed something else than the page shows."""


@dataclasses.dataclass
class Block:
    """One fenced code block: where it starts (1-based line of its first code line), its
    info string (language and attributes) and its code, dedented to the fence."""

    page: Path
    line: int
    info: str
    code: str
    output: str | None = None  # the Output block right after it, for an exec block

    @property
    def language(self) -> str:
        return self.info.split()[0].lower() if self.info else ""

    @property
    def where(self) -> str:
        try:
            name = self.page.relative_to(ROOT)
        except ValueError:
            name = self.page
        return f"{name}:{self.line}"

    @property
    def first_line(self) -> str:
        return self.code.lstrip("\n").split("\n", 1)[0].strip()

    @property
    def kind(self) -> str:
        """``doctest``, ``exec``, ``file`` or ``network``."""
        if self.first_line.startswith(NETWORK_MARKER):
            return "network"
        if FILE_MARKER.fullmatch(self.first_line):
            return "file"
        return "doctest" if self.first_line.startswith(">>>") else "exec"


def pages(root: Path = ROOT) -> list[Path]:
    """README.md and every Markdown page under docs/, sorted."""
    return [root / "README.md", *sorted((root / "docs").rglob("*.md"))]


def fenced_blocks(page: Path) -> list[Block]:
    """Every fenced code block of `page`, in order (a fence may be indented, as in a list)."""
    lines = page.read_text().split("\n")
    found: list[Block] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, info = len(m["indent"]), m["fence"], m["info"]
        body: list[str] = []
        j = i + 1
        while j < len(lines):
            close = _FENCE.match(lines[j])
            if close and close["fence"][0] == fence[0] and len(close["fence"]) >= len(fence) \
                    and not close["info"]:
                break
            line = lines[j]
            body.append(line[indent:] if not line[:indent].strip() else line.lstrip())
            j += 1
        found.append(Block(page, i + 2, info, "".join(line + "\n" for line in body)))
        i = j + 1
    return found


def blocks(page: Path) -> list[Block]:
    """The blocks of `page` that run (or opt out), each with the Output block that follows it."""
    result: list[Block] = []
    fenced = fenced_blocks(page)
    attached: set[int] = set()
    for n, block in enumerate(fenced):
        if block.language not in RUN_LANGUAGES:
            continue
        if block.first_line.startswith("# needs") and block.kind != "network":
            raise DocExampleError(f"{block.where}: the only opt-out is {NETWORK_MARKER!r}")
        nxt = fenced[n + 1] if n + 1 < len(fenced) else None
        if nxt is not None and OUTPUT_INFO.match(nxt.info) and _only_blank_between(block, nxt):
            if block.kind != "exec":
                raise DocExampleError(f"{nxt.where}: an Output block follows a {block.kind} block")
            block.output = nxt.code
            attached.add(n + 1)
        result.append(block)
    for n, block in enumerate(fenced):  # an Output block nothing checks would mislead
        if OUTPUT_INFO.match(block.info) and n not in attached:
            raise DocExampleError(f"{block.where}: an Output block must follow its python block")
    return result


def _only_blank_between(block: Block, nxt: Block) -> bool:
    lines = block.page.read_text().split("\n")
    end = block.line - 1 + block.code.count("\n")  # index of block's closing fence
    return all(not line.strip() for line in lines[end + 1:nxt.line - 2])


def run_page(page: Path, workdir: Path) -> int:
    """Run the examples of `page` in `workdir`; the number of blocks run. Raises
    DocExampleError naming the block that failed."""
    namespace: dict = {"__name__": "__main__"}
    ran = 0
    for block in blocks(page):
        if block.kind == "network":
            continue
        if block.kind == "file":
            name = FILE_MARKER.fullmatch(block.first_line)[1]
            (workdir / name).write_text(block.code)
            continue
        if block.kind == "doctest":
            _run_doctest(block, namespace)
        else:
            _run_exec(block, namespace)
        ran += 1
    return ran


def _run_exec(block: Block, namespace: dict) -> None:
    printed = io.StringIO()
    try:
        code = compile("\n" * (block.line - 1) + block.code, str(block.page), "exec")
        with contextlib.redirect_stdout(printed):
            exec(code, namespace)
    except Exception:
        raise DocExampleError(f"{block.where}: the example raised\n{traceback.format_exc()}"
                              f"printed before:\n{printed.getvalue()}") from None
    if block.output is not None:
        checker = doctest.OutputChecker()
        if not checker.check_output(block.output, printed.getvalue(), _OPTIONS):
            example = doctest.Example("", block.output)
            diff = checker.output_difference(example, printed.getvalue(), _OPTIONS)
            raise DocExampleError(f"{block.where}: printed output differs from the page\n{diff}")


def _run_doctest(block: Block, namespace: dict) -> None:
    test = doctest.DocTestParser().get_doctest(
        block.code, namespace, block.where, str(block.page), block.line - 1
    )
    report = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=_OPTIONS)
    result = runner.run(test, out=report.write, clear_globs=False)
    namespace.update(test.globs)
    if result.failed:
        raise DocExampleError(f"{block.where}: doctest failed\n{report.getvalue()}")


def main(argv: list[str]) -> int:
    page = Path(argv[1]).resolve()
    workdir = Path.cwd()
    sys.path.insert(0, str(workdir))
    try:
        ran = run_page(page, workdir)
    except DocExampleError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"{ran} blocks ran")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
