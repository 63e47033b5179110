"""The code location loads, validates and follows the project's asset conventions."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from vendor_pipelines.definitions import defs

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def definitions() -> dg.Definitions:
    return defs()


def test_definitions_validate_loadable(definitions: dg.Definitions) -> None:
    dg.Definitions.validate_loadable(definitions)
    assert definitions.resolve_asset_graph().get_all_asset_keys()


def test_one_environment_builds_the_definitions_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Dagster rebuilds the repository from `defs` at every reconstruction (six times in one
    # `dagster asset materialize`): one environment, one build.
    before = defs()
    assert defs() is before
    # Every setting reaches the definitions through the environment: a new one, a new build.
    monkeypatch.setenv("VARIANCE_TOLERANCE", "0.07")
    changed = defs()
    assert changed is not before
    assert changed.resources["dbt"].variance_tolerance == "0.07"
    monkeypatch.delenv("VARIANCE_TOLERANCE", raising=False)
    assert defs().resources["dbt"].variance_tolerance == "0.00"


def test_dg_check_defs() -> None:
    # `dagster definitions validate -w workspace.yaml` runs in `make test` itself.
    result = subprocess.run(
        [str(BIN / "dg"), "check", "defs"],
        cwd=REPO,
        env={**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def test_every_asset_is_described_grouped_owned_and_kinded(definitions: dg.Definitions) -> None:
    problems = []
    for spec in definitions.resolve_all_asset_specs():
        name = spec.key.to_user_string()
        if not (spec.description or "").strip():
            problems.append(f"{name}: no description")
        if not spec.group_name or spec.group_name == "default":
            problems.append(f"{name}: no group")
        if not spec.owners:
            problems.append(f"{name}: no owners")
        if not spec.kinds:
            problems.append(f"{name}: no kinds")
    assert problems == []


def test_every_warehouse_step_is_in_the_duckdb_pool(definitions: dg.Definitions) -> None:
    graph = definitions.resolve_asset_graph()
    outside = [
        node.key.to_user_string()
        for node in graph.asset_nodes
        if node.is_materializable
        and {"duckdb", "dbt"} & set(node.kinds)
        and graph.assets_def_for_key(node.key).op.pool != "duckdb"
    ]
    assert outside == []


def test_dev_instance_pools_duckdb_to_one_writer(tmp_path: Path) -> None:
    (tmp_path / "dagster.yaml").write_text((REPO / "dagster.yaml").read_text())
    instance = dg.DagsterInstance.from_config(str(tmp_path))
    try:
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
        # SQLite in dev: the top-level file must never carry a storage block.
        assert "sqlite" in type(instance.run_storage).__name__.lower()
    finally:
        instance.dispose()


def _targets(definitions: dg.Definitions, job_name: str) -> set[dg.AssetKey]:
    job = definitions.resolve_job_def(job_name)
    return set(job.asset_layer.selected_asset_keys)


def test_every_asset_runs_unattended(definitions: dg.Definitions) -> None:
    """Each asset is run by a running-by-default schedule or sensor, or by automation."""
    covered: dict[dg.AssetKey, list[str]] = {}
    for schedule in definitions.schedules:
        if schedule.default_status == dg.DefaultScheduleStatus.RUNNING:
            for key in _targets(definitions, schedule.job_name):
                covered.setdefault(key, []).append(f"schedule {schedule.name}")
    for sensor in definitions.sensors:
        if sensor.default_status != dg.DefaultSensorStatus.RUNNING:
            continue
        for job_name in [job.name for job in sensor.jobs] if sensor.has_jobs else []:
            for key in _targets(definitions, job_name):
                covered.setdefault(key, []).append(f"sensor {sensor.name}")
    automated = [s.key for s in definitions.resolve_all_asset_specs() if s.automation_condition]
    for key in automated:
        covered.setdefault(key, []).append("automation condition")
    every = {s.key for s in definitions.resolve_all_asset_specs()}
    assert sorted(k.to_user_string() for k in every - set(covered)) == []
    # The loops the issue names, each closed by the daemon.
    for key in (
        "raw/netsuite_item_fulfilments",
        "fulfilment/shipment_confirmations",
        "fulfilment/df_shipments",
        "raw/netsuite_invoices",
        "fulfilment/invoice_submissions",
        "orders/df_address_purge",
    ):
        assert covered[dg.AssetKey.from_user_string(key)]


def test_schedules_run_in_their_business_timezone(definitions: dg.Definitions) -> None:
    from vendor_pipelines.settings import load_settings

    settings = load_settings()
    zones = {s.name: s.execution_timezone for s in definitions.schedules}
    assert zones["nightly_settlement_schedule"] == settings.finance_timezone
    others = set(zones) - {"nightly_settlement_schedule"}
    assert {zones[name] for name in others} == {settings.operations_timezone}
