"""`vendor-pipelines demo`: run the whole graph once against the embedded default.

Runs are recorded in a persistent Dagster home under `data/dagster_home` (the same one `make dev`
uses), so the demo's runs, materializations and check results are browsable in the UI afterwards.
"""

from __future__ import annotations

import os
import shutil
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import dagster as dg

from vendor_pipelines.dbt_project import REPO_ROOT
from vendor_pipelines.settings import Settings, load_settings

DAGSTER_HOME = REPO_ROOT / "data" / "dagster_home"


def prepare_dagster_home(home: Path = DAGSTER_HOME) -> Path:
    """A persistent dev instance configured by the top-level dagster.yaml (SQLite storage)."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    return home


def _partition_groups(
    defs: dg.Definitions,
) -> list[tuple[dg.PartitionsDefinition | None, list[dg.AssetKey]]]:
    """Unpartitioned assets first, then each partitions definition with its assets."""
    groups: dict[object, list[dg.AssetKey]] = defaultdict(list)
    partitions: dict[object, dg.PartitionsDefinition | None] = {None: None}
    graph = defs.resolve_asset_graph()
    for key in graph.materializable_asset_keys:
        pdef = graph.get(key).partitions_def
        groups[id(pdef) if pdef else None].append(key)
        partitions[id(pdef) if pdef else None] = pdef
    ordered = sorted(groups, key=lambda k: k is not None)
    return [(partitions[k], groups[k]) for k in ordered]


REMITTANCE_KEYS = (["raw", "remittance_payments"], ["raw", "remittance_lines"])


def demo_definitions() -> dg.Definitions:
    """The code location plus the demo's jobs: unpartitioned, remittances, partitioned."""
    from vendor_pipelines.definitions import defs as load_defs

    definitions = load_defs()
    jobs = [
        dg.define_asset_job(
            f"demo_{index}", selection=dg.AssetSelection.assets(*keys), partitions_def=pdef
        )
        for index, (pdef, keys) in enumerate(_partition_groups(definitions))
    ]
    jobs.append(
        dg.define_asset_job(
            "demo_remittances", selection=dg.AssetSelection.assets(*REMITTANCE_KEYS)
        )
    )
    return dg.Definitions.merge(definitions, dg.Definitions(jobs=jobs))


def _sandbox_pays(settings: Settings, partition_key: str) -> int:
    """In the embedded sandbox, Amazon pays the invoices it accepted: files land in the inbox."""
    if settings.amazon_is_live:
        return 0
    from vendor_pipelines.connections import sandbox_for
    from vendor_pipelines.sandbox.amazon.state import AmazonSandboxState
    from vendor_pipelines.sandbox.amazon_payments import write_remittances

    sandbox = sandbox_for(settings)
    state = AmazonSandboxState(sandbox.amazon_store, sandbox.world)
    files = write_remittances(
        state, settings.remittance_inbox, date.fromisoformat(partition_key), settings.sandbox_seed
    )
    return len(files)


def run_demo(dagster_home: Path = DAGSTER_HOME) -> int:
    settings = load_settings()
    home = prepare_dagster_home(dagster_home)
    os.environ["DAGSTER_HOME"] = str(home)
    definitions = demo_definitions()
    instance = dg.DagsterInstance.get()
    started = time.monotonic()
    rows: list[tuple[str, str]] = []
    checks_passed = checks_failed = 0
    ok = True
    plan = [
        (f"demo_{index}", pdef.get_last_partition_key() if pdef else None)
        for index, (pdef, _) in enumerate(_partition_groups(definitions))
    ]
    # In one process, steps in dependency order: the demo needs no daemon or code server.
    for job_name, partition_key in plan:
        if partition_key is not None:
            paid = _sandbox_pays(settings, partition_key)
            print(f"sandbox Amazon paid: {paid} remittance files in {settings.remittance_inbox}")
            if paid:
                ok &= _run(definitions, "demo_remittances", None, instance, rows)[0]
        success, passed, failed = _run(definitions, job_name, partition_key, instance, rows)
        ok &= success
        checks_passed += passed
        checks_failed += failed
    width = max((len(label) for label, _ in rows), default=10)
    print(f"\nMaterialized {len(rows)} assets in {time.monotonic() - started:.1f}s:")
    for label, count in rows:
        print(f"  {label:<{width}}  rows={count}")
    print(f"Asset checks: {checks_passed} passed, {checks_failed} failed (failures are exceptions)")
    print(f"DuckDB warehouse: {settings.duckdb_path}")
    print(f"Analysts' copy:   {settings.analytics_duckdb_path} (read-only, published each run)")
    print(f"Dagster runs:     {home} (open the UI with `make dev`, then http://127.0.0.1:3000)")
    return 0 if ok else 1


def _run(
    definitions: dg.Definitions,
    job_name: str,
    partition_key: str | None,
    instance: dg.DagsterInstance,
    rows: list[tuple[str, str]],
) -> tuple[bool, int, int]:
    result = definitions.resolve_job_def(job_name).execute_in_process(
        instance=instance,
        partition_key=partition_key,
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
    )
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        count = materialization.metadata.get("dagster/row_count")
        label = materialization.asset_key.to_user_string()
        if materialization.partition:
            label += f" [{materialization.partition}]"
        rows.append((label, str(count.value) if count is not None else "-"))
    evaluations = result.get_asset_check_evaluations()
    passed = sum(1 for evaluation in evaluations if evaluation.passed)
    return result.success, passed, len(evaluations) - passed
