"""PO windows: the sensor (no DuckDB, stable run keys, cursor) and the closing run."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import dagster as dg

from vendor_pipelines.defs.orders.po_windows import (
    po_window_sensor,
    windows_closed_since,
)
from vendor_pipelines.defs.orders.purchase_orders import PURCHASE_ORDERS


def materialize_windows(instance: dg.DagsterInstance, windows: dict[str, str]) -> None:
    instance.report_runless_asset_event(
        dg.AssetMaterialization(
            asset_key=PURCHASE_ORDERS,
            metadata={"open_ship_windows": dg.MetadataValue.json(windows)},
        )
    )


def test_windows_closed_since_is_a_half_open_interval() -> None:
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    windows = {
        "A": (now - timedelta(hours=3)).isoformat(),
        "B": (now - timedelta(hours=1)).isoformat(),
        "C": (now + timedelta(hours=1)).isoformat(),
    }
    assert [po for po, _ in windows_closed_since(windows, None, now)] == ["A", "B"]
    cursor = windows["A"]
    assert [po for po, _ in windows_closed_since(windows, cursor, now)] == ["B"]


def test_sensor_requests_one_run_for_every_window_closed_since_its_cursor() -> None:
    now = datetime.now(UTC)
    windows = {
        "PO000001": (now - timedelta(hours=5)).isoformat(),
        "PO000002": (now - timedelta(minutes=5)).isoformat(),
        "PO000003": (now + timedelta(days=2)).isoformat(),
    }
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(instance=instance)
        assert po_window_sensor(context).skip_reason is not None  # nothing materialized yet
        materialize_windows(instance, windows)
        result = po_window_sensor(dg.build_sensor_context(instance=instance))
        (request,) = result.run_requests  # one run for both POs, not one per PO
        assert request.run_key == f"po-windows:start..{windows['PO000002']}"
        assert result.cursor == windows["PO000002"]
        closing = request.run_config["ops"]["orders__closed_po_lines"]["config"]
        assert closing["purchase_order_numbers"] == ["PO000001", "PO000002"]
        # The next tick, from that cursor, has nothing new: run keys are never re-emitted.
        again = po_window_sensor(dg.build_sensor_context(instance=instance, cursor=result.cursor))
        assert not again.run_requests


def test_closing_run_closes_only_unfulfilled_lines_and_records_them(order_flow) -> None:
    assert order_flow.run().success
    open_before = {
        so["otherRefNum"]: sum(1 for line in so["item"]["items"] if not line.get("isClosed"))
        for so in order_flow.netsuite_records("salesOrder")
    }
    result = order_flow.run(["orders", "closed_po_lines"])
    assert result.success
    due = order_flow.query(
        """select p.purchase_order_number from raw.amazon_purchase_orders p
           join ops.submissions s on s.submission_key = 'amzn-' || lower(p.program) || '-'
                || p.vendor_code || '-' || p.purchase_order_number and s.status = 'succeeded'
           where p.ship_window_end <= now()"""
    )
    closed = Counter(
        po for (po,) in order_flow.query("select purchase_order_number from orders.closed_po_lines")
    )
    assert {po for (po,) in due if open_before[po]} == set(closed)
    by_po = {so["otherRefNum"]: so for so in order_flow.netsuite_records("salesOrder")}
    for po, lines in closed.items():
        assert lines == open_before[po]
        assert all(line.get("isClosed") for line in by_po[po]["item"]["items"])
    # Running again closes nothing more and records nothing twice.
    before = order_flow.query("select count(*) from orders.closed_po_lines")[0][0]
    assert order_flow.run(["orders", "closed_po_lines"]).success
    assert order_flow.query("select count(*) from orders.closed_po_lines")[0][0] == before
