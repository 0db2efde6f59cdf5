"""The ``zarrc`` command: ``zarrc info PATH``, ``zarrc tree PATH``, ``zarrc demo [DIR]``,
``zarrc convert SRC DEST`` and ``zarrc convert --in-place PATH``."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any, TextIO

__all__ = ["main"]


def _info(args: argparse.Namespace) -> int:
    import zarrc

    node = zarrc.open(args.path, mode="r", path=args.node)
    print(node.info_complete())
    return 0


def _tree(args: argparse.Namespace) -> int:
    import zarrc

    node = zarrc.open(args.path, mode="r", path=args.node)
    if isinstance(node, zarrc.Array):
        print(f"{node.name} {node.shape} {node.dtype}")
    else:
        print(node.tree(max_depth=args.depth))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from zarrc.demo import run_demo

    run_demo(args.dir, size=args.size)
    return 0


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: TextIO | None = None, line: str | None = None) -> None:
    """Warnings as one line for the user of the command, without a line of source."""
    print(f"zarrc: warning: {message}", file=sys.stderr)


def _usage(message: str) -> int:
    print(f"zarrc: error: {message}", file=sys.stderr)
    return 2


def _convert(args: argparse.Namespace) -> int:
    import json

    import zarrc

    if args.in_place:
        if args.dest is not None or args.codec or args.zarr_format != 3:
            return _usage("convert --in-place upgrades v2 metadata to v3 where it is: give "
                          "only PATH (no DEST, --codec or --zarr-format)")
        node = zarrc.upgrade_v2_to_v3(args.src, path=args.node)
        print(f"upgraded {args.src} ({node.name}) to zarr_format 3 in place")
        return 0
    if args.dest is None:
        return _usage("convert needs SRC and DEST (or --in-place PATH)")
    codecs = None
    if args.codec:
        try:
            codecs = [json.loads(c) if c.lstrip()[:1] in "{[" else c for c in args.codec]
        except json.JSONDecodeError as exc:
            return _usage(f"--codec: invalid JSON: {exc}")
    try:
        node = zarrc.convert(args.src, args.dest, zarr_format=args.zarr_format, codecs=codecs,
                             path=args.node, dest_path=args.dest_node, overwrite=args.overwrite,
                             progress=_progress(args.progress))
    except (zarrc.errors.ContainsArrayError, zarrc.errors.ContainsGroupError) as exc:
        kind = "an array" if isinstance(exc, zarrc.errors.ContainsArrayError) else "a group"
        where = f" at {args.dest_node!r}" if args.dest_node else ""
        print(f"zarrc: error: {args.dest} already holds {kind}{where}; rerun with --overwrite "
              "to replace it", file=sys.stderr)
        return 1
    node.store.close()  # commits a .zip destination
    print(f"converted {args.src} to {args.dest} (zarr_format {node.zarr_format})")
    return 0


def _progress(asked: bool | None) -> bool:
    """``--progress`` / ``--no-progress``, else a bar exactly when stderr is a terminal (never
    in a pipe or a file) and tqdm is installed."""
    if asked is not None:
        return asked
    if not sys.stderr.isatty():
        return False
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return False
    return True


def version_text() -> str:
    """What ``zarrc --version`` prints: the version line first (``zarrc X.Y.Z``), then what the
    build has (``zarrc.show_config()``: the native engine, its codecs, their libraries)."""
    from zarrc.buildinfo import config_text

    return config_text()


class _Version(argparse.Action):
    """``--version``: print :func:`version_text` as it is (argparse's own action rewraps it)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: Any = argparse.SUPPRESS,
                 help: str = "print the version and what this build has (native engine, codecs)",
                 ) -> None:
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: str | Sequence[Any] | None, option_string: str | None = None) -> None:
        print(version_text())
        parser.exit()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="zarrc", description="Inspect and convert Zarr v2/v3 data; run the demo.")
    parser.add_argument("--version", action=_Version)
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
    p = sub.add_parser("convert", help="copy to another format/store, or upgrade v2 to v3 "
                       "in place (--in-place)")
    p.add_argument("src", help="source store: directory, .zip file or URL")
    p.add_argument("dest", nargs="?", default=None, help="destination store")
    p.add_argument("--zarr-format", type=int, choices=(2, 3), default=3)
    p.add_argument("--codec", action="append", default=[], metavar="JSON",
                   help="a codec of the new pipeline (a name or JSON); repeat in order")
    p.add_argument("--overwrite", action="store_true", help="replace what is at DEST")
    p.add_argument("--node", default=None, help="path of the source node inside SRC")
    p.add_argument("--dest-node", default=None, help="path of the copy inside DEST")
    p.add_argument("--in-place", action="store_true",
                   help="rewrite v2 metadata of SRC as v3, keeping every chunk as it is")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="show a progress bar (default: on a terminal, when tqdm is installed)")
    p.set_defaults(run=_convert)
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            run: Callable[[argparse.Namespace], int] = args.run
            return run(args)
    except (KeyError, ValueError, OSError) as exc:
        from zarrc.errors import ZarrcError

        if isinstance(exc, (ZarrcError, FileNotFoundError)):
            print(f"zarrc: error: {exc}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
