"""`vendor-pipelines bench run`: the fixed cost of one Dagster run, launch to success.

Each run materializes one small warehouse asset (`orders/df_address_purge`: one DELETE and one
count on an empty warehouse) by launching the CLI, `dagster asset materialize`, as a subprocess
on a persistent instance (a temp DAGSTER_HOME composed like the dev instance, SQLite storage),
the way an operator or a script starts a run. The run's event log then splits the wall time:
launch -> RUN_START (process start, imports, definitions), RUN_START -> STEP_START (the step
process), STEP_START -> STEP_SUCCESS (the step: resources and the asset's own code),
STEP_SUCCESS -> RUN_SUCCESS, and RUN_SUCCESS -> process exit. The asset's own code is timed
inside the step by the event log's own STEP_START..STEP_SUCCESS; everything else is overhead.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from vendor_pipelines.dbt_project import REPO_ROOT
from vendor_pipelines.deployment.topology import write_instance
from vendor_sandbox.bench._figures import figure

HELP = "one small warehouse asset launched as a Dagster run: wall time and its overhead share"
ASSET = "orders/df_address_purge"
MARKS = ("RUN_START", "STEP_START", "STEP_SUCCESS", "RUN_SUCCESS")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeat", type=int, default=3, help="runs launched (median reported)")
    parser.add_argument("--asset", default=ASSET, help="asset key to materialize")


def _launch(home: Path, env: dict[str, str], asset: str) -> dict[str, float]:
    command = [
        str(Path(sys.executable).parent / "dagster"),
        "asset",
        "materialize",
        "-m",
        "vendor_pipelines.definitions",
        "--select",
        asset,
    ]
    launched = time.time()
    completed = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    exited = time.time()
    if completed.returncode != 0:
        raise RuntimeError(f"run failed:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}")
    return {"launch": launched, **_marks(home), "exit": exited}


def _marks(home: Path) -> dict[str, float]:
    """Timestamps of the newest run's RUN_START, STEP_START, STEP_SUCCESS and RUN_SUCCESS."""
    import dagster as dg

    os.environ["DAGSTER_HOME"] = str(home)
    with dg.DagsterInstance.get() as instance:
        run = instance.get_runs(limit=1)[0]
        marks: dict[str, float] = {}
        for entry in instance.all_logs(run.run_id):
            kind = entry.dagster_event.event_type.name if entry.dagster_event else None
            if kind in MARKS and kind not in marks:
                marks[kind] = entry.timestamp
    missing = [mark for mark in MARKS if mark not in marks]
    if missing:
        raise RuntimeError(f"run {run.run_id} has no {', '.join(missing)} event")
    return marks


def run(args: argparse.Namespace) -> int:
    root = Path(tempfile.mkdtemp(prefix="bench_run_"))
    try:
        home = root / "dagster_home"
        env = {
            **os.environ,
            **write_instance(home),
            "DUCKDB_PATH": str(root / "data" / "warehouse.duckdb"),
            "ANALYTICS_DUCKDB_PATH": str(root / "data" / "analytics.duckdb"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
        runs = [_launch(home, env, args.asset) for _ in range(max(1, args.repeat))]
    finally:
        shutil.rmtree(root, ignore_errors=True)

    def median(start: str, end: str) -> float:
        return statistics.median(r[end] - r[start] for r in runs)

    wall = median("launch", "RUN_SUCCESS")
    step = median("STEP_START", "STEP_SUCCESS")
    outside = statistics.median(
        1 - (r["STEP_SUCCESS"] - r["STEP_START"]) / (r["RUN_SUCCESS"] - r["launch"]) for r in runs
    )
    print(
        f"{args.asset}, median of {len(runs)} launches (`dagster asset materialize`, persistent "
        f"SQLite instance): launch -> RUN_START {median('launch', 'RUN_START'):.2f}s, "
        f"RUN_START -> STEP_START {median('RUN_START', 'STEP_START'):.2f}s, "
        f"STEP_START -> STEP_SUCCESS {step:.2f}s, "
        f"STEP_SUCCESS -> RUN_SUCCESS {median('STEP_SUCCESS', 'RUN_SUCCESS'):.2f}s, "
        f"RUN_SUCCESS -> exit {median('RUN_SUCCESS', 'exit'):.2f}s"
    )
    print(figure("run_launch_to_success", wall, "s", None, None, 2))
    print(figure("run_step_start_to_success", step, "s", None, None, 2))
    print(figure("run_share_outside_step", outside * 100, "%", None, None, 0))
    return 0
