"""`vendor-pipelines close --month YYYY-MM`: the month-end close pack from the warehouse."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path


def _month(text: str) -> date:
    from vendor_pipelines.finance.close_pack import ClosePackError, parse_month

    if len(text.strip()) != 7:
        raise argparse.ArgumentTypeError(f"month must be YYYY-MM, not {text!r}")
    try:
        return parse_month(text)
    except ClosePackError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "close",
        help="write the month-end close pack (Excel workbook with charts, one CSV per sheet)",
        description=(
            "Reads the warehouse (DUCKDB_PATH) read-only and writes close-YYYY-MM.xlsx and one "
            "CSV per sheet: summary, settlement reconciliation, cash application, open "
            "deductions aging (as of the month end), GL postings, unapplied cash and the "
            "clearing account roll-forward. A month still running is packed to date."
        ),
    )
    parser.add_argument(
        "--month", required=True, type=_month, metavar="YYYY-MM", help="settlement month"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="output folder (default: close/ beside the warehouse, i.e. data/close/)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import duckdb

    from vendor_pipelines.finance.close_pack import ClosePackError, build_close_pack, open_warehouse
    from vendor_pipelines.settings import load_settings

    warehouse = load_settings().duckdb_path
    out_dir = (args.out or warehouse.expanduser().resolve().parent / "close").resolve()
    try:
        with open_warehouse(warehouse) as conn:
            pack = build_close_pack(conn, args.month, out_dir)
    except ClosePackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except duckdb.Error as exc:  # e.g. a finance layer older than this command
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        print(f"error: cannot read the warehouse {warehouse}: {first_line}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(
            f"error: cannot write the close pack to {out_dir}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 1
    print(f"close pack {args.month:%Y-%m}: {pack.workbook}")
    for slug, path in pack.csv_files.items():
        print(f"  {pack.row_counts[slug]:>7} rows  {path}")
    return 0
