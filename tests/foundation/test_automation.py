"""The automation's own logic: coalescing schedules and the settlement of loaded days.

Evaluated against a real (temporary) instance holding real runs and materializations; what only
the daemon does (ticking them on time) is tested in tests/daemon/.
"""

from __future__ import annotations

import dagster as dg

from vendor_pipelines.defs.finance.automation import (
    POSTINGS,
    retry_held_settlements,
    settle_loaded_days,
)
from vendor_pipelines.defs.finance.remittances import PAYMENTS, SETTLEMENT_DAYS_METADATA
from vendor_pipelines.defs.orders.automation import order_sync_job, order_sync_schedule
from vendor_pipelines.defs.scheduling import PRIORITY, loop_tags


def _queue(instance: dg.DagsterInstance, job_name: str, status: dg.DagsterRunStatus) -> str:
    return instance.add_run(dg.DagsterRun(job_name=job_name, status=status)).run_id


def test_a_schedule_skips_its_tick_while_a_run_of_its_job_waits() -> None:
    with dg.instance_for_test() as instance:
        first = order_sync_schedule.evaluate_tick(dg.build_schedule_context(instance=instance))
        assert len(first.run_requests) == 1
        waiting = _queue(instance, order_sync_job.name, dg.DagsterRunStatus.NOT_STARTED)
        skipped = order_sync_schedule.evaluate_tick(dg.build_schedule_context(instance=instance))
        assert not skipped.run_requests and waiting in skipped.skip_message
        # A run that already started may have read its inputs before new data came: tick again.
        instance.delete_run(waiting)
        _queue(instance, order_sync_job.name, dg.DagsterRunStatus.STARTED)
        again = order_sync_schedule.evaluate_tick(dg.build_schedule_context(instance=instance))
        assert len(again.run_requests) == 1


def test_the_order_loop_outranks_every_other_loop() -> None:
    assert loop_tags("orders")["dagster/priority"] == str(max(PRIORITY.values()))
    assert order_sync_job.tags["loop"] == "orders"


def _loaded(instance: dg.DagsterInstance, days: list[str]) -> None:
    instance.report_runless_asset_event(
        dg.AssetMaterialization(
            asset_key=PAYMENTS, metadata={SETTLEMENT_DAYS_METADATA: dg.MetadataValue.json(days)}
        )
    )


def test_each_load_settles_the_days_it_touched_once() -> None:
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(instance=instance)
        assert settle_loaded_days(context).skip_reason is not None
        _loaded(instance, ["2026-11-20", "2026-11-21"])
        _loaded(instance, ["2026-11-21"])  # more cash for the same day, before the next tick
        result = settle_loaded_days(dg.build_sensor_context(instance=instance))
        assert sorted(r.partition_key for r in result.run_requests) == ["2026-11-20", "2026-11-21"]
        # The next tick starts after the cursor: nothing is requested twice.
        later = settle_loaded_days(dg.build_sensor_context(instance=instance, cursor=result.cursor))
        assert not later.run_requests
        # A late file for an old day comes in: only that day is settled again.
        _loaded(instance, ["2026-11-02"])
        late = settle_loaded_days(dg.build_sensor_context(instance=instance, cursor=result.cursor))
        assert [r.partition_key for r in late.run_requests] == ["2026-11-02"]


def _posted(instance: dg.DagsterInstance, day: str, held: list[str]) -> None:
    instance.report_runless_asset_event(
        dg.AssetMaterialization(
            asset_key=POSTINGS,
            partition=day,
            metadata={"held_settlement_days": dg.MetadataValue.json(held)},
        )
    )


def test_a_held_day_is_settled_again_when_something_that_can_fix_it_changes() -> None:
    with dg.instance_for_test() as instance:
        _posted(instance, "2026-11-20", ["2026-11-20"])
        _posted(instance, "2026-11-21", [])
        first = retry_held_settlements(dg.build_sensor_context(instance=instance))
        assert not first.run_requests and "1 settlement day" in first.skip_reason.skip_message
        # NetSuite gains the customer the held payment needed: that day is settled again.
        instance.report_runless_asset_event(
            dg.AssetMaterialization(asset_key=dg.AssetKey(["raw", "netsuite_customers"]))
        )
        second = retry_held_settlements(
            dg.build_sensor_context(instance=instance, cursor=first.cursor)
        )
        assert [r.partition_key for r in second.run_requests] == ["2026-11-20"]
        # Not twice for the same change; and once the day posts clean it is no longer held.
        third = retry_held_settlements(
            dg.build_sensor_context(instance=instance, cursor=second.cursor)
        )
        assert not third.run_requests
        _posted(instance, "2026-11-20", [])
        fourth = retry_held_settlements(
            dg.build_sensor_context(instance=instance, cursor=third.cursor)
        )
        assert "0 settlement day" in fourth.skip_reason.skip_message
