"""`vendor-pipelines demo`: materialize the whole graph against the embedded default."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo", help="materialize every asset against the embedded sandbox and print a summary"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from vendor_pipelines.demo import run_demo

    return run_demo()
