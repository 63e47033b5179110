"""Finance's schema module: DDL of the raw tables finance writes (schema `raw`), shared by the
loaders, the lead's ingestion assets, the sandbox, the benchmark and dbt's `sources.yml`.

The pandera schema of the same remittance lines (`pandera_schema.py`) derives its columns'
nullability from here. Applied with every other domain's tables by
`vendor_pipelines.warehouse_schema`.

Remittance tables (filled by `load_remittance_file`):
* `raw.remittance_files`: one row per file loaded; `file_hash` (sha256 of the bytes) is the key
  that makes the same file dropped twice load once.
* `raw.remittance_payments`: one row per Amazon payment; `settlement_date` = payment date, the
  daily partition key of the finance layer.
* `raw.remittance_lines`: one row per remittance line; `amount` is the signed cash the line adds
  to its payment, so Σ amount per payment = payment amount (unless `has_hidden_lines`).
* `raw.remittance_quarantine`: rejected files with the precise reason (line, segment, field).
* `raw.remittance_quarantine_payments`, `raw.remittance_repeats`: the payments a quarantined
  file names, and files that repeated loaded payments (see `load.py`).
* `raw.dispute_submissions`: the dispute cases finance submitted in Vendor Central, and when.

Amazon vendor reports (filled by `vendor_reports.py`):
* `raw.amazon_vendor_sales_report`: GET_VENDOR_SALES_REPORT `salesByAsin` flattened, one row per
  (report options, asin, start_date, end_date); money as amount + currency columns.
* `raw.amazon_net_ppm_report`: GET_VENDOR_NET_PURE_PRODUCT_MARGIN_REPORT
  `netPureProductMarginByAsin` flattened, one row per (report_period, asin, start_date, end_date).

The NetSuite tables finance reads are declared by the domains that land them:
`raw.netsuite_invoices` and `_lines` in `fulfilment/schema.py`, `raw.netsuite_items` in
`orders/schema.py`.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date
from decimal import Decimal

import duckdb

from vendor_pipelines.remittance.models import RemittanceLine

MONEY = "DECIMAL(18, 2)"

RAW_TABLES: dict[str, str] = {
    "remittance_files": f"""
        file_hash VARCHAR PRIMARY KEY,
        file_name VARCHAR NOT NULL,
        source_format VARCHAR NOT NULL,      -- x12_820 | vc_payments_csv
        x12_version VARCHAR,
        payment_count INTEGER NOT NULL,
        line_count INTEGER NOT NULL,
        total_amount {MONEY} NOT NULL,
        warnings VARCHAR[],
        loaded_at TIMESTAMP NOT NULL
    """,
    # columns from REMITTANCE_PAYMENT_COLUMNS below (also the loader's casts)
    "remittance_payments": "",
    # columns derived from the parser's RemittanceLine (remittance_line_columns below)
    "remittance_lines": "",
    # A dispute case finance has submitted in Vendor Central (there is no dispute API): written
    # by `vendor-pipelines disputes submitted` or the record_dispute_submission job; it starts
    # the case's decision clock (finance.dispute_cases).
    "dispute_submissions": """
        case_id VARCHAR PRIMARY KEY,         -- finance.dispute_cases.case_id
        claim_reference VARCHAR NOT NULL,    -- the claim's remittance reference (INV-1SC, ...)
        case_class VARCHAR NOT NULL,         -- SHORTAGE | PRICE_CLAIM | CHARGEBACK
        submitted_at TIMESTAMPTZ NOT NULL,
        submitted_by VARCHAR NOT NULL,
        packet_file VARCHAR,                 -- the evidence packet uploaded, when known
        note VARCHAR
    """,
    "remittance_quarantine": """
        file_hash VARCHAR PRIMARY KEY,
        file_name VARCHAR NOT NULL,
        error_line INTEGER,
        error_segment VARCHAR,
        error_field VARCHAR,
        reason VARCHAR NOT NULL,
        quarantined_at TIMESTAMP NOT NULL
    """,
    "amazon_vendor_sales_report": f"""
        report_period VARCHAR NOT NULL,       -- DAY | WEEK | MONTH | QUARTER | YEAR
        distributor_view VARCHAR NOT NULL,    -- MANUFACTURING | SOURCING
        selling_program VARCHAR NOT NULL,     -- RETAIL | BUSINESS | FRESH
        marketplace_id VARCHAR,
        asin VARCHAR NOT NULL,
        start_date DATE NOT NULL,
        end_date DATE NOT NULL,
        customer_returns INTEGER,
        ordered_revenue {MONEY},
        ordered_revenue_currency VARCHAR,
        ordered_units INTEGER,
        shipped_cogs {MONEY} NOT NULL,
        shipped_cogs_currency VARCHAR,
        shipped_revenue {MONEY} NOT NULL,
        shipped_revenue_currency VARCHAR,
        shipped_units INTEGER NOT NULL
    """,
    "amazon_net_ppm_report": """
        report_period VARCHAR NOT NULL,
        marketplace_id VARCHAR,
        asin VARCHAR NOT NULL,
        start_date DATE NOT NULL,
        end_date DATE NOT NULL,
        net_pure_product_margin DOUBLE NOT NULL  -- a fraction, e.g. 0.1234
    """,
    # The payment numbers a quarantined file names, as far as they can be read.
    "remittance_quarantine_payments": """
        file_hash VARCHAR NOT NULL,          -- the quarantined file
        payment_number VARCHAR NOT NULL,     -- a payment it names (TRN02 / Payment Number)
        PRIMARY KEY (file_hash, payment_number)
    """,
    # Files whose payments were all loaded already, with the same amount and currency.
    "remittance_repeats": """
        file_hash VARCHAR NOT NULL,          -- the file that repeated a payment
        file_name VARCHAR NOT NULL,
        source_format VARCHAR NOT NULL,
        payment_number VARCHAR NOT NULL,
        loaded_file_hash VARCHAR NOT NULL,   -- the file the payment was loaded from
        seen_at TIMESTAMP NOT NULL,
        PRIMARY KEY (file_hash, payment_number)
    """,
}


# Columns added after the first release, per table: warehouses created before gain them.
ADDED_COLUMNS: dict[str, tuple[str, ...]] = {
    "remittance_payments": ("payment_date DATE",),
}

# What a remittance line column holds, by the Python type the parser gives it.
_SQL_TYPES = {str: "VARCHAR", int: "INTEGER", Decimal: MONEY, date: "DATE"}


@dataclasses.dataclass(frozen=True)
class Column:
    name: str
    sql_type: str
    not_null: bool

    def ddl(self) -> str:
        return f"{self.name} {self.sql_type}{' NOT NULL' if self.not_null else ''}"


# raw.remittance_payments, column for column (the table's DDL and the loader's casts).
REMITTANCE_PAYMENT_COLUMNS = (
    Column("file_hash", "VARCHAR", True),
    Column("payment_number", "VARCHAR", True),
    Column("settlement_date", "DATE", True),  # payment date, else the day the file arrived
    Column("amount", MONEY, True),  # bank deposit (BPR02 / header amount)
    Column("currency", "VARCHAR", True),
    Column("payment_method", "VARCHAR", False),
    Column("payment_status", "VARCHAR", False),
    Column("payer_name", "VARCHAR", False),
    Column("payee_id", "VARCHAR", False),  # vendor code when the file carries it
    Column("has_hidden_lines", "BOOLEAN", True),
    Column("source_line", "INTEGER", False),
    Column("payment_date", "DATE", False),  # as the file states it; NULL = not stated
)


def remittance_line_columns() -> tuple[Column, ...]:
    """raw.remittance_lines, column for column: the file and its settlement day, then every
    field of `RemittanceLine` in its order. A field added to the dataclass (and filled by a
    parser) is a column of the table, of each warehouse it is loaded into, and of the loader."""
    hints = typing.get_type_hints(RemittanceLine)
    columns = [Column("file_hash", "VARCHAR", True)]
    for field in dataclasses.fields(RemittanceLine):
        hint = hints[field.name]
        optional = isinstance(hint, types.UnionType) and type(None) in typing.get_args(hint)
        base = next(a for a in typing.get_args(hint) if a is not type(None)) if optional else hint
        if typing.get_origin(base) is typing.Literal:
            base = type(typing.get_args(base)[0])
        columns.append(Column(field.name, _SQL_TYPES[base], not optional))
        if field.name == "payment_number":
            columns.append(Column("settlement_date", "DATE", True))
    return tuple(columns)


def apply(conn: duckdb.DuckDBPyConnection) -> None:
    """Create schema `raw` and every raw finance table if missing, and add the columns of later
    releases (idempotent)."""
    conn.execute("CREATE SCHEMA IF NOT EXISTS raw")
    lines = remittance_line_columns()
    for name, columns in RAW_TABLES.items():
        if name == "remittance_lines":
            columns = ", ".join([*(c.ddl() for c in lines), "PRIMARY KEY (file_hash, line_no)"])
        if name == "remittance_payments":
            columns = ", ".join(
                [
                    *(c.ddl() for c in REMITTANCE_PAYMENT_COLUMNS),
                    "PRIMARY KEY (file_hash, payment_number)",
                ]
            )
        conn.execute(f"CREATE TABLE IF NOT EXISTS raw.{name} ({columns})")
    # A warehouse made before a field existed gains its column (NULL on the old rows).
    for column in lines:
        conn.execute(
            f"ALTER TABLE raw.remittance_lines ADD COLUMN IF NOT EXISTS "
            f"{column.name} {column.sql_type}"
        )
    for table, columns in ADDED_COLUMNS.items():
        for column in columns:
            conn.execute(f"ALTER TABLE raw.{table} ADD COLUMN IF NOT EXISTS {column}")
