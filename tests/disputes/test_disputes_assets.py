"""The dispute_packets asset in-process over a hand-built warehouse: new disputable cases get
their packet beside the warehouse, once; its metadata counts them and lists the cases."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from dispute_warehouse import CHARGEBACK_CASE, PRICE_CLAIM, SHORTAGE, build_warehouse

from vendor_pipelines.defs.disputes.packets import DISPUTE_PACKETS, dispute_packets
from vendor_pipelines.defs.resources import SettingsResource, WarehouseResource
from vendor_pipelines.deployment.topology import environment

DAY = "2026-06-30"


def _materialize(path: Path) -> dict[str, dg.MetadataValue]:
    result = dg.materialize(
        [dispute_packets],
        partition_key=DAY,
        resources={"duckdb": WarehouseResource(database=str(path)), "settings": SettingsResource()},
    )
    (event,) = result.asset_materializations_for_node(dispute_packets.op.name)
    assert event.asset_key == DISPUTE_PACKETS
    return event.metadata


def test_packets_of_new_disputable_cases_are_written_once(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    build_warehouse(path)
    disputable = {SHORTAGE["case_id"], PRICE_CLAIM["case_id"], CHARGEBACK_CASE["case_id"]}
    with environment({"DUCKDB_PATH": str(path)}):
        first = _materialize(path)
        second = _materialize(path)
    out = tmp_path / "disputes"
    assert {p.stem for p in out.glob("*.pdf")} == disputable
    assert {p.stem for p in out.glob("*.csv")} == disputable
    assert first["packets_written_this_run"].value == 3
    assert first["disputable_cases"].value == 3
    assert second["packets_written_this_run"].value == 0
    listing = first["disputable"].value
    assert all(case_id in listing for case_id in disputable)
    assert "True" in listing and "True" not in second["disputable"].value
