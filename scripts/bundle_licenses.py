"""Put the license files of the C libraries auditwheel bundled into an unpacked wheel.

``auditwheel repair`` copies the shared libraries into ``zarrc.libs/`` and lists the system
packages they came from in ``*.dist-info/sboms/auditwheel.cdx.json``, but their licenses (BSD
for zstd, lz4, blosc and snappy, MIT for libdeflate) ask that binary copies carry the copyright
notice, and auditwheel adds none. This copies each package's notice from the system (Debian:
``/usr/share/doc/<package>/copyright``; RPM: ``/usr/share/licenses/<package>/``) into
``zarrc.libs/licenses/`` and fails when one cannot be found. Used by scripts/wheel.sh:

    python scripts/bundle_licenses.py UNPACKED_WHEEL_DIR
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from urllib.parse import unquote


def bundled_packages(wheel_dir: Path) -> list[tuple[str, str]]:
    """``(kind, name)`` of each system package the SBOM lists (``("deb", "libzstd1")``)."""
    sboms = list(wheel_dir.glob("*.dist-info/sboms/auditwheel.cdx.json"))
    if not sboms:
        return []  # nothing was bundled
    found = []
    for component in json.loads(sboms[0].read_text())["components"]:
        purl = component.get("purl", "")
        if purl.startswith(("pkg:deb/", "pkg:rpm/")):
            kind = purl[4:7]
            found.append((kind, unquote(component["name"])))
    return found


def notices(kind: str, name: str) -> list[Path]:
    """The files holding the copyright notice of the system package ``name``."""
    if kind == "deb":
        path = Path("/usr/share/doc") / name / "copyright"
        return [path] if path.is_file() else []
    directory = Path("/usr/share/licenses") / name
    return sorted(p for p in directory.glob("*") if p.is_file()) if directory.is_dir() else []


def main(argv: list[str]) -> int:
    wheel_dir = Path(argv[1])
    target = wheel_dir / "zarrc.libs" / "licenses"
    missing = []
    for kind, name in bundled_packages(wheel_dir):
        files = notices(kind, name)
        if not files:
            missing.append(name)
        for path in files:
            target.mkdir(parents=True, exist_ok=True)
            out = target / (f"{name}.copyright" if len(files) == 1 else f"{name}.{path.name}")
            shutil.copyfile(path, out)
            print(f"wheel: bundled {name}'s license as zarrc.libs/licenses/{out.name}")
    if missing:
        print(f"wheel: no license file found for the bundled {', '.join(missing)}: a wheel must "
              f"carry them; install them or add them by hand", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
