"""Classify remittance lines outside the warehouse, with the warehouse's own SQL.

`vendor-pipelines remittance check` must say what each line of a file is before the file goes
into the inbox, on a laptop with no warehouse. It does not carry a copy of the rules: it loads
the file with the same loader into an in-memory DuckDB, loads the finance seeds, and renders
the dbt project's own staging model (`stg_remittance_lines.sql`) and classification macro
(`classified_remittance_lines`) with Jinja, giving them the `ref`, `source` and `run_query`
that dbt would. What finance changes in the seed or the macro, the check follows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb
import jinja2

from vendor_pipelines.dbt_project import DBT_PROJECT_DIR
from vendor_pipelines.finance.ddl import create_raw_tables

MACROS = DBT_PROJECT_DIR / "macros" / "deduction_rule_case.sql"
STAGING_LINES = DBT_PROJECT_DIR / "models" / "staging" / "stg_remittance_lines.sql"
SEEDS = DBT_PROJECT_DIR / "seeds"
SEED_SCHEMA = "finance_config"
SEED_INTEGERS = {"deduction_rules": ("priority",)}


@dataclass(frozen=True)
class _Rows:
    """What dbt's `run_query` returns, as far as the macros use it."""

    rows: list[tuple[Any, ...]]


def load_seeds(conn: duckdb.DuckDBPyConnection) -> None:
    """The finance seeds as tables, typed where the macros compare them."""
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SEED_SCHEMA}")
    for path in sorted(SEEDS.glob("*.csv")):
        integers = SEED_INTEGERS.get(path.stem, ())
        replace = ", ".join(f"CAST({c} AS INTEGER) AS {c}" for c in integers)
        select = f"* REPLACE ({replace})" if replace else "*"
        conn.execute(
            f"CREATE OR REPLACE TABLE {SEED_SCHEMA}.{path.stem} AS SELECT {select}"
            " FROM read_csv(?, header = true, all_varchar = true)",
            [str(path)],
        )


def _environment() -> jinja2.Environment:
    # dbt's own Jinja settings that the project's SQL relies on (whitespace control, no escaping)
    return jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)


def _macros(conn: duckdb.DuckDBPyConnection) -> Any:
    def ref(name: str) -> str:
        return f"{SEED_SCHEMA}.{name}"

    def run_query(sql: str) -> _Rows:
        return _Rows(conn.execute(sql).fetchall())

    template = _environment().from_string(MACROS.read_text())
    return template.make_module({"execute": True, "ref": ref, "run_query": run_query})


def classified_lines_sql(
    conn: duckdb.DuckDBPyConnection, raw_lines: str = "raw.remittance_lines"
) -> str:
    """SELECT of every line of `raw_lines`, staged and classified as the warehouse does."""
    macros = _macros(conn)
    source: Callable[[str, str], str] = lambda _schema, _table: raw_lines  # noqa: E731
    staged = (
        _environment()
        .from_string(STAGING_LINES.read_text())
        .render(source=source, base_invoice_key=macros.base_invoice_key)
    )
    return f"with lines as ({staged})\n{macros.classified_remittance_lines('lines')}"


def classes_of(
    lines: list[tuple[str, Decimal, str | None, str | None]],
) -> list[str]:
    """Class of each (reference, signed amount, description, X12 426 reason), in order.

    For checks and tests of the rules on lines that are not in a file: each becomes a raw
    remittance line of one in-memory warehouse and goes through the same SQL as the others.
    """
    with duckdb.connect() as conn:
        create_raw_tables(conn)
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
