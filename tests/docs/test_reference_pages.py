"""The API reference pages come from the public ``__all__``s: every public name has its
mkdocstrings block, and a name added to an ``__all__`` appears with no page edited."""

from __future__ import annotations

import re
import types

from loader import load_script

import zarrc

gen = load_script("scripts/gen_docs_pages.py")


def _collected(pages) -> dict[str, str]:
    """``{heading: collected path}`` over every page."""
    found = {}
    for _, text in pages.values():
        for path, heading in re.findall(r'^::: (\S+)\n(?:    .*\n)*?      heading: "([^"]+)"',
                                        text, flags=re.M):
            found[heading] = path
    return found


def test_every_public_name_has_its_block():
    pages = gen.reference_pages()
    collected = _collected(pages)
    modules = [zarrc, zarrc.codecs, zarrc.config, zarrc.errors, zarrc.storage]
    for module in modules:
        assert f"reference/{module.__name__}.md" in pages
        for name in module.__all__:
            if not isinstance(getattr(module, name), types.ModuleType):
                assert f"{module.__name__}.{name}" in collected, name
    # classes of the top level get their own page; lazily exported codecs are collected where
    # they are defined
    assert pages["reference/zarrc.Array.md"][1].startswith("::: zarrc.array.Array\n")
    assert collected["zarrc.codecs.ZstdCodec"] == "zarrc.codecs.zstd.ZstdCodec"
    # the optional extras' modules, read without importing them
    assert collected["zarrc.xarray.to_zarr"] == "zarrc.xarray.to_zarr"
    assert "zarrc.dask.to_dask" in collected
    summary = gen.reference_summary(pages)
    assert summary.splitlines()[:2] == ["* [zarrc](zarrc.md)", "* [zarrc.Array](zarrc.Array.md)"]


def test_a_new_public_name_appears_without_editing_a_page(monkeypatch):
    def brand_new(x: int) -> int:
        """A function added to zarrc.config's __all__."""
        return x

    brand_new.__module__, brand_new.__qualname__ = "zarrc.config", "brand_new"
    monkeypatch.setattr(zarrc.config, "brand_new", brand_new, raising=False)
    monkeypatch.setattr(zarrc.config, "__all__", [*zarrc.config.__all__, "brand_new"])
    collected = _collected(gen.reference_pages())
    assert collected["zarrc.config.brand_new"] == "zarrc.config.brand_new"


def test_the_home_page_is_the_readme_with_site_links():
    home = gen.home_page()
    assert "](docs/" not in home and "](CHANGELOG.md)" not in home
    assert "](quickstart.md)" in home and "](changelog.md)" in home
