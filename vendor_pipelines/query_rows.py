"""A warehouse query's rows as dicts by column name: the one reader the finance postings and
the dispute modules share. Its own module, light to import: the CLI's dispute commands load it
without the finance package (pandas, pandera, the remittance parsers)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import duckdb


def rows(
    conn: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The rows of `sql` as dicts by column name."""
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
