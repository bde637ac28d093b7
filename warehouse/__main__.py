"""Command line: ``python -m warehouse {demo,build,load,inspect,publish,check,checksum} ...``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m warehouse", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="write the demo borough's source files into OUTDIR")
    p.add_argument("outdir", type=Path)
    p.add_argument("--seed", type=int, default=None)

    p = sub.add_parser("build", help="build the warehouse from a source folder and swap it in")
    p.add_argument("--source", type=Path, default=None,
                   help="source folder (default: the demo borough, generated if missing)")
    p.add_argument("--target", type=Path, default=None, help="default: $WAREHOUSE_PATH")
    p.add_argument("--max-bad-share", type=float, default=None,
                   help="refuse a file whose share of bad rows is above this (default: "
                        "$MAX_BAD_SHARE, 1: never; bad rows are quarantined, good rows load)")
    p.add_argument("--wait", type=float, default=None, metavar="SECONDS",
                   help="how long to wait for another build or load to finish (default 60)")

    p = sub.add_parser("load", help="load files of one kind into the warehouse (copy, load, swap)")
    p.add_argument("kind")
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--target", type=Path, default=None)
    p.add_argument("--max-bad-share", type=float, default=None,
                   help="refuse a file whose share of bad rows is above this (default: "
                        "$MAX_BAD_SHARE, 1: never; bad rows are quarantined, good rows load)")
    p.add_argument("--authority", default=None,
                   help="outturn only: the authority's E-code (E5011) or ONS code (E09000007)")
    p.add_argument("--period", default=None,
                   help="spend only: the month (YYYY-MM) or day (YYYY-MM-DD) of every payment "
                        "of a file whose date column holds no usable date")
    p.add_argument("--wait", type=float, default=None, metavar="SECONDS",
                   help="how long to wait for another build or load to finish (default 60)")

    p = sub.add_parser("inspect", help="say how a spend file will be read (columns, encoding, "
                                       "dates, total, labels not yet mapped); writes nothing")
    p.add_argument("file", type=Path)
    p.add_argument("--target", type=Path, default=None,
                   help="the warehouse whose mappings are read (read-only; default: "
                        "$WAREHOUSE_PATH)")
    p.add_argument("--mapping-template", type=Path, default=None, metavar="OUT",
                   help="write a mapping file for the labels not yet mapped, with suggested "
                        "services to check")

    sub.add_parser("fetch", add_help=False,
                   help="download Fingertips indicators for an area into an export-format CSV "
                        "(options: python -m warehouse fetch --help)")

    p = sub.add_parser("publish", help="write the public warehouse file: published rows only")
    p.add_argument("out", type=Path)
    p.add_argument("--source", type=Path, default=None, help="default: $WAREHOUSE_PATH")

    p = sub.add_parser("check", help="run the data checks on a warehouse file")
    p.add_argument("--target", type=Path, default=None)

    p = sub.add_parser("checksum", help="print a checksum of every table's contents")
    p.add_argument("--target", type=Path, default=None)

    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["fetch"]:
        from warehouse.loaders.fetch_fingertips import main as fetch_main

        return fetch_main(argv[1:])
    args = parser.parse_args(argv)
    if args.command == "demo":
        from warehouse import demo

        out = demo.generate(args.outdir, seed=args.seed or demo.SEED)
        print(f"wrote the demo borough's source files to {out}")
        return 0
    if args.command == "build":
        from warehouse.build import main_build

        return main_build(args)
    if args.command == "load":
        from warehouse.load import main_load

        return main_load(args)
    if args.command == "inspect":
        from warehouse.inspection import main_inspect

        return main_inspect(args)
    if args.command == "publish":
        from warehouse.publish import main_publish

        return main_publish(args)
    if args.command == "check":
        from warehouse.tools import main_check

        return main_check(args)
    if args.command == "checksum":
        from warehouse.tools import main_checksum

        return main_checksum(args)
    return 2  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())
