"""Pages of the docs site made at build time (mkdocs-gen-files runs this from mkdocs.yml).

- ``index.md``: README.md, its links made site-relative;
- ``changelog.md``: CHANGELOG.md;
- ``reference/``: the API reference, generated from ``__all__`` so a new public name appears
  without editing a page: one page per public module (``zarrc`` and every module its
  ``__all__`` names, recursively) listing its names, and a page of its own for each class of
  the top-level ``zarrc.__all__`` (``zarrc.Array``, ...); ``reference/SUMMARY.md`` is that
  section's nav (mkdocs-literate-nav).

Run directly (``python scripts/gen_docs_pages.py``) it prints the reference pages it would write.
"""

from __future__ import annotations

import importlib
import inspect
import re
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOP = "zarrc"


def public_modules(top: str = TOP) -> list[types.ModuleType]:
    """``top`` and every module named in a public ``__all__`` below it, in discovery order."""
    found: list[types.ModuleType] = []
    pending = [importlib.import_module(top)]
    while pending:
        module = pending.pop(0)
        if module in found:
            continue
        found.append(module)
        for name in module.__all__:
            obj = getattr(module, name)
            if isinstance(obj, types.ModuleType) and obj.__name__.startswith(top + "."):
                pending.append(obj)
    return found


def reference_pages(top: str = TOP) -> dict[str, tuple[str, str]]:
    """``{page path: (nav title, markdown)}`` of the API reference, in nav order."""
    pages: dict[str, tuple[str, str]] = {}
    own_pages: list[str] = []
    modules = public_modules(top)
    root = modules[0]
    for name in root.__all__:
        if inspect.isclass(getattr(root, name)):
            own_pages.append(name)
    for module in modules:
        names = [
            n for n in module.__all__
            if not isinstance(getattr(module, n), types.ModuleType)
            and not (module is root and n in own_pages)
        ]
        lines = [f"# `{module.__name__}`", "", _module_directive(module.__name__), ""]
        if module is root:
            lines += ["Classes, each on its own page: "
                      + ", ".join(f"[`{top}.{n}`]({top}.{n}.md)" for n in own_pages) + ".", "",
                      "Modules: " + ", ".join(f"[`{m.__name__}`]({m.__name__}.md)"
                                              for m in modules[1:]) + ".", ""]
        for name in names:
            lines += [_directive(module, name), ""]
        pages[f"reference/{module.__name__}.md"] = (module.__name__, "\n".join(lines))
        if module is root:
            for name in own_pages:
                text = _directive(root, name, heading_level=1) + "\n"
                pages[f"reference/{top}.{name}.md"] = (f"{top}.{name}", text)
    return pages


def _directive(module: types.ModuleType, name: str, heading_level: int = 2) -> str:
    """The mkdocstrings block of ``module.name``, headed by that public name.

    Objects are collected where they are defined (``zarrc.array.Array``): a name a package
    only re-exports, or exports lazily through ``__getattr__``, is found there too.
    """
    obj = getattr(module, name)
    where = getattr(obj, "__module__", None) if inspect.isclass(obj) or callable(obj) else None
    path = f"{where}.{obj.__qualname__}" if where else f"{module.__name__}.{name}"
    return (f"::: {path}\n    options:\n      heading: \"{module.__name__}.{name}\"\n"
            f"      toc_label: \"{name}\"\n      heading_level: {heading_level}")


def _module_directive(module: str) -> str:
    """The module's own docstring, without its members (they follow one by one)."""
    return (f"::: {module}\n    options:\n      members: false\n      show_root_heading: false\n"
            "      show_root_toc_entry: false")


def reference_summary(pages: dict[str, tuple[str, str]]) -> str:
    """The literate-nav file of reference/: every page, in order."""
    return "".join(f"* [{title}]({Path(path).name})\n" for path, (title, _) in pages.items())


def home_page() -> str:
    """README.md with its links made site-relative: ``docs/x.md`` is the page ``x.md``,
    ``CHANGELOG.md`` the generated ``changelog.md``."""
    text = (ROOT / "README.md").read_text()
    return re.sub(r"\]\(docs/", "](", text).replace("](CHANGELOG.md)", "](changelog.md)")


def main() -> None:
    import mkdocs_gen_files

    with mkdocs_gen_files.open("index.md", "w") as fh:
        fh.write(home_page())
    mkdocs_gen_files.set_edit_path("index.md", "../README.md")
    with mkdocs_gen_files.open("changelog.md", "w") as fh:
        fh.write((ROOT / "CHANGELOG.md").read_text())
    pages = reference_pages()
    for path, (_, text) in pages.items():
        with mkdocs_gen_files.open(path, "w") as fh:
            fh.write(text)
    with mkdocs_gen_files.open("reference/SUMMARY.md", "w") as fh:
        fh.write(reference_summary(pages))


if __name__ == "__main__":
    for path, (title, _) in reference_pages().items():
        print(f"{path}  ({title})")
    sys.exit(0)
else:
    main()
