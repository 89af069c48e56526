"""``astrolearn data``: list, describe and cite the bundled datasets."""

from __future__ import annotations

import argparse
import sys


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action",
        choices=["list", "cite", "describe"],
        nargs="?",
        default="list",
        help="list the datasets, or cite or describe one (default: list)",
    )
    parser.add_argument("name", nargs="?", help="dataset name, for cite and describe")


def run(args: argparse.Namespace) -> int:
    from astrolearn import data

    if args.action == "list":
        data.datasets()["name", "rows", "size_kb", "survey", "description"].pprint_all()
        return 0
    if not args.name:
        print(
            f"astrolearn data {args.action} needs a dataset name, such as: astrolearn data "
            f"{args.action} gaia_pleiades (astrolearn data list shows them all)",
            file=sys.stderr,
        )
        return 2
    try:
        print(data.cite(args.name) if args.action == "cite" else data.describe(args.name))
    except data.UnknownDatasetError as error:
        print(error, file=sys.stderr)
        return 2
    return 0
