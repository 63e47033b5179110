"""Load one remittance file into the raw tables: whole or not at all, and only once.

The file's sha256 is its identity (also the sensor's run key): a file already loaded is a no-op,
a file already quarantined stays quarantined. A file that fails to parse, or that repeats a
payment number another file already delivered (a re-export with different bytes would double
count the cash), is quarantined with its reason; nothing of it reaches the remittance tables.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd

from vendor_pipelines.finance.ddl import create_raw_tables
from vendor_pipelines.remittance import RemittanceDocument, RemittanceParseError, parse_remittance

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
    create_raw_tables(conn)
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
    try:
        document = parse_remittance(content)
        _reject_known_payments(conn, document)
    except RemittanceParseError as error:
        conn.execute(
            "INSERT INTO raw.remittance_quarantine VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            [file_hash, file_name, error.line, error.segment, error.field, error.reason, stamp],
        )
        return LoadResult("quarantined", file_hash, file_name, error=error)
    _insert_document(conn, document, file_hash, file_name, stamp)
    return LoadResult(
        "loaded", file_hash, file_name, payments=len(document.payments), lines=len(document.lines)
    )


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
