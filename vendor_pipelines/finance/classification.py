"""Classify remittance lines outside the warehouse, with the warehouse's own SQL.

`vendor-pipelines remittance check` must say what each line of a file is before the file goes
into the inbox, on a laptop with no warehouse. It does not carry a copy of the rules: the file
is loaded with the same loader into an in-memory DuckDB with the finance seeds, and the dbt
project's own staging model (`stg_remittance_lines`) and classification macro
(`classified_remittance_lines`) are rendered over it (`finance.dbt_sql`). What finance changes
in the seed or the macro, the check follows.
"""

from __future__ import annotations

from decimal import Decimal

import duckdb

from vendor_pipelines.finance import schema as finance_schema
from vendor_pipelines.finance.dbt_sql import load_seeds, render, render_model

__all__ = ["classes_of", "classified_lines_sql", "load_seeds"]


def classified_lines_sql(
    conn: duckdb.DuckDBPyConnection, raw_lines: str = "raw.remittance_lines"
) -> str:
    """SELECT of every line of `raw_lines`, staged and classified as the warehouse does."""
    staged = render_model("stg_remittance_lines", source=lambda _schema, _table: raw_lines)
    classified = render("{{ classified_remittance_lines('lines') }}", conn=conn)
    return f"with lines as ({staged})\n{classified}"


def classes_of(
    lines: list[tuple[str, Decimal, str | None, str | None]],
) -> list[str]:
    """Class of each (reference, signed amount, description, X12 426 reason), in order.

    For checks and tests of the rules on lines that are not in a file: each becomes a raw
    remittance line of one in-memory warehouse and goes through the same SQL as the others.
    """
    with duckdb.connect() as conn:
        finance_schema.apply(conn)  # a scratch warehouse: the remittance tables are enough
        load_seeds(conn)
        conn.executemany(
            "INSERT INTO raw.remittance_lines (file_hash, payment_number, settlement_date,"
            " line_no, record_kind, reference, amount, discount_amount, withholding_amount,"
            " description, adjustment_reason)"
            " VALUES ('rules', 'rules', DATE '2000-01-01', ?, 'CSV', ?, ?, 0, 0, ?, ?)",
            [
                (number, reference, amount, description, reason)
                for number, (reference, amount, description, reason) in enumerate(lines, 1)
            ],
        )
        rows = conn.execute(
            f"SELECT class_code FROM ({classified_lines_sql(conn)}) ORDER BY line_no"
        ).fetchall()
    return [row[0] for row in rows]
