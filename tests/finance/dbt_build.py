"""Build a warehouse and run `dbt build` on it, for the dbt_finance integration tests.

A module of its own, not conftest.py: test folders each have a conftest, and importing one by
name picks whichever was imported first."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from vendor_pipelines.dbt_project import DBT_PROJECT_DIR
from vendor_pipelines.finance.dbt_command import dbt_command, dbt_environment, run_results


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
    return subprocess.Popen(
        dbt_command(work, command),
        cwd=DBT_PROJECT_DIR,
        env=dbt_environment(warehouse, variables),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish_dbt_build(process: subprocess.Popen[str], work: Path) -> DbtRun:
    output, _ = process.communicate()
    statuses = {r["unique_id"].split(".")[2]: r["status"] for r in run_results(work)}
    return DbtRun(process.returncode, output, statuses)


def run_dbt_build(warehouse: Path, work: Path, variables: dict[str, str] | None = None) -> DbtRun:
    return finish_dbt_build(start_dbt_build(warehouse, work, variables), work)
