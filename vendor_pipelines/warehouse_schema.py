"""The warehouse's tables, declared once by the domains that write them and applied here, once.

Each domain owns the tables it writes, in its schema module: `submissions/schema.py`,
`exceptions/schema.py`, `orders/schema.py`, `fulfilment/schema.py` and `finance/schema.py`. Each
one's `apply(conn)` creates what is missing and adds the columns of later releases (additive
migrations, `ADD COLUMN IF NOT EXISTS`), so applying is idempotent on any warehouse file, new or
made by an earlier release.

`apply` applies every domain's schema. The warehouse resource calls `apply_once` when it opens
a connection: the first time a process opens a file, and again if the file was replaced since.
Code that opens the warehouse itself (the CLI, the sandbox, the benches, tests) calls `apply`
(or `apply_once`) where it opens it; the library functions that work on the tables never do.

Pure: DuckDB only, no Dagster.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import duckdb

from vendor_pipelines.exceptions import schema as exceptions_schema
from vendor_pipelines.finance import schema as finance_schema
from vendor_pipelines.fulfilment import schema as fulfilment_schema
from vendor_pipelines.orders import schema as orders_schema
from vendor_pipelines.submissions import schema as submissions_schema

# In the order they are applied (no domain's tables refer to a later one's).
DOMAIN_SCHEMAS = (
    submissions_schema,
    exceptions_schema,
    orders_schema,
    fulfilment_schema,
    finance_schema,
)

_IN_MEMORY = {"", ":memory:"}
# A table `apply` creates last: a file that has it had every domain's schema applied.
_SENTINEL = ("raw", "remittance_repeats")

# Resolved path -> identity (device, inode) of the file as it was when its schema was applied.
_applied: dict[Path, tuple[int, int]] = {}
_lock = threading.Lock()


def apply(conn: duckdb.DuckDBPyConnection) -> None:
    """Every domain's tables, views and macros, with their additive migrations (idempotent)."""
    for schema in DOMAIN_SCHEMAS:
        schema.apply(conn)


def apply_once(conn: duckdb.DuckDBPyConnection, database: str | os.PathLike[str]) -> None:
    """`apply` to `conn`, an open connection to `database`, unless this process applied it to
    that very file already (a file deleted and made again is applied again). Cheap when applied:
    a stat and one catalog query."""
    if str(database) in _IN_MEMORY or str(database).startswith(":memory:"):
        apply(conn)  # every in-memory connection is a new database
        return
    path = Path(database).resolve()
    with _lock:
        identity = _identity(path)
        if identity is not None and _applied.get(path) == identity and _has_sentinel(conn):
            return
        apply(conn)
        identity = _identity(path)
        if identity is not None:
            _applied[path] = identity


def _has_sentinel(conn: duckdb.DuckDBPyConnection) -> bool:
    # A file made again can get the old one's inode; it does not have the tables.
    return bool(
        conn.execute(
            "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
            list(_SENTINEL),
        ).fetchone()[0]
    )


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_dev, stat.st_ino
