"""Warehouse tables of the submission ledger (DuckDB): `ops.submissions`, the payloads whose
outcome may be unknown, and the high-water marks of incremental pulls.

Applied with every other domain's tables by `vendor_pipelines.warehouse_schema`.
"""

from __future__ import annotations

import duckdb

DDL = """
create schema if not exists ops;
-- Every external write, keyed deterministically, recorded before and after it is sent.
create table if not exists ops.submissions (
    channel varchar not null,              -- e.g. netsuite.salesOrder, amazon.rp.acknowledgement
    submission_key varchar not null,       -- deterministic id (external id, PO + version, ...)
    payload_hash varchar not null,
    status varchar not null,               -- pending | sent | succeeded | failed | withdrawn
    external_ref varchar,                  -- NetSuite internal id or Amazon transaction id
    attempts integer not null,
    last_error varchar,
    first_attempt_at timestamptz not null,
    last_attempt_at timestamptz not null,
    primary key (channel, submission_key)
);
-- The exact body of a submission whose outcome may be unknown (a crash between sending and
-- recording), so a retry re-sends the same document, which the other side recognises, instead
-- of a new one it would apply a second time.
create table if not exists ops.submission_payloads (
    channel varchar not null,
    submission_key varchar not null,
    payload json not null,
    primary key (channel, submission_key)
);
-- High-water marks of incremental pulls, per source (program, vendor code, region).
create table if not exists ops.sync_cursors (
    source varchar primary key,
    high_water_mark timestamptz not null,
    updated_at timestamptz not null
);

"""

# Added after the first release: the SP-API region an Amazon submission went to, so its
# transaction is polled on the same host (warehouses from before simply gain the column).
MIGRATIONS = ("alter table ops.submissions add column if not exists region varchar",)


def apply(conn: duckdb.DuckDBPyConnection) -> None:
    """Create the ledger's tables if missing and add columns of later releases (idempotent)."""
    conn.execute(DDL)
    for statement in MIGRATIONS:
        conn.execute(statement)
