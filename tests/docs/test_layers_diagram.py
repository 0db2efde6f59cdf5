"""The design page's layer diagram is drawn from the import-linter contracts and kept current."""

from __future__ import annotations

import re

from loader import ROOT, load_script

layers_diagram = load_script("scripts/layers_diagram.py")


def test_the_committed_diagram_is_the_contracts_drawing():
    committed = (ROOT / "docs" / "design" / "layers.svg").read_text()
    assert committed == layers_diagram.svg(*layers_diagram.contracts()), (
        "docs/design/layers.svg is out of date: run python scripts/layers_diagram.py")


def test_every_layer_is_drawn_top_down_with_its_rules(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('''
[[tool.importlinter.contracts]]
name = "Layers"
type = "layers"
layers = ["zarrc.api", "zarrc.newlayer", "zarrc.metadata"]

[[tool.importlinter.contracts]]
name = "newlayer reads no files"
type = "forbidden"
source_modules = ["zarrc.newlayer"]
forbidden_modules = ["zarrc.storage"]

[[tool.importlinter.contracts]]
name = "api and metadata import no plotting library at all, whatever may come to need one later"
type = "forbidden"
source_modules = ["zarrc.api", "zarrc.metadata"]
forbidden_modules = ["matplotlib"]
''')
    layers, rules = layers_diagram.contracts(pyproject)
    assert layers == ["zarrc.api", "zarrc.newlayer", "zarrc.metadata"]
    svg = layers_diagram.svg(layers, rules)
    titles = re.findall(r"font-weight='bold' fill='#102027'>(zarrc\.[\w.]+)<", svg)
    assert titles[:3] == layers  # the stack, in the contract's order
    assert "• newlayer reads no files" in svg
    assert "across the library" in svg  # a contract over several modules, its name wrapped
    assert "• api and metadata import no plotting library at all, whatever" in svg
    assert ">  may come to need one later<" in svg
