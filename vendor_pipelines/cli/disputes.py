"""`vendor-pipelines disputes list|packet|submitted`: finance works its dispute cases.

`list` shows the cases of `finance.dispute_cases` (closest deadline first), `packet` writes a
case's evidence packet (PDF + Vendor Central upload CSV), and `submitted` records that the case
was disputed in Vendor Central, which starts its decision clock (there is no dispute API).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from vendor_pipelines.disputes.submissions import STATUSES

LIST_COLUMNS = (
    ("case_id", "case"),
    ("case_class", "class"),
    ("status", "status"),
    ("invoice_number", "invoice"),
    ("asin", "asin"),
    ("claimed_units", "units"),
    ("claimed_amount", "claimed"),
    ("open_amount", "open"),
    ("currency", "cur"),
    ("dispute_deadline", "deadline"),
    ("days_left", "days_left"),
)


class WarehouseError(RuntimeError):
    """The warehouse cannot be opened (missing, locked by a running pipeline)."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "disputes",
        help="dispute cases: list them, write a case's evidence packet, record a submission",
    )
    commands = parser.add_subparsers(dest="disputes_command", required=True, metavar="COMMAND")
    listing = commands.add_parser(
        "list",
        help="list the dispute cases (closest deadline first)",
        description="Reads finance.dispute_cases from the warehouse (DUCKDB_PATH), read-only.",
    )
    listing.add_argument("--status", choices=STATUSES, default=None, help="only this status")
    listing.set_defaults(handler=run_list)
    packet = commands.add_parser(
        "packet",
        help="write a case's evidence packet: CASE_ID.pdf and CASE_ID.csv",
        description=(
            "Writes the case summary, the claim's remittance lines, the PO / ASN / carton / "
            "invoice tables and the carrier proof as a PDF, and the CSV Vendor Central's "
            "dispute upload takes. Reads the warehouse read-only."
        ),
    )
    packet.add_argument("case_id", metavar="CASE_ID")
    packet.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="output folder (default: disputes/ beside the warehouse, i.e. data/disputes/)",
    )
    packet.set_defaults(handler=run_packet)
    submitted = commands.add_parser(
        "submitted",
        help="record that a disputable case was submitted in Vendor Central",
        description=(
            "Writes raw.dispute_submissions (the case's decision clock starts); the case's "
            "status follows at the next settlement build. Refuses a case that is not "
            "disputable or was submitted already."
        ),
    )
    submitted.add_argument("case_id", metavar="CASE_ID")
    submitted.add_argument(
        "--by", default=None, metavar="NAME", help="who submitted it (default: your user name)"
    )
    submitted.add_argument("--note", default=None, metavar="TEXT", help="e.g. the VC case id")
    submitted.set_defaults(handler=run_submitted)


def _warehouse() -> Path:
    from vendor_pipelines.settings import load_settings

    return load_settings().duckdb_path.expanduser().resolve()


@contextmanager
def _open(path: Path, read_only: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    from vendor_pipelines import warehouse_schema

    if not path.is_file():
        raise WarehouseError(f"no warehouse at {path} (DUCKDB_PATH)")
    try:
        conn = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise WarehouseError(f"cannot open the warehouse {path}: {_first_line(exc)}") from None
    try:
        if not read_only:
            warehouse_schema.apply_once(conn, path)
        yield conn
    finally:
        conn.close()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def run_list(args: argparse.Namespace) -> int:
    from vendor_pipelines.cli.query import render_table
    from vendor_pipelines.disputes.submissions import cases

    try:
        with _open(_warehouse(), read_only=True) as conn:
            found = cases(conn, args.status)
    except WarehouseError as exc:
        return _fail(str(exc))
    except duckdb.Error as exc:  # a finance layer older than this command
        return _fail(f"cannot read finance.dispute_cases: {_first_line(exc)}")
    print(
        render_table(
            [heading for _, heading in LIST_COLUMNS],
            [tuple(case[column] for column, _ in LIST_COLUMNS) for case in found],
        )
    )
    print(f"({len(found)} case{'' if len(found) == 1 else 's'})")
    return 0


def run_packet(args: argparse.Namespace) -> int:
    from vendor_pipelines.disputes.packets import PacketError, packet_dir, write_packet

    warehouse = _warehouse()
    out_dir = (args.out or packet_dir(warehouse)).resolve()
    try:
        with _open(warehouse, read_only=True) as conn:
            packet = write_packet(conn, args.case_id, out_dir)
    except (WarehouseError, PacketError) as exc:
        return _fail(str(exc))
    except duckdb.Error as exc:
        return _fail(f"cannot read the dispute case: {_first_line(exc)}")
    except OSError as exc:
        return _fail(f"cannot write the packet to {out_dir}: {exc.strerror or exc}")
    print(f"case {packet.case_id}: {packet.pdf}")
    print(f"  {packet.upload_rows:>5} upload rows  {packet.csv}")
    return 0


def run_submitted(args: argparse.Namespace) -> int:
    from vendor_pipelines.disputes.packets import packet_dir, packet_paths
    from vendor_pipelines.disputes.submissions import DisputeSubmissionError, record_submitted

    warehouse = _warehouse()
    pdf, _ = packet_paths(packet_dir(warehouse), args.case_id)
    try:
        with _open(warehouse, read_only=False) as conn:
            submission = record_submitted(
                conn,
                args.case_id,
                args.by or getpass.getuser(),
                packet_file=str(pdf) if pdf.is_file() else None,
                note=args.note,
            )
    except (WarehouseError, DisputeSubmissionError) as exc:
        return _fail(str(exc))
    except duckdb.Error as exc:
        return _fail(f"cannot record the submission: {_first_line(exc)}")
    print(
        f"case {submission.case_id} ({submission.claim_reference}) submitted by "
        f"{submission.submitted_by} at {submission.submitted_at:%Y-%m-%d %H:%M} UTC"
    )
    return 0
