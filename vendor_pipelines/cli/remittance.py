"""`vendor-pipelines remittance check`: finance checks a file before it goes into the inbox."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "remittance", help="remittance files: check one before it goes into the inbox"
    )
    commands = parser.add_subparsers(dest="remittance_command", required=True, metavar="COMMAND")
    check = commands.add_parser(
        "check",
        help="parse and classify remittance files (no warehouse needed)",
        description=(
            "Reads each file as the inbox would (EDI 820, or a Vendor Central payments export "
            "in any of its shapes and encodings) and lists its items in file order with their "
            "deduction class, the invoice each settles or adjusts and what each reversal "
            "points at. Exit 0 when every file is accepted, 1 otherwise."
        ),
    )
    check.add_argument("files", nargs="+", type=Path, metavar="FILE")
    check.add_argument("--json", action="store_true", help="print JSON instead of a table")
    check.set_defaults(handler=run_check)


def run_check(args: argparse.Namespace) -> int:
    from vendor_pipelines.finance.remittance_check import check_file, render_json, render_table

    checked = [check_file(path) for path in args.files]
    print(render_json(checked) if args.json else render_table(checked))
    return 0 if all(c.accepted for c in checked) else 1
