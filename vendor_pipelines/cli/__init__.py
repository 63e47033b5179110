"""`vendor-pipelines`: the project's console command.

Subcommands live in sibling modules, each with `register(subparsers)`; the simulator's own
(`sandbox`, `bench`, `soak`) come from `vendor_sandbox` through `connections.py`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from vendor_pipelines.arguments import OneLineParser, configuration_error_in
from vendor_pipelines.cli import close, demo, disputes, query, remittance
from vendor_pipelines.connections import register_simulator_commands
from vendor_pipelines.exceptions import runbook
from vendor_pipelines.settings import one_line


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="vendor-pipelines",
        description="Amazon Vendor Central <-> NetSuite pipelines (Dagster + DuckDB + dbt).",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo.register(subparsers)
    register_simulator_commands(subparsers)
    for module in (remittance, runbook, query, close, disputes):
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        # A configuration or argument mistake is one line, also when it surfaced while Dagster
        # loaded the definitions (which wraps it); anything else is a bug: its traceback stays.
        error = configuration_error_in(exc)
        if error is None:
            raise
        print(f"error: {one_line(str(error))}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
