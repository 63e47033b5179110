"""DDL of the raw finance tables (schema `raw`), shared by the loaders, the lead's ingestion
assets, the sandbox, the benchmark and dbt's `sources.yml`.

Remittance tables (filled by `load_remittance_file`):
* `raw.remittance_files`: one row per file loaded; `file_hash` (sha256 of the bytes) is the key
  that makes the same file dropped twice load once.
* `raw.remittance_payments`: one row per Amazon payment; `settlement_date` = payment date, the
  daily partition key of the finance layer.
* `raw.remittance_lines`: one row per remittance line; `amount` is the signed cash the line adds
  to its payment, so Σ amount per payment = payment amount (unless `has_hidden_lines`).
* `raw.remittance_quarantine`: rejected files with the precise reason (line, segment, field).

NetSuite / Amazon tables (filled by the lead's ingestion assets; same columns everywhere):
* `raw.netsuite_invoices`: `invoice_id` (internal id), `tranid` (= invoice number sent to
  Amazon), `external_id`, `po_number`, `vendor_code`, `customer_id`, `trandate`, `due_date`,
  `total`, `amount_remaining`, `status`, `currency`, `tax_total`, `shipping_cost`,
  `discount_total` (total = lines + shipping + discount + tax).
* `raw.netsuite_invoice_lines`: `invoice_id`, `line`, `sku`, `asin`, `quantity`, `rate`, `amount`.
* `raw.netsuite_items`: `item_id`, `sku`, `asin`, `price`, `cost` (NetSuite item cost = COGS),
  `upc`, `is_inactive`.
* `raw.amazon_vendor_sales_report`: GET_VENDOR_SALES_REPORT `salesByAsin` flattened, one row per
  (report options, asin, start_date, end_date); money as amount + currency columns.
* `raw.amazon_net_ppm_report`: GET_VENDOR_NET_PURE_PRODUCT_MARGIN_REPORT
  `netPureProductMarginByAsin` flattened, one row per (report_period, asin, start_date, end_date).
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
    "remittance_payments": f"""
        file_hash VARCHAR NOT NULL,
        payment_number VARCHAR NOT NULL,
        settlement_date DATE NOT NULL,       -- payment date, else the day the file arrived
        amount {MONEY} NOT NULL,             -- bank deposit (BPR02 / header amount)
        currency VARCHAR NOT NULL,
        payment_method VARCHAR,
        payment_status VARCHAR,
        payer_name VARCHAR,
        payee_id VARCHAR,                    -- vendor code when the file carries it
        has_hidden_lines BOOLEAN NOT NULL,
        source_line INTEGER,
        payment_date DATE,                   -- as the file states it; NULL = not stated
        PRIMARY KEY (file_hash, payment_number)
    """,
    # columns derived from the parser's RemittanceLine (remittance_line_columns below)
    "remittance_lines": "",
    "remittance_quarantine": """
        file_hash VARCHAR PRIMARY KEY,
        file_name VARCHAR NOT NULL,
        error_line INTEGER,
        error_segment VARCHAR,
        error_field VARCHAR,
        reason VARCHAR NOT NULL,
        quarantined_at TIMESTAMP NOT NULL
    """,
    "netsuite_invoices": f"""
        invoice_id VARCHAR PRIMARY KEY,
        tranid VARCHAR NOT NULL,
        external_id VARCHAR,
        po_number VARCHAR,
        vendor_code VARCHAR,
        customer_id VARCHAR NOT NULL,
        trandate DATE NOT NULL,
        due_date DATE,
        total {MONEY} NOT NULL,
        amount_remaining {MONEY},
        status VARCHAR,
        currency VARCHAR NOT NULL,
        tax_total {MONEY} NOT NULL DEFAULT 0,      -- SuiteTax total (VAT on EU invoices)
        shipping_cost {MONEY} NOT NULL DEFAULT 0,  -- header freight charge
        discount_total {MONEY} NOT NULL DEFAULT 0, -- header discount, negative as in NetSuite
        terms VARCHAR,                             -- payment terms (e.g. Net 90) that set due_date
        tax_rate DECIMAL(9, 4)                     -- tax rate charged, percent (e.g. 19)
    """,
    "netsuite_invoice_lines": f"""
        invoice_id VARCHAR NOT NULL,
        line INTEGER NOT NULL,
        sku VARCHAR,
        asin VARCHAR,
        quantity DECIMAL(18, 4) NOT NULL,
        rate DECIMAL(18, 4) NOT NULL,
        amount {MONEY} NOT NULL,
        PRIMARY KEY (invoice_id, line)
    """,
    "netsuite_items": """
        item_id VARCHAR PRIMARY KEY,
        sku VARCHAR NOT NULL,
        asin VARCHAR,
        price DECIMAL(18, 4),
        cost DECIMAL(18, 4),
        upc VARCHAR,
        is_inactive BOOLEAN NOT NULL DEFAULT false
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
}


# Columns added after the first release, per table: warehouses created before gain them.
ADDED_COLUMNS: dict[str, tuple[str, ...]] = {
    "netsuite_invoices": (
        f"tax_total {MONEY} DEFAULT 0",
        f"shipping_cost {MONEY} DEFAULT 0",
        f"discount_total {MONEY} DEFAULT 0",
        "terms VARCHAR",
        "tax_rate DECIMAL(9, 4)",
    ),
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


def create_raw_tables(conn: duckdb.DuckDBPyConnection) -> None:
    """Create schema `raw` and every raw finance table if missing (idempotent)."""
    conn.execute("CREATE SCHEMA IF NOT EXISTS raw")
    lines = remittance_line_columns()
    for name, columns in RAW_TABLES.items():
        if name == "remittance_lines":
            columns = ", ".join([*(c.ddl() for c in lines), "PRIMARY KEY (file_hash, line_no)"])
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
