"""Run a Markdown document's examples, so documentation cannot drift from the code."""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["python_blocks", "run_python_blocks"]


def python_blocks(doc: str | Path) -> list[str]:
    """The fenced ```python blocks of ``doc``, in order."""
    text = Path(doc).read_text()
    return re.findall(r"^```python\n(.*?)^```$", text, flags=re.M | re.S)


def run_python_blocks(doc: str | Path, module_name: str = "doc_example") -> dict:
    """Execute every ```python block of ``doc`` in order in one namespace (as a reader who
    pastes them one after the other) and return that namespace. Run it from a scratch
    directory: examples may write files."""
    namespace: dict = {"__name__": module_name}
    for block in python_blocks(doc):
        exec(compile(block, str(doc), "exec"), namespace)
    return namespace
