"""Dagster's SQLite event log, with each shard's SQLAlchemy engine kept between events.

The stock `SqliteEventLogStorage` builds a new engine for every connection it opens and disposes
of it after: a run's every event opens the run's shard, and an asset or check event the index
shard too, so each event pays for two or three engines (the dialect's set-up on first connect,
the pool, the URL), and each asset check event asks SQLite again whether the check tables exist.
In the demo that was a fifth of the main process's time (py-spy, 100 Hz: `store_event` 1,118 of
5,664 samples, of which the engines' creation and disposal ~310 and the table check 83).

This storage keeps the engines of the shards used last (the index and the runs in flight), still
with `NullPool`: no connection stays open between events, so files, locks and other processes
see exactly what they saw before; only the engine objects are reused. The files and their layout
are Dagster's own (`<dagster_home>/history/runs/<run_id>.db`, `index.db`), so an instance can
switch between this class and the stock one either way. Named by `deploy/dagster.sqlite.yaml`,
which dev, demo and test instances append to `dagster.yaml`; production's Postgres storage keeps
a connection pool of its own and needs none of this.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from dagster._config import StringSource
from dagster._core.instance.ref import _event_logs_directory
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

# The index shard and the runs a process writes at once (a run worker: one; the daemon, the
# webserver: the runs in flight). Older engines are dropped, so a long-lived process does not
# keep one for every run it ever read.
KEPT_ENGINES = 16


class KeptEngineSqliteEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` that creates each shard's engine once, not once per event."""

    def __init__(self, dagster_home: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._has_check_tables = False
        # The folder Dagster's default SQLite storage uses under DAGSTER_HOME, from its own helper.
        super().__init__(_event_logs_directory(dagster_home), inst_data)

    @classmethod
    def config_type(cls) -> Mapping[str, Any]:
        return {"dagster_home": StringSource}

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> KeptEngineSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        # As the stock method (one connection at a time per process, a shard's schema made on
        # its first use, one transaction per connection), less the engine's creation and disposal.
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.pop(shard, None)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard),
                poolclass=NullPool,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            )
        self._engines[shard] = engine  # the most recent last
        while len(self._engines) > KEPT_ENGINES:
            self._engines.popitem(last=False)
        return engine

    @property
    def supports_asset_checks(self) -> bool:
        # Asked at every asset check event; the tables, once there, stay (a wipe makes them again).
        if not self._has_check_tables:
            self._has_check_tables = bool(super().supports_asset_checks)
        return self._has_check_tables
