"""Load one remittance file into the raw tables: whole or not at all, and only once.

The file's sha256 is its identity (also the sensor's run key): a file already loaded is a no-op,
a file already quarantined stays quarantined. A file that fails to parse, or that repeats a
payment number another file already delivered (a re-export with different bytes would double
count the cash), is quarantined with its reason; nothing of it reaches the remittance tables.

A quarantined file also records the payment numbers it names, as far as they can be read
(`raw.remittance_quarantine_payments`): a partial upload is rejected, and when the complete file
loads its rejection resolves by name or by payment (see `STANDING_REJECTIONS`).

File names are stored as `display_name` shows them (escaped): the name is only a label, the
hash is the identity, and everything downstream (exceptions, marts, the UI) then shows a name
that cannot break a log line or markdown.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd

from vendor_pipelines.finance.ddl import create_raw_tables
from vendor_pipelines.remittance import RemittanceDocument, RemittanceParseError, parse_remittance
from vendor_pipelines.settlement.inbox import display_name, one_line

LoadStatus = Literal["loaded", "duplicate", "quarantined"]


@dataclass(frozen=True)
class LoadResult:
    status: LoadStatus
    file_hash: str
    file_name: str
    payments: int = 0
    lines: int = 0
    error: RemittanceParseError | None = None

    @property
    def reason(self) -> str | None:
        return self.error.describe() if self.error else None


QUARANTINE_PAYMENTS_DDL = """
    CREATE TABLE IF NOT EXISTS raw.remittance_quarantine_payments (
        file_hash VARCHAR NOT NULL,          -- the quarantined file
        payment_number VARCHAR NOT NULL,     -- a payment it names (TRN02 / Payment Number)
        PRIMARY KEY (file_hash, payment_number)
    )
"""

# Rejections still standing. A rejection resolves once a good file loads after it and that file
# carries one of the payments the rejected file named, or has the same name while the rejected
# file named no payment (typically a partial upload, cut before its first payment). A rejected
# file that does name its payments is not resolved by name alone: a weekly export always called
# `Payments.csv` must not close last week's rejection with this week's cash.
STANDING_REJECTIONS = """
select q.* from raw.remittance_quarantine q
where not exists (
    select 1 from raw.remittance_files f
    where f.loaded_at >= q.quarantined_at
      and (exists (select 1 from raw.remittance_payments p
                   join raw.remittance_quarantine_payments named
                     on named.payment_number = p.payment_number
                   where p.file_hash = f.file_hash and named.file_hash = q.file_hash)
           or (f.file_name = q.file_name
               and not exists (select 1 from raw.remittance_quarantine_payments named
                               where named.file_hash = q.file_hash))))
