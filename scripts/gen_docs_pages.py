"""Pages of the docs site made at build time (mkdocs-gen-files runs this from mkdocs.yml).

- ``index.md``: README.md, its links made site-relative;
- ``changelog.md``: CHANGELOG.md;
- ``reference/``: the API reference, generated from ``__all__`` so a new public name appears
  without editing a page: one page per public module (``zarrc`` and every module its
  ``__all__`` names, recursively, and the optional extras' modules, EXTRAS) listing its
  names, and a page of its own for each class of the top-level ``zarrc.__all__``
  (``zarrc.Array``, ...); ``reference/SUMMARY.md`` is that section's nav (literate-nav).

Run directly (``python scripts/gen_docs_pages.py``) it prints the reference pages it would write.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import importlib.util
import inspect
import re
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOP = "zarrc"


# Public modules of the optional extras: zarrc never imports them, and building the docs must
# not need dask or xarray, so their __all__ is read from the source (mkdocstrings reads source).
EXTRAS = ("zarrc.dask", "zarrc.xarray")


@dataclasses.dataclass
class Namespace:
    """A public module: its name and, per public name, the path mkdocstrings collects."""

    name: str
    members: dict[str, str]
    classes: list[str]


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


def namespaces(top: str = TOP) -> list[Namespace]:
    """The public modules (``top`` first, then those its ``__all__`` reaches, then EXTRAS)."""
    found = []
    for module in public_modules(top):
        members, classes = {}, []
        for name in module.__all__:
            obj = getattr(module, name)
            if isinstance(obj, types.ModuleType):
                continue
            members[name] = _defining_path(module, name, obj)
            if inspect.isclass(obj):
                classes.append(name)
        found.append(Namespace(module.__name__, members, classes))
    for name in EXTRAS:
        found.append(Namespace(name, {n: f"{name}.{n}" for n in _static_all(name)}, []))
    return found


def _defining_path(module: types.ModuleType, name: str, obj) -> str:
    """Where ``module.name`` is defined (``zarrc.array.Array``): a name a package exports
    lazily through ``__getattr__`` is found there, where a reader of the source could not."""
    where = getattr(obj, "__module__", None) if inspect.isclass(obj) or callable(obj) else None
    return f"{where}.{obj.__qualname__}" if where else f"{module.__name__}.{name}"


def _static_all(module: str) -> list[str]:
    """A module's ``__all__`` read from its source, without importing it."""
    origin = importlib.util.find_spec(module).origin
    for node in ast.parse(Path(origin).read_text()).body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return list(ast.literal_eval(node.value))
    raise ValueError(f"{module} has no literal __all__")


def reference_pages(top: str = TOP) -> dict[str, tuple[str, str]]:
    """``{page path: (nav title, markdown)}`` of the API reference, in nav order."""
    pages: dict[str, tuple[str, str]] = {}
    found = namespaces(top)
    root = found[0]
    for ns in found:
        lines = [f"# `{ns.name}`", "", _module_directive(ns.name), ""]
        if ns is root:
            lines += ["Classes, each on its own page: "
                      + ", ".join(f"[`{top}.{n}`]({top}.{n}.md)" for n in root.classes) + ".",
                      "", "Modules: " + ", ".join(f"[`{m.name}`]({m.name}.md)"
                                                  for m in found[1:]) + ".", ""]
        for name, path in ns.members.items():
            if not (ns is root and name in root.classes):
                lines += [_directive(ns.name, name, path), ""]
        pages[f"reference/{ns.name}.md"] = (ns.name, "\n".join(lines))
        if ns is root:
            for name in root.classes:
                text = _directive(top, name, root.members[name], heading_level=1) + "\n"
                pages[f"reference/{top}.{name}.md"] = (f"{top}.{name}", text)
    return pages


def _directive(module: str, name: str, path: str, heading_level: int = 2) -> str:
    """The mkdocstrings block collecting ``path``, headed by the public ``module.name``."""
    return (f"::: {path}\n    options:\n      heading: \"{module}.{name}\"\n"
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
elif __name__ == "<run_path>":  # mkdocs-gen-files runs it with runpy.run_path
    main()
