"""`vendor-pipelines demo`: materialize the whole graph against the embedded default."""

from __future__ import annotations

import argparse
import contextlib
import threading
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
    if args.dagster_home is not None:
        check_folder("--dagster-home", args.dagster_home)
    _parse_dbt_meanwhile()
    from vendor_pipelines.demo import run_demo

    return run_demo(args.dagster_home, verbose=args.verbose)


def _parse_dbt_meanwhile() -> None:
    """On a new checkout the definitions wait for `dbt parse` (5 to 6 s, a process of its own):
    start it now, so it runs while this process imports Dagster and the definitions. Their own
    `ensure_manifest` waits on the same lock and finds the manifest fresh; a parse that fails
    here fails again there, where its error is reported."""
    from vendor_pipelines.connections import load_configuration
    from vendor_pipelines.dbt_project import ensure_manifest, manifest_is_stale

    if not manifest_is_stale():
        return
    warehouse = load_configuration().duckdb_path

    def parse() -> None:
        with contextlib.suppress(Exception):
            ensure_manifest(warehouse)

    threading.Thread(target=parse, name="dbt-parse", daemon=True).start()
