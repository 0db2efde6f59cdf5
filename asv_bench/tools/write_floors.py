"""Print zarrc's whole-array writes beside their floor (``benchmarks/floors.py``), in ms.

Run from the project root with the project's venv; ``ZARRC_ASV_SIDE`` sets the array side
(8192 is the peer harness's full size; 4096 gives ``write_sharded``'s 256 inner chunks)::

    ZARRC_ASV_SIDE=8192 .venv/bin/python asv_bench/tools/write_floors.py
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from benchmarks.floors import WriteFloors


def main() -> int:
    for codec in WriteFloors.params:
        bench = WriteFloors()
        bench.setup(codec)
        zarrc = bench.zarrc_seconds()
        encode, files = bench.floor_parts()
        print(f"{codec:20s} zarrc {zarrc * 1e3:7.1f} ms   floor {(encode + files) * 1e3:7.1f} ms "
              f"(encode {encode * 1e3:.1f} + files {files * 1e3:.1f})   "
              f"ratio {zarrc / (encode + files):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
