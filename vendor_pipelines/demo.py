"""`vendor-pipelines demo`: run the whole graph once against the embedded default.

Runs are recorded in a persistent Dagster home under `data/dagster_home` (the same one `make dev`
uses), so the demo's runs, materializations and check results are browsable in the UI afterwards.
"""

from __future__ import annotations

import os
import shutil
import time
from collections import defaultdict
from pathlib import Path

import dagster as dg

from vendor_pipelines.dbt_project import REPO_ROOT
from vendor_pipelines.settings import load_settings

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


def demo_definitions() -> dg.Definitions:
    """The code location plus one job per partitioning, run one after the other."""
    from vendor_pipelines.definitions import defs as load_defs

    definitions = load_defs()
    jobs = [
        dg.define_asset_job(
            f"demo_{index}", selection=dg.AssetSelection.assets(*keys), partitions_def=pdef
        )
        for index, (pdef, keys) in enumerate(_partition_groups(definitions))
    ]
    return dg.Definitions.merge(definitions, dg.Definitions(jobs=jobs))


def run_demo() -> int:
    settings = load_settings()
    home = prepare_dagster_home()
    os.environ["DAGSTER_HOME"] = str(home)
    definitions = demo_definitions()
    instance = dg.DagsterInstance.get()
    started = time.monotonic()
    rows: list[tuple[str, str]] = []
    checks_passed = checks_failed = 0
    ok = True
    # In one process, steps in dependency order: the demo needs no daemon or code server.
    for index, (pdef, _) in enumerate(_partition_groups(definitions)):
        result = definitions.resolve_job_def(f"demo_{index}").execute_in_process(
            instance=instance,
            partition_key=pdef.get_last_partition_key() if pdef else None,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )
        ok &= result.success
        for event in result.get_asset_materialization_events():
            materialization = event.step_materialization_data.materialization
            count = materialization.metadata.get("dagster/row_count")
            label = materialization.asset_key.to_user_string()
            if materialization.partition:
                label += f" [{materialization.partition}]"
            rows.append((label, str(count.value) if count is not None else "-"))
        for evaluation in result.get_asset_check_evaluations():
            if evaluation.passed:
                checks_passed += 1
            else:
                checks_failed += 1
    width = max((len(label) for label, _ in rows), default=10)
    print(f"\nMaterialized {len(rows)} assets in {time.monotonic() - started:.1f}s:")
    for label, count in rows:
        print(f"  {label:<{width}}  rows={count}")
    print(f"Asset checks: {checks_passed} passed, {checks_failed} failed (failures are exceptions)")
    print(f"DuckDB warehouse: {settings.duckdb_path.resolve()}")
    print(f"Dagster runs:     {home} (open the UI with `make dev`, then http://127.0.0.1:3000)")
    return 0 if ok else 1
