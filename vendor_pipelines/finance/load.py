"""Load one remittance file into the raw tables: whole or not at all, and only once.

The file's sha256 is its identity (also the sensor's run key): a file already loaded is a no-op,
a file already quarantined stays quarantined. A file that fails to parse is quarantined with its
reason; nothing of it reaches the remittance tables.

The same payment arriving again in other bytes is expected: Amazon's 820 and the Vendor Central
export describe one payment, and finance re-exports. A file whose payments are all loaded
already, each with the same amount and currency, is recorded as a repeat
(`raw.remittance_repeats`, an informational exception) and adds nothing. A file that gives a
loaded payment another amount or currency, or mixes loaded payments with new ones, is
quarantined: loading it would count cash twice or split one file's truth.

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
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd

from vendor_pipelines.finance.inbox import display_name, one_line
from vendor_pipelines.finance.schema import REMITTANCE_PAYMENT_COLUMNS, remittance_line_columns
from vendor_pipelines.remittance import (
    RemittanceDocument,
    RemittanceParseError,
    decode_remittance_bytes,
    parse_remittance,
)
from vendor_pipelines.remittance.vc_export import sniff_delimiter

LoadStatus = Literal["loaded", "duplicate", "repeated", "quarantined"]


@dataclass(frozen=True)
class LoadResult:
    status: LoadStatus
    file_hash: str
    file_name: str
    payments: int = 0
    lines: int = 0
    error: RemittanceParseError | None = None
    repeats_file: str | None = None  # "repeated": the file that delivered these payments first

    @property
    def reason(self) -> str | None:
        return self.error.describe() if self.error else None


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
    arrival_date: date | None = None,
) -> LoadResult:
    """Load `content`; `file_name` is the name as found (it is stored and shown escaped).

    `arrival_date` (the finance day the file arrived, default the UTC date of `now`) is the
    settlement day of a payment whose file states no date (a Vendor Central export saved with
    its line section only).
    """
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
        repeated = _known_payments(conn, document)
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
    if repeated:
        conn.executemany(
            "INSERT INTO raw.remittance_repeats VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [
                (file_hash, file_name, document.source_format, number, loaded_from, stamp)
                for number, loaded_from in repeated.items()
            ],
        )
        return LoadResult(
            "repeated",
            file_hash,
            file_name,
            payments=len(repeated),
            repeats_file=next(iter(repeated.values())),
        )
    _insert_document(conn, document, file_hash, file_name, stamp, arrival_date or stamp.date())
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
    try:
        text = decode_remittance_bytes(content)
    except RemittanceParseError:
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
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=sniff_delimiter(text)))
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


def _known_payments(
    conn: duckdb.DuckDBPyConnection, document: RemittanceDocument
) -> dict[str, str]:
    """{payment number: file it was loaded from} when every payment of the file is loaded
    already with the same amount and currency; {} when none is; raises otherwise."""
    numbers = [payment.payment_number for payment in document.payments]
    known = {
        number: (file_hash, amount, currency)
        for number, file_hash, amount, currency in conn.execute(
            "SELECT payment_number, file_hash, amount, currency FROM raw.remittance_payments"
            " WHERE payment_number IN (SELECT unnest(?::VARCHAR[]))",
            [numbers],
        ).fetchall()
    }
    if not known:
        return {}
    x12 = document.source_format == "x12_820"
    segment, field = ("TRN", "TRN02") if x12 else ("payments", "payment number")
    for payment in document.payments:
        if payment.payment_number not in known:
            continue
        loaded_from, amount, currency = known[payment.payment_number]
        if (amount, currency) != (payment.amount, payment.currency):
            raise RemittanceParseError(
                payment.source_line,
                "BPR" if x12 else "payments",
                "BPR02" if x12 else "amount in payment currency",
                f"payment {payment.payment_number} was loaded from file {loaded_from[:12]} as "
                f"{amount} {currency}; this file says {payment.amount} {payment.currency}",
            )
    new = [p for p in document.payments if p.payment_number not in known]
    if new:
        first = min(known)
        raise RemittanceParseError(
            new[0].source_line,
            segment,
            field,
            f"payment {first} was already loaded from file {known[first][0][:12]}, but "
            f"payment {new[0].payment_number} of this file is new: split the file",
        )
    return {number: known[number][0] for number in numbers}


def _insert_document(
    conn: duckdb.DuckDBPyConnection,
    document: RemittanceDocument,
    file_hash: str,
    file_name: str,
    stamp: datetime,
    arrival_date: date,
) -> None:
    # A payment whose file states no date settles on the day the file arrived; the stated date
    # (NULL then) is kept apart, so nobody mistakes the arrival day for Amazon's payment date.
    dates = {p.payment_number: p.payment_date or arrival_date for p in document.payments}
    payments = pd.DataFrame(
        [
            {
                "file_hash": file_hash,
                "payment_number": p.payment_number,
                "settlement_date": dates[p.payment_number],
                "payment_date": p.payment_date,
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
        ],
        columns=list(_PAYMENT_TYPES),
    )
    line_columns = remittance_line_columns()
    lines = pd.DataFrame(
        [
            {
                **{field: _cell(value) for field, value in vars(line).items()},
                "file_hash": file_hash,
                "settlement_date": dates[line.payment_number],
            }
            for line in document.lines
        ],
        columns=[column.name for column in line_columns],
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
        # By name, typed here: columns added to the raw tables later sit at their end.
        conn.execute(
            f"INSERT INTO raw.remittance_payments BY NAME SELECT {_casts(_PAYMENT_TYPES)}"
            " FROM incoming_payments"
        )
        if len(lines):
            conn.execute(
                "INSERT INTO raw.remittance_lines BY NAME SELECT "
                + _casts({column.name: column.sql_type for column in line_columns})
                + " FROM incoming_lines"
            )
        conn.execute("COMMIT")
    except Exception:
        conn.execute("ROLLBACK")
        raise
    finally:
        conn.unregister("incoming_payments")
        conn.unregister("incoming_lines")


def _cell(value: object) -> object:
    # Decimals travel as text and are cast by DuckDB to DECIMAL(18,2): no float on the way
    return str(value) if isinstance(value, Decimal) else value


def _casts(types: dict[str, str]) -> str:
    return ", ".join(f"CAST({name} AS {kind}) AS {name}" for name, kind in types.items())


_PAYMENT_TYPES = {column.name: column.sql_type for column in REMITTANCE_PAYMENT_COLUMNS}
