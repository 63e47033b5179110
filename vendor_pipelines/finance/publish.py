"""Publish the finance marts to a separate read-only DuckDB file for analysts.

DuckDB allows one writer, and a reader blocks the writer; analysts therefore never open the
warehouse. After each finance run the marts are copied into a fresh temporary file next to the
target, which is then swapped in with `os.replace` (atomic on POSIX): an analyst session that
still has the old file open keeps reading it, new sessions get the new one, nobody sees half a
copy.

Every table and view of the `finance` schema goes, views materialised as of the last build: the
settlement models, the open deductions, and the disputes (DISPUTE_RELATIONS: one case per claim
with its judgement and status, the recovery figures per claim month and class, the root causes
of valid claims, and the reclass journal lines).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

DEFAULT_SCHEMAS = ("finance", "marts")
# Published with the finance schema (named here for whoever looks for them, and for the tests).
DISPUTE_RELATIONS = (
    "finance.dispute_cases",
    "finance.dispute_recovery",
    "finance.dispute_root_causes",
    "finance.dispute_journal_lines",
)
# Published beside the schemas: what finance works from when it reads the numbers (the GL
# mapping and rules it owns, the open and resolved exceptions). The rest of `ops` (the
# submission ledger, its payloads) stays in the warehouse.
DEFAULT_TABLES = (
    "finance_config.deduction_gl_mapping",
    "finance_config.deduction_rules",
    "ops.exceptions",
    "ops.exception_types",
    "ops.integration_status",
)


@dataclass(frozen=True)
class PublishResult:
    path: Path
    tables: tuple[str, ...]
    rows: int


def publish_analytics(
    conn: duckdb.DuckDBPyConnection,
    target: Path | str,
    *,
    schemas: tuple[str, ...] = DEFAULT_SCHEMAS,
    tables: tuple[str, ...] = DEFAULT_TABLES,
    include_intermediate: bool = False,
) -> PublishResult:
    """Copy every table and view of `schemas`, and the `tables` named (`schema.name`, those
    that exist), into `target` atomically; views are materialised.

    `conn` is the run's warehouse connection (the caller holds the DuckDB pool slot).
    Intermediate models (`int_*`) stay out unless asked for.
    """
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    for leftover in (temporary, temporary.with_name(temporary.name + ".wal")):
        leftover.unlink(missing_ok=True)
    relations = conn.execute(
        """
        SELECT table_schema, table_name
        FROM information_schema.tables
        WHERE table_catalog = current_database()
          AND (table_schema IN (SELECT unnest(?))
               OR table_schema || '.' || table_name IN (SELECT unnest(?)))
        ORDER BY table_schema, table_name
        """,
        [list(schemas), list(tables)],
    ).fetchall()
    relations = [
        (schema, name)
        for schema, name in relations
        if include_intermediate or not name.startswith("int_")
    ]
    alias = "analytics_publish"
    conn.execute(f"ATTACH '{temporary}' AS {alias}")
    rows = 0
    try:
        for schema in sorted({schema for schema, _ in relations}):
            conn.execute(f'CREATE SCHEMA {alias}."{schema}"')
        for schema, name in relations:
            conn.execute(
                f'CREATE TABLE {alias}."{schema}"."{name}" AS SELECT * FROM "{schema}"."{name}"'
            )
            count = conn.execute(f'SELECT count(*) FROM {alias}."{schema}"."{name}"').fetchone()
            rows += int(count[0]) if count else 0
        conn.execute(
            f"CREATE TABLE {alias}.main.published_at AS SELECT ?::TIMESTAMP AS published_at",
            [datetime.now(UTC).replace(tzinfo=None)],
        )
        conn.execute(f"CHECKPOINT {alias}")
    finally:
        conn.execute(f"DETACH {alias}")
    os.replace(temporary, target)
    return PublishResult(target, tuple(f"{s}.{n}" for s, n in relations), rows)
