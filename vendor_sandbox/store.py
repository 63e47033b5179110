"""Sandbox state: a small SQLite document store shared by every process that serves a sandbox.

Why SQLite: a Dagster run executes steps in subprocesses, each of which may start its own
loopback sandbox server; they must all see the same purchase orders and sales orders. SQLite gives
cross-process transactions with no extra service. Documents are JSON, keyed by (collection, key).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_SCHEMA = """
create table if not exists documents (
    collection text not null,
    key text not null,
    seq integer not null,
    body text not null,
    primary key (collection, key)
);
-- a put numbers its document after the last one (max(seq)): without this, a scan of every
-- document for each write, most of the sandbox NetSuite's time on a large vendor's day
create index if not exists documents_seq on documents (seq);
create table if not exists counters (name text primary key, value integer not null);
create table if not exists meta (name text primary key, value text not null);
"""


class SandboxStore:
    """JSON documents by collection and key, with an insertion sequence for stable ordering."""

    def __init__(self, path: str | Path | None = None) -> None:
        # ":memory:" is per connection, so in-memory stores use one shared connection + a lock.
        self.path = str(path) if path else ":memory:"
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            self.path, timeout=30, check_same_thread=False, isolation_level=None
        )
        self._conn.execute("pragma journal_mode=wal")
        # A sandbox survives its processes being killed, not the machine losing power: in WAL
        # mode NORMAL still commits atomically, without a sync of the log at each commit.
        self._conn.execute("pragma synchronous=normal")
        self._conn.execute("pragma busy_timeout=30000")
        self._conn.executescript(_SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[SandboxStore]:
        """Serialise a read-modify-write across threads and processes (BEGIN IMMEDIATE)."""
        with self._lock:
            self._conn.execute("begin immediate")
            try:
                yield self
            except BaseException:
                self._conn.execute("rollback")
                raise
            self._conn.execute("commit")

    def get(self, collection: str, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._conn.execute(
                "select body from documents where collection = ? and key = ?", (collection, key)
            ).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, collection: str, key: str, body: dict[str, Any]) -> None:
        with self._lock:
            self._conn.execute(
                """insert into documents (collection, key, seq, body)
                   values (?, ?, (select coalesce(max(seq), 0) + 1 from documents), ?)
                   on conflict (collection, key) do update set body = excluded.body""",
                (collection, key, json.dumps(body, default=str)),
            )

    def put_many(self, collection: str, items: list[tuple[str, dict[str, Any]]]) -> None:
        with self.transaction():
            for key, body in items:
                self.put(collection, key, body)

    def delete(self, collection: str, key: str) -> None:
        with self._lock:
            self._conn.execute(
                "delete from documents where collection = ? and key = ?", (collection, key)
            )

    def all(self, collection: str) -> list[dict[str, Any]]:
        """Every document of a collection in insertion order."""
        with self._lock:
            rows = self._conn.execute(
                "select body from documents where collection = ? order by seq", (collection,)
            ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def count(self, collection: str) -> int:
        with self._lock:
            return self._conn.execute(
                "select count(*) from documents where collection = ?", (collection,)
            ).fetchone()[0]

    def next_value(self, name: str, start: int = 1) -> int:
        """A monotonically increasing counter (record internal ids, transaction numbers)."""
        with self._lock:
            row = self._conn.execute(
                """insert into counters (name, value) values (?, ?)
                   on conflict (name) do update set value = value + 1
                   returning value""",
                (name, start),
            ).fetchone()
        return int(row[0])

    def get_meta(self, name: str) -> str | None:
        with self._lock:
            row = self._conn.execute("select value from meta where name = ?", (name,)).fetchone()
        return row[0] if row else None

    def set_meta(self, name: str, value: str) -> None:
        with self._lock:
            self._conn.execute(
                "insert into meta (name, value) values (?, ?) "
                "on conflict (name) do update set value = excluded.value",
                (name, value),
            )

    def close(self) -> None:
        with self._lock:
            self._conn.close()
