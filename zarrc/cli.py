"""The ``zarrc`` command: ``zarrc info PATH``, ``zarrc tree PATH``, ``zarrc demo [DIR]``."""

from __future__ import annotations

import argparse
import sys

__all__ = ["main"]


def _info(args) -> int:
    import zarrc

    node = zarrc.open(args.path, mode="r", path=args.node)
    print(node.info)
    return 0


def _tree(args) -> int:
    import zarrc

    node = zarrc.open(args.path, mode="r", path=args.node)
    if isinstance(node, zarrc.Array):
        print(f"{node.name} {node.shape} {node.dtype}")
    else:
        print(node.tree(max_depth=args.depth))
    return 0


def _demo(args) -> int:
    from zarrc.demo import run_demo

    run_demo(args.dir, size=args.size)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="zarrc", description="Inspect Zarr v2/v3 data; run the demo.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("info", help="summary of an array or group")
    p.add_argument("path", help="store: directory, .zip file or URL")
    p.add_argument("--node", default=None, help="path of the node inside the store")
    p.set_defaults(run=_info)
    p = sub.add_parser("tree", help="the hierarchy below a group")
    p.add_argument("path")
    p.add_argument("--node", default=None)
    p.add_argument("--depth", type=int, default=None)
    p.set_defaults(run=_tree)
    p = sub.add_parser("demo", help="write and read a real multi-chunk dataset in v2 and v3")
    p.add_argument("dir", nargs="?", default=None, help="where to write (default: a temp dir)")
    p.add_argument("--size", type=int, default=2048, help="side of the square demo array")
    p.set_defaults(run=_demo)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (KeyError, ValueError, OSError) as exc:
        from zarrc.errors import ZarrcError

        if isinstance(exc, (ZarrcError, FileNotFoundError)):
            print(f"zarrc: error: {exc}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
