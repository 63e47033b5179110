"""`vendor-pipelines demo`: materialize the whole graph against the embedded default."""

from __future__ import annotations

import argparse
from pathlib import Path

from vendor_pipelines.arguments import check_folder


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo", help="materialize every asset against the embedded sandbox and print a summary"
    )
    parser.add_argument(
        "--dagster-home",
        type=Path,
        default=None,
        help="Dagster home to record the runs in (default: dagster_home beside the warehouse,"
        " data/dagster_home as `make dev` for the default DUCKDB_PATH)",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="print dbt's and Dagster's output here too (default: demo.log in the Dagster home)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from vendor_pipelines.demo import run_demo

    if args.dagster_home is not None:
        check_folder("--dagster-home", args.dagster_home)
    return run_demo(args.dagster_home, verbose=args.verbose)
