"""docs/stores.md runs: its tested examples (``python test`` blocks) in order, the DictStore it
shows passes the conformance suite, and its entry-point recipe loads the store from an installed
distribution's metadata."""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

import pytest

import zarrc.storage.registry as registry
from zarrc.storage import make_store
from zarrc.testing.store import StoreTests

DOC = Path(__file__).resolve().parents[2] / "docs" / "stores.md"
BLOCK = re.compile(r"^```python test\n(.*?)^```", re.DOTALL | re.MULTILINE)


def _blocks() -> list[str]:
    blocks = BLOCK.findall(DOC.read_text())
    assert len(blocks) >= 3, "docs/stores.md lost its tested examples"
    return blocks


def _dict_store_source() -> str:
    """The DictStore block up to (not including) its registration."""
    block = next(b for b in _blocks() if "class DictStore" in b)
    return block[: block.index('register_store("dict"')]


@pytest.fixture
def no_dict_scheme(monkeypatch):
    monkeypatch.delitem(registry._factories, "dict", raising=False)
    yield
    registry._factories.pop("dict", None)


def test_examples_run(no_dict_scheme):
    namespace: dict = {}
    for block in _blocks():
        exec(compile(block, str(DOC), "exec"), namespace)
    assert "dict" in registry.available_stores()


class TestDocDictStore(StoreTests):
    def make_store(self, tmp_path):
        namespace: dict = {}
        exec(compile(_dict_store_source(), str(DOC), "exec"), namespace)
        return namespace["DictStore"]()


def test_entry_point_recipe(tmp_path, monkeypatch, no_dict_scheme):
    toml = re.search(r'\[project\.entry-points\."zarrc\.stores"\]\n(\w+) = "([\w.:]+)"',
                     DOC.read_text())
    assert toml is not None, "docs/stores.md lost its entry-point recipe"
    scheme, target = toml.groups()
    module = target.split(":")[0]
    package = tmp_path / "site"
    (package / module).mkdir(parents=True)
    (package / module / "__init__.py").write_text(_dict_store_source())
    info = package / f"{module}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        textwrap.dedent(f"""\
            [zarrc.stores]
            {scheme} = {target}
            """)
    )
    monkeypatch.syspath_prepend(str(package))
    monkeypatch.setattr(registry, "_entry_points", None)  # look again, as a new process would
    try:
        store = make_store(f"{scheme}://from-an-entry-point")
        assert type(store).__module__ == module and type(store).__name__ == "DictStore"
        store.set("k", b"v")
        assert make_store(f"{scheme}://from-an-entry-point", mode="r").get("k") == b"v"
    finally:
        sys.modules.pop(module, None)
