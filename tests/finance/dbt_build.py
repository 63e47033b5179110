"""Build a warehouse and run `dbt build` on it, for the dbt_finance integration tests.

A module of its own, not conftest.py: test folders each have a conftest, and importing one by
name picks whichever was imported first."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DBT_PROJECT = REPO / "dbt_finance"
DBT = Path(sys.executable).with_name("dbt")


@dataclass
class DbtRun:
    returncode: int
    output: str
    statuses: dict[str, str]  # node name -> pass / fail / warn / success / error

    def status(self, name: str) -> str:
        return self.statuses[name]


def start_dbt_build(
    warehouse: Path,
    work: Path,
    variables: dict[str, str] | None = None,
    *,
    command: tuple[str, ...] = ("build",),
) -> subprocess.Popen[str]:
    """Start `dbt build` (or another dbt `command`) on its own warehouse file; independent
    builds can run side by side."""
    command = [
        str(DBT),
        *command,
        "--profiles-dir",
        str(DBT_PROJECT),
        "--project-dir",
        str(DBT_PROJECT),
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
    ]
    if variables:
        command += ["--vars", json.dumps(variables)]
    env = {**os.environ, "DUCKDB_PATH": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return subprocess.Popen(
        command,
        cwd=DBT_PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish_dbt_build(process: subprocess.Popen[str], work: Path) -> DbtRun:
    output, _ = process.communicate()
    results = json.loads((work / "target" / "run_results.json").read_text())["results"]
    statuses = {r["unique_id"].split(".")[2]: r["status"] for r in results}
    return DbtRun(process.returncode, output, statuses)


def run_dbt_build(warehouse: Path, work: Path, variables: dict[str, str] | None = None) -> DbtRun:
    return finish_dbt_build(start_dbt_build(warehouse, work, variables), work)
