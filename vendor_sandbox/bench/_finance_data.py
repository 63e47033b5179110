"""Synthetic settlement year for the finance benchmark, generated set-based in DuckDB.

Every invoice is paid by one payment (20 invoices each) with eight remittance lines: the
invoice (quick-pay discount on every other one), a shortage, a chargeback, co-op, another
agreement charge (damage / freight / promotion), a provision or its reversal, a debit note
(price protection / ads / returns / price variance) and a reversal (shortage or price claim).
Amounts are derived from the invoice total, so every payment reconciles to the cent. Its vendor
code bills on Net 30, so each invoice is due 30 days after its date (`NET_DAYS`), as NetSuite
sets a standard term's due date.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

INVOICES_FULL = 200_000
LINES_PER_INVOICE = 5
INVOICES_PER_PAYMENT = 20
ITEMS = 2_000
NIGHTLY_TABLE = "bench_nightly_lines"
NET_DAYS = 30  # the vendor code's terms (Net 30): due_date = trandate + NET_DAYS


@dataclass(frozen=True)
class YearSizes:
    invoices: int
    invoice_lines: int
    payments: int
    remittance_lines: int
    nightly_date: str
    nightly_lines: int


def _scalar(conn: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = conn.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def generate_year(conn: duckdb.DuckDBPyConnection, scale: float) -> YearSizes:
    invoices = max(INVOICES_PER_PAYMENT * 4, int(INVOICES_FULL * scale))
    conn.execute(
        f"""
        INSERT INTO raw.netsuite_items (item_id, sku, asin, price, cost)
        SELECT 'I' || i, 'SKU-' || lpad(i::VARCHAR, 5, '0'),
               'B0' || upper(substr(md5(i::VARCHAR), 1, 8)), price, round(price * 0.55, 2)
        FROM (SELECT range AS i, round(5 + (hash(range) % 9500) / 100.0, 2) AS price
              FROM range({ITEMS}))
        """
    )
    conn.execute(
        f"""
        INSERT INTO raw.netsuite_invoice_lines (invoice_id, line, sku, asin, quantity, rate, amount)
        SELECT 'N' || (r // {LINES_PER_INVOICE}), (r % {LINES_PER_INVOICE}) + 1, it.sku, it.asin,
               g.qty, it.price, round(g.qty * it.price, 2)
        FROM (SELECT range AS r, hash(range * 7 + 1) % {ITEMS} AS item,
                     1 + hash(range * 13 + 5) % 48 AS qty
              FROM range({invoices * LINES_PER_INVOICE})) AS g
        JOIN raw.netsuite_items AS it ON it.item_id = 'I' || g.item
        """
    )
    conn.execute(
        f"""
        CREATE TEMP TABLE bench_invoices AS
        SELECT inv, 'INV-' || lpad(inv::VARCHAR, 9, '0') AS tranid, total,
               DATE '2024-01-01' + (inv * 365 // {invoices})::INTEGER AS trandate,
               inv // {INVOICES_PER_PAYMENT} AS payment,
               DATE '2024-01-01' + (least(364, ((inv // {INVOICES_PER_PAYMENT})
                   * {INVOICES_PER_PAYMENT} * 365 // {invoices}) + 3))::INTEGER AS settlement_date
        FROM (SELECT substr(invoice_id, 2)::INTEGER AS inv, sum(amount) AS total
              FROM raw.netsuite_invoice_lines GROUP BY invoice_id)
        """
    )
    conn.execute(
        f"""
        INSERT INTO raw.netsuite_invoices (invoice_id, tranid, external_id, po_number, vendor_code,
            customer_id, trandate, due_date, total, amount_remaining, status, currency)
        SELECT 'N' || inv, tranid, 'AMZ-' || tranid, 'PO' || inv, 'ACME1', '1001', trandate,
               trandate + {NET_DAYS}, total, total, 'Open', 'USD'
        FROM bench_invoices
        """
    )
    conn.execute(_REMITTANCE_LINES_SQL)
    nightly = conn.execute(
        "SELECT settlement_date FROM bench_lines GROUP BY 1 ORDER BY 1 "
        "LIMIT 1 OFFSET (SELECT count(DISTINCT settlement_date) // 2 FROM bench_lines)"
    ).fetchone()
    assert nightly is not None
    nightly_date = str(nightly[0])
    conn.execute(
        f"CREATE TEMP TABLE {NIGHTLY_TABLE} AS SELECT * FROM bench_lines"
        f" WHERE settlement_date = DATE '{nightly_date}'"
    )
    conn.execute(
        f"""
        INSERT INTO raw.remittance_files (file_hash, file_name, source_format, x12_version,
            payment_count, line_count, total_amount, warnings, loaded_at)
        SELECT file_hash, 'bench_' || payment_number || '.csv', 'vc_payments_csv', NULL, 1,
               count(*), sum(amount), [], now()::TIMESTAMP
        FROM bench_lines WHERE settlement_date <> DATE '{nightly_date}' GROUP BY ALL;
        INSERT INTO raw.remittance_payments (file_hash, payment_number, settlement_date, amount,
            currency, payment_method, payment_status, payer_name, payee_id, has_hidden_lines,
            source_line)
        SELECT file_hash, payment_number, settlement_date, sum(amount), 'USD', 'ACH', 'Paid',
               'AMAZON.COM SERVICES LLC', 'ACME1', false, 4
        FROM bench_lines WHERE settlement_date <> DATE '{nightly_date}' GROUP BY ALL;
        INSERT INTO raw.remittance_lines (file_hash, payment_number, settlement_date, line_no,
            record_kind, reference, amount, invoice_amount, discount_amount, withholding_amount,
            remaining_amount, transaction_type, description, source_line)
        SELECT file_hash, payment_number, settlement_date, line_no, 'CSV', reference, amount,
               invoice_amount, discount_amount, 0, 0, transaction_type, description, line_no + 6
        FROM bench_lines WHERE settlement_date <> DATE '{nightly_date}'
        """
    )
    return YearSizes(
        invoices=invoices,
        invoice_lines=_scalar(conn, "SELECT count(*) FROM raw.netsuite_invoice_lines"),
        payments=_scalar(conn, "SELECT count(DISTINCT payment_number) FROM bench_lines"),
        remittance_lines=_scalar(conn, "SELECT count(*) FROM bench_lines"),
        nightly_date=nightly_date,
        nightly_lines=_scalar(conn, f"SELECT count(*) FROM {NIGHTLY_TABLE}"),
    )


_REMITTANCE_LINES_SQL = """
CREATE TEMP TABLE bench_lines AS
WITH kinds AS (
    SELECT b.*, k.range AS k,
           'BP' || lpad(b.payment::VARCHAR, 7, '0') AS payment_number,
           CASE WHEN b.inv % 2 = 0 THEN round(b.total * 0.02, 2) ELSE 0 END AS discount
    FROM bench_invoices AS b CROSS JOIN range(8) AS k
),
shaped AS (
    SELECT *,
        CASE k
            WHEN 0 THEN tranid
            WHEN 1 THEN tranid || 'SC'
            WHEN 2 THEN (10000000 + inv)::VARCHAR || 'VCBSINV'
            WHEN 3 THEN (1000 + inv % 9000)::VARCHAR || '-' || lpad(inv::VARCHAR, 10, '0')
            WHEN 4 THEN (1000 + inv % 9000)::VARCHAR || '-' || lpad((inv + 1)::VARCHAR, 10, '0')
            WHEN 5 THEN strftime(settlement_date, '%y%m%d') || '_PROVISION_FOR_RECEIVABLES'
                        || CASE WHEN inv % 2 = 0 THEN '' ELSE 'R' END
            WHEN 6 THEN CASE inv % 4 WHEN 0 THEN 'IPAPUS' || lpad((inv % 10000000)::VARCHAR, 7, '0')
                                     WHEN 1 THEN inv::VARCHAR || 'HPA'
                                     WHEN 2 THEN 'RTV' || inv::VARCHAR
                                     ELSE tranid END
            ELSE CASE WHEN inv % 2 = 0 THEN tranid || 'SCR' ELSE tranid END
        END AS reference,
        CASE k
            WHEN 0 THEN 'Payments'
            WHEN 1 THEN 'Shortage claim'
            WHEN 2 THEN 'Chargeback'
            WHEN 3 THEN 'Co-op'
            WHEN 4 THEN ['Damage allowance', 'Freight allowance', 'SPA'][1 + inv % 3]
            WHEN 5 THEN 'Provision for to be billed receivable'
            WHEN 6 THEN ['Price protection', 'DFP for AR Invoice', 'Product returns',
                         'Price variance'][1 + inv % 4]
            ELSE CASE WHEN inv % 2 = 0 THEN 'Shortage claim reversal'
                      ELSE 'Price variance reversal' END
        END AS description,
        CASE k
            WHEN 0 THEN total - discount
            WHEN 1 THEN -round(total * 0.015, 2)
            WHEN 2 THEN -(5 + inv % 50)::DECIMAL(18, 2)
            WHEN 3 THEN -round(total * 0.03, 2)
            WHEN 4 THEN -round(total * 0.01, 2)
            WHEN 5 THEN CASE WHEN inv % 2 = 0 THEN -50.00 ELSE 50.00 END
            WHEN 6 THEN CASE inv % 4 WHEN 0 THEN -12.34 WHEN 1 THEN -20.00 WHEN 2 THEN -15.00
                                     ELSE -round(total * 0.005, 2) END
            ELSE CASE WHEN inv % 2 = 0 THEN round(total * 0.005, 2) ELSE 1.00 END
        END::DECIMAL(18, 2) AS amount
    FROM kinds
)
SELECT
    sha256(payment_number) AS file_hash,
    payment_number,
    settlement_date,
    (k + 1 + (inv % 20) * 8)::INTEGER AS line_no,
    reference,
    description,
    CASE WHEN k = 0 THEN 'Invoice' ELSE 'Others' END AS transaction_type,
    amount,
    CASE WHEN k = 0 THEN total ELSE amount END::DECIMAL(18, 2) AS invoice_amount,
    CASE WHEN k = 0 THEN discount ELSE 0 END::DECIMAL(18, 2) AS discount_amount
FROM shaped
"""


def nightly_csv(conn: duckdb.DuckDBPyConnection) -> str:
    """The held-back day as one Vendor Central payments export, rendered by SQL."""
    row = conn.execute(
        f"""
        WITH payments AS (
            SELECT payment_number, any_value(settlement_date) AS d, sum(amount) AS amount
            FROM {NIGHTLY_TABLE} GROUP BY 1
        )
        SELECT
            'Payment Number,Payment Date,Invoice Currency,Amount in Invoice Currency\n'
            || (SELECT string_agg(payment_number || ',' || strftime(d, '%m/%d/%Y') || ',USD,'
                                  || printf('%.2f', amount), '\n' ORDER BY payment_number)
                FROM payments)
            || '\n\nPayment Number,Invoice Number,Invoice Date,Transaction type,'
            || 'Transaction Description,Invoice Amount,Terms Discount Taken,Amount Paid\n'
            || (SELECT string_agg(payment_number || ',' || reference || ',,' || transaction_type
                                  || ',' || description || ',' || printf('%.2f', invoice_amount)
                                  || ',' || printf('%.2f', discount_amount) || ','
                                  || printf('%.2f', amount), '\n'
                                  ORDER BY payment_number, line_no)
                FROM {NIGHTLY_TABLE})
            || '\n'
        """
    ).fetchone()
    assert row is not None
    return str(row[0])


def copy_reference_data(conn: duckdb.DuckDBPyConnection, year_db: Path, nightly_date: str) -> None:
    """Empty warehouse for the nightly comparison: only the NetSuite records that day touches."""
    conn.execute(f"ATTACH '{year_db}' AS year_wh (READ_ONLY)")
    try:
        conn.execute(
            f"""
            CREATE TEMP TABLE touched AS
            SELECT DISTINCT 'N' || substr(tranid, 5)::INTEGER AS invoice_id
            FROM year_wh.raw.netsuite_invoices
            WHERE trandate BETWEEN DATE '{nightly_date}' - 40 AND DATE '{nightly_date}';
            INSERT INTO raw.netsuite_items SELECT * FROM year_wh.raw.netsuite_items;
            INSERT INTO raw.netsuite_invoices
            SELECT * FROM year_wh.raw.netsuite_invoices WHERE invoice_id IN (SELECT * FROM touched);
            INSERT INTO raw.netsuite_invoice_lines
            SELECT * FROM year_wh.raw.netsuite_invoice_lines
            WHERE invoice_id IN (SELECT * FROM touched);
            """
        )
    finally:
        conn.execute("DETACH year_wh")
