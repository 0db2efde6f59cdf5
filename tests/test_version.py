"""One version, everywhere: ``zarrc.__version__``, the installed metadata, ``zarrc --version``
and CHANGELOG.md."""

import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

import zarrc

ROOT = Path(__file__).resolve().parents[1]


def test_the_version_is_the_installed_distributions():
    assert zarrc.__version__ == importlib.metadata.version("zarrc")
    assert re.fullmatch(r"\d+\.\d+\.\d+((a|b|rc)\d+)?(\.dev\d+)?", zarrc.__version__)


def test_pyproject_reads_the_version_from_one_file():
    text = (ROOT / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in text and "\nversion =" not in text.split("[tool.")[0]
    assert 'version = {attr = "zarrc._version.__version__"}' in text


def test_the_cli_prints_the_version_first():
    proc = subprocess.run([sys.executable, "-m", "zarrc.cli", "--version"],
                          capture_output=True, text=True, check=True)
    assert proc.stdout.splitlines()[0] == f"zarrc {zarrc.__version__}"


def test_the_changelog_has_the_current_version():
    headings = re.findall(r"^## (.+)$", (ROOT / "CHANGELOG.md").read_text(), flags=re.M)
    assert headings[0] == "Unreleased"
    assert any(h.startswith(f"{zarrc.__version__} ") or h == zarrc.__version__ for h in headings)