"""


def create_load_tables(conn: duckdb.DuckDBPyConnection) -> None:
    """The raw tables plus the payments named by quarantined files (idempotent)."""
    create_raw_tables(conn)
    conn.execute(QUARANTINE_PAYMENTS_DDL)


def content_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def load_remittance_file(
    conn: duckdb.DuckDBPyConnection,
    path: Path | str,
    *,
    file_name: str | None = None,
    now: datetime | None = None,
) -> LoadResult:
    """Parse `path` and insert it whole in one transaction (see module docstring)."""
    content = Path(path).read_bytes()
    return load_remittance_bytes(conn, content, file_name or Path(path).name, now=now)


def load_remittance_bytes(
    conn: duckdb.DuckDBPyConnection,
    content: bytes,
    file_name: str,
    *,
    now: datetime | None = None,
) -> LoadResult:
    """Load `content`; `file_name` is the name as found (it is stored and shown escaped)."""
    create_load_tables(conn)
    file_name = display_name(file_name)
    file_hash = content_hash(content)
    stamp = (now or datetime.now(UTC)).replace(tzinfo=None)
    if conn.execute(
        "SELECT 1 FROM raw.remittance_files WHERE file_hash = ?", [file_hash]
    ).fetchone():
        return LoadResult("duplicate", file_hash, file_name)
    previous = conn.execute(
        "SELECT error_line, error_segment, error_field, reason FROM raw.remittance_quarantine"
        " WHERE file_hash = ?",
        [file_hash],
    ).fetchone()
    if previous:
        return LoadResult(
            "quarantined", file_hash, file_name, error=RemittanceParseError(*previous)
        )
    document: RemittanceDocument | None = None
    try:
        document = parse_remittance(content)
        _reject_known_payments(conn, document)
    except RemittanceParseError as raised:
        # The reason may quote the file (a segment id, a cell): stored and shown on one line.
        error = RemittanceParseError(
            raised.line,
            one_line(raised.segment) if raised.segment else raised.segment,
            one_line(raised.field) if raised.field else raised.field,
            one_line(raised.reason),
        )
        named = (
            [p.payment_number for p in document.payments]
            if document is not None
            else payments_named_in(content)
        )
        _quarantine(conn, file_hash, file_name, error, named, stamp)
        return LoadResult("quarantined", file_hash, file_name, error=error)
    _insert_document(conn, document, file_hash, file_name, stamp)
    return LoadResult(
        "loaded", file_hash, file_name, payments=len(document.payments), lines=len(document.lines)
    )


def _quarantine(
    conn: duckdb.DuckDBPyConnection,
    file_hash: str,
    file_name: str,
    error: RemittanceParseError,
    named: list[str],
    stamp: datetime,
) -> None:
    conn.execute("BEGIN TRANSACTION")
    try:
        conn.execute(
            "INSERT INTO raw.remittance_quarantine VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            [file_hash, file_name, error.line, error.segment, error.field, error.reason, stamp],
        )
        if named:
            conn.executemany(
                "INSERT INTO raw.remittance_quarantine_payments VALUES (?, ?)"
                " ON CONFLICT DO NOTHING",
                [(file_hash, number) for number in named],
            )
        conn.execute("COMMIT")
    except Exception:
        conn.execute("ROLLBACK")
        raise


MAX_NAMED_PAYMENTS = 1000
_PAYMENT_NUMBER = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{0,63}")


def payments_named_in(content: bytes) -> list[str]:
    """Payment numbers a file that failed to parse still names, read leniently; may be empty.

    Only complete records count: the last segment or row of a file cut short may hold half a
    number, so it is ignored unless the file ends where a record ends.
    """
    text = content.decode("utf-8-sig", errors="replace")
    if text.lstrip().startswith("ISA"):
        found = _x12_payment_numbers(text.lstrip())
    else:
        found = _csv_payment_numbers(text)
    return list(dict.fromkeys(n for n in found if _PAYMENT_NUMBER.fullmatch(n)))[
        :MAX_NAMED_PAYMENTS
    ]


def _x12_payment_numbers(text: str) -> list[str]:
    if len(text) < 106:
        return []
    element, terminator = text[3], text[105]
    if terminator in "\r\n":
        terminator = "\n"
    complete = text.split(terminator)[:-1]  # the piece after the last terminator is unfinished
    numbers = []
    for raw in complete:
        elements = raw.strip().split(element)
        if elements[0] == "TRN" and len(elements) > 2:
            numbers.append(elements[2].strip())
    return numbers


def _csv_payment_numbers(text: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if rows and not text.endswith(("\n", "\r")):
        rows = rows[:-1]
    numbers: list[str] = []
    column: int | None = None
    for cells in rows:
        labels = [" ".join(cell.strip().lower().split()) for cell in cells]
        if "payment number" in labels and ({"payment date", "invoice number"} & set(labels)):
            column = labels.index("payment number")
            continue
        if not any(cell.strip() for cell in cells):
            column = None  # a blank row ends a section
            continue
        if column is not None and column < len(cells):
            numbers.append(cells[column].strip())
    return numbers


def _reject_known_payments(conn: duckdb.DuckDBPyConnection, document: RemittanceDocument) -> None:
    numbers = [payment.payment_number for payment in document.payments]
    known = conn.execute(
        "SELECT payment_number, file_hash FROM raw.remittance_payments"
        " WHERE payment_number IN (SELECT unnest(?::VARCHAR[])) ORDER BY payment_number LIMIT 1",
        [numbers],
    ).fetchone()
    if known:
        payment = next(p for p in document.payments if p.payment_number == known[0])
        raise RemittanceParseError(
            payment.source_line,
            "TRN" if document.source_format == "x12_820" else "payments",
            "TRN02" if document.source_format == "x12_820" else "payment number",
            f"payment {known[0]} was already loaded from file {known[1][:12]}",
        )


def _insert_document(
    conn: duckdb.DuckDBPyConnection,
    document: RemittanceDocument,
    file_hash: str,
    file_name: str,
    stamp: datetime,
) -> None:
    dates = {p.payment_number: p.payment_date for p in document.payments}
    payments = pd.DataFrame(
        [
            {
                "payment_number": p.payment_number,
                "settlement_date": p.payment_date,
                "amount": str(p.amount),
                "currency": p.currency,
                "payment_method": p.payment_method,
                "payment_status": p.payment_status,
                "payer_name": p.payer_name,
                "payee_id": p.payee_id,
                "has_hidden_lines": p.has_hidden_lines,
                "source_line": p.source_line,
            }
            for p in document.payments
        ]
    )
    lines = pd.DataFrame(
        [
            {
                "payment_number": line.payment_number,
                "settlement_date": dates[line.payment_number],
                "line_no": line.line_no,
                "record_kind": line.record_kind,
                "reference": line.reference,
                "reference_qualifier": line.reference_qualifier,
                "amount": str(line.amount),
                "invoice_amount": None if line.invoice_amount is None else str(line.invoice_amount),
                "discount_amount": str(line.discount_amount),
                "withholding_amount": str(line.withholding_amount),
                "remaining_amount": (
                    None if line.remaining_amount is None else str(line.remaining_amount)
                ),
                "adjustment_reason": line.adjustment_reason,
                "transaction_type": line.transaction_type,
                "description": line.description,
                "original_invoice_number": line.original_invoice_number,
                "po_number": line.po_number,
                "invoice_date": line.invoice_date,
                "parent_line_no": line.parent_line_no,
                "source_line": line.source_line,
            }
            for line in document.lines
        ],
        columns=_LINE_COLUMNS,
    )
    conn.register("incoming_payments", payments)
    conn.register("incoming_lines", lines)
    try:
        conn.execute("BEGIN TRANSACTION")
        conn.execute(
            "INSERT INTO raw.remittance_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                file_hash,
                file_name,
                document.source_format,
                document.x12_version,
                len(document.payments),
                len(document.lines),
                str(document.total_amount),
                document.warnings,
                stamp,
            ],
        )
        conn.execute(
            """
            INSERT INTO raw.remittance_payments
            SELECT ?, payment_number, CAST(settlement_date AS DATE), CAST(amount AS DECIMAL(18,2)),
                   currency, payment_method, payment_status, payer_name, payee_id,
                   has_hidden_lines, CAST(source_line AS INTEGER)
            FROM incoming_payments
            """,
            [file_hash],
        )
        if len(lines):
            conn.execute(
                """
                INSERT INTO raw.remittance_lines
                SELECT ?, payment_number, CAST(settlement_date AS DATE), CAST(line_no AS INTEGER),
                       record_kind, reference, reference_qualifier,
                       CAST(amount AS DECIMAL(18,2)), CAST(invoice_amount AS DECIMAL(18,2)),
                       CAST(discount_amount AS DECIMAL(18,2)),
                       CAST(withholding_amount AS DECIMAL(18,2)),
                       CAST(remaining_amount AS DECIMAL(18,2)), adjustment_reason,
                       transaction_type, description, original_invoice_number, po_number,
                       CAST(invoice_date AS DATE), CAST(parent_line_no AS INTEGER),
                       CAST(source_line AS INTEGER)
                FROM incoming_lines
                """,
                [file_hash],
            )
        conn.execute("COMMIT")
    except Exception:
        conn.execute("ROLLBACK")
        raise
    finally:
        conn.unregister("incoming_payments")
        conn.unregister("incoming_lines")


_LINE_COLUMNS = [
    "payment_number",
    "settlement_date",
    "line_no",
    "record_kind",
    "reference",
    "reference_qualifier",
    "amount",
    "invoice_amount",
    "discount_amount",
    "withholding_amount",
    "remaining_amount",
    "adjustment_reason",
    "transaction_type",
    "description",
    "original_invoice_number",
    "po_number",
    "invoice_date",
    "parent_line_no",
    "source_line",
]
