"""Warehouse tables of the exceptions model (DuckDB): `ops.exception_types` (the runbook's
types, kept in step with `types.py`), each flow's detections and `ops.exceptions`.

Every later column is added by an `alter table ... add column if not exists`: applying the DDL
to a warehouse of an earlier release migrates it in place, without touching its rows.

Applied with every other domain's tables by `vendor_pipelines.warehouse_schema`.
"""

from __future__ import annotations

import duckdb

from vendor_pipelines.exceptions.types import EXCEPTION_TYPES

# Columns of ops.exception_types after exception_type: the ExceptionType fields of that name.
TYPE_COLUMNS = (
    "owner",
    "severity",
    "description",
    "blocks",
    "meaning",
    "holds",
    "fix",
    "clears",
    "louder_when",
)

DDL = """
create schema if not exists ops;
create table if not exists ops.exception_types (
    exception_type varchar primary key,
    owner varchar not null,
    severity varchar not null,
    description varchar not null,
    blocks varchar
);
-- The runbook of each type (docs/runbook.md), beside it for whoever reads the table; added
-- after the first release, so warehouses from before gain the columns.
alter table ops.exception_types add column if not exists meaning varchar;
alter table ops.exception_types add column if not exists holds varchar;
alter table ops.exception_types add column if not exists fix varchar;
alter table ops.exception_types add column if not exists clears varchar;
-- When one detection of the type is an error although the type is a warning (types.py).
alter table ops.exception_types add column if not exists louder_when varchar;
create table if not exists ops.exception_detections (
    source varchar not null,
    exception_type varchar not null,
    entity_key varchar not null,
    vendor_code varchar,
    purchase_order_number varchar,
    asin varchar,
    sku varchar,
    reference varchar,
    detail varchar not null,
    detected_at timestamptz not null,
    primary key (source, exception_type, entity_key)
);
create table if not exists ops.exceptions (
    exception_id varchar primary key,
    exception_type varchar not null,
    owner varchar not null,
    severity varchar not null,
    source varchar not null,
    entity_key varchar not null,
    vendor_code varchar,
    purchase_order_number varchar,
    asin varchar,
    sku varchar,
    reference varchar,
    detail varchar not null,
    first_seen_at timestamptz not null,
    last_seen_at timestamptz not null,
    resolved_at timestamptz
);
-- A detection's own severity (null: the type's), added with per-detection severities: at the
-- end of a warehouse's table from before (every insert names its columns).
alter table ops.exception_detections add column if not exists severity varchar;
-- Since when each open error exception has been an error: its first sighting, or the moment a
-- warning of a type that escalates (types.py `louder_when`) turned into one. A warning that
-- becomes an error is news to its owner although it was first seen days ago (alerts.py).
-- Beside ops.exceptions rather than in it, whose shape readers and copies rely on.
create table if not exists ops.exception_error_since (
    exception_id varchar primary key,
    error_since timestamptz not null
);
create or replace view ops.open_exceptions as
    select * from ops.exceptions where resolved_at is null;
"""


def apply(conn: duckdb.DuckDBPyConnection) -> None:
    """Create the tables if missing, add columns of later releases, and upsert every exception
    type (idempotent)."""
    conn.execute(DDL)
    conn.executemany(
        f"""insert into ops.exception_types (exception_type, {", ".join(TYPE_COLUMNS)})
           values (?{", ?" * len(TYPE_COLUMNS)})
           on conflict (exception_type) do update set
               {", ".join(f"{column} = excluded.{column}" for column in TYPE_COLUMNS)}""",
        [
            (t.name, *(getattr(t, column) for column in TYPE_COLUMNS))
            for t in EXCEPTION_TYPES.values()
        ],
    )
