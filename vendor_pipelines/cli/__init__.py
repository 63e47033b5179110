"""`vendor-pipelines`: the project's console command.

Subcommands live in sibling modules, each with `register(subparsers)`; benchmarks are discovered
from `vendor_pipelines.bench` so adding one needs no edit here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from vendor_pipelines.cli import bench, demo, remittance, sandbox, soak
from vendor_pipelines.settings import ConfigurationError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vendor-pipelines",
        description="Amazon Vendor Central <-> NetSuite pipelines (Dagster + DuckDB + dbt).",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (demo, sandbox, bench, soak, remittance):
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
