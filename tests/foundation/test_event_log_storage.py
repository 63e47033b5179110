"""The dev instance's SQLite event log (deployment/event_log.py) on real files.

A persistent instance composed as the dev instance is (dagster.yaml + deploy/dagster.sqlite.yaml)
records real runs; the engines the storage creates are counted, and what it wrote is read back
by Dagster's own SQLite storage from the same folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.storage.event_log import SqliteEventLogStorage

from vendor_pipelines.deployment import event_log
from vendor_pipelines.deployment.event_log import KEPT_ENGINES, KeptEngineSqliteEventLogStorage
from vendor_pipelines.deployment.topology import write_instance


@dg.asset
def purchase_order_count() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"dagster/row_count": 3})


@dg.asset_check(asset=purchase_order_count)
def purchase_orders_present() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


@pytest.fixture
def engines_created(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The connection string of every engine the storage creates, in order."""
    created: list[str] = []
    real = event_log.create_engine

    def counting(conn_string: str, **kwargs):
        created.append(conn_string)
        return real(conn_string, **kwargs)

    monkeypatch.setattr(event_log, "create_engine", counting)
    return created


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dg.DagsterInstance]:
    for name, value in write_instance(tmp_path / "dagster_home").items():
        monkeypatch.setenv(name, value)
    with dg.DagsterInstance.get() as persistent:
        yield persistent


def _materialize(instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    result = dg.materialize([purchase_order_count, purchase_orders_present], instance=instance)
    assert result.success
    return result


def test_the_dev_instance_creates_each_shards_engine_once(
    engines_created: list[str], instance: dg.DagsterInstance
) -> None:
    assert isinstance(instance.event_log_storage, KeptEngineSqliteEventLogStorage)
    result = _materialize(instance)
    events = instance.all_logs(result.run_id)
    # The run's own shard and the index shard, whatever the number of events.
    assert len(events) > 10
    assert sorted(Path(s).name for s in engines_created) == sorted(
        [f"{result.run_id}.db", "index.db"]
    )


def test_what_it_writes_dagsters_own_storage_reads(
    instance: dg.DagsterInstance, tmp_path: Path
) -> None:
    result = _materialize(instance)
    stock = SqliteEventLogStorage(str(tmp_path / "dagster_home" / "history" / "runs"))
    key = dg.AssetKey("purchase_order_count")
    latest = stock.get_latest_materialization_events([key])[key]
    assert latest is not None and latest.run_id == result.run_id
    assert latest.asset_materialization.metadata["dagster/row_count"].value == 3
    check = dg.AssetCheckKey(key, "purchase_orders_present")
    [execution] = stock.get_asset_check_execution_history(check, limit=1)
    assert execution.run_id == result.run_id
    assert execution.status.value == "SUCCEEDED"
    assert len(stock.get_logs_for_run(result.run_id)) == len(instance.all_logs(result.run_id))


def test_a_wiped_instance_records_runs_again(instance: dg.DagsterInstance) -> None:
    _materialize(instance)
    instance.wipe()
    result = _materialize(instance)
    key = dg.AssetKey("purchase_order_count")
    assert instance.get_latest_materialization_event(key).run_id == result.run_id
    assert len(instance.get_runs()) == 1


def test_engines_of_shards_used_long_ago_are_dropped(
    tmp_path: Path, engines_created: list[str]
) -> None:
    storage = KeptEngineSqliteEventLogStorage(str(tmp_path))
    shards = [f"run{n}" for n in range(KEPT_ENGINES + 4)]

    def runs_engines() -> list[str]:
        return [Path(s).stem for s in engines_created if Path(s).stem.startswith("run")]

    for shard in shards:
        with storage.run_connection(shard):
            pass
    assert runs_engines() == shards
    with storage.run_connection(shards[-1]):  # used last: kept
        pass
    assert runs_engines() == shards
    with storage.run_connection(shards[0]):  # the oldest: dropped, made again
        pass
    assert runs_engines() == [*shards, shards[0]]
