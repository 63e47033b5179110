"""`vendor-pipelines demo`: materialize the whole graph against the embedded default."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo", help="materialize every asset against the embedded sandbox and print a summary"
    )
    parser.add_argument(
        "--dagster-home",
        type=Path,
        default=None,
        help="Dagster home to record the runs in (default: data/dagster_home, as `make dev`)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from vendor_pipelines.demo import DAGSTER_HOME, run_demo

    return run_demo(args.dagster_home or DAGSTER_HOME)
