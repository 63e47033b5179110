"""The dbt command line of the finance layer, built in one place (no Dagster here).

Three callers run `dbt build` on dbt_finance: the Dagster dbt asset (`defs/finance/dbt.py`), the
dbt integration tests (`tests/finance/dbt_build.py`) and the finance bench
(`vendor_sandbox/bench/finance.py`). Each takes its subcommand and its vars from
`dbt_arguments`, the vars of a settlement window from `settlement_vars`. Dagster's
`DbtCliResource` adds the executable, the project and profiles and its own target path itself;
a run outside Dagster takes the whole line from `dbt_command`, its environment from
`dbt_environment` and its results from `run_results`.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from vendor_pipelines.dbt_project import DBT_PROJECT_DIR, dbt_executable

PARTIAL_PARSE_FILE = "partial_parse.msgpack"


def settlement_vars(
    start: date | str, end: date | str | None = None, **policy: str
) -> dict[str, str]:
    """The dbt vars of a settlement window (`settlement_window` in the macros): the day `start`,
    or `start`..`end` inclusive, with the settlement policy (`variance_tolerance`)."""
    window = {"settlement_date": str(start)}
    if end is not None:
        window["settlement_date_end"] = str(end)
    return {**window, **policy}


def dbt_arguments(
    command: Sequence[str] = ("build",), variables: Mapping[str, object] | None = None
) -> list[str]:
    """The dbt subcommand (`command`, with its own options) and its `--vars`."""
    arguments = list(command)
    if variables:
        arguments += ["--vars", json.dumps(dict(variables))]
    return arguments


def dbt_command(
    work: Path,
    command: Sequence[str] = ("build",),
    variables: Mapping[str, object] | None = None,
    *,
    quiet: bool = False,
) -> list[str]:
    """The whole command line of a dbt run outside Dagster: the project's dbt on dbt_finance,
    with its target and logs under `work`, so that independent runs can go side by side. Run it
    with `cwd=DBT_PROJECT_DIR` and `env=dbt_environment(warehouse)`.

    The project's own parse state (`target/partial_parse.msgpack`, from the `dbt parse` that
    keeps the manifest fresh) is copied into a new target first, as Dagster's DbtCliResource
    does: a run whose vars match that parse's (a full build, no vars) skips the full re-parse
    of every project file and macro. dbt re-parses in full whenever the vars differ."""
    _seed_partial_parse(work / "target")
    return [
        dbt_executable(),
        *dbt_arguments(command, variables),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
        *(["--quiet"] if quiet else []),
    ]


def _seed_partial_parse(target: Path) -> None:
    source = DBT_PROJECT_DIR / "target" / PARTIAL_PARSE_FILE
    destination = target / PARTIAL_PARSE_FILE
    if source.exists() and not destination.exists():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)


def dbt_environment(warehouse: Path) -> dict[str, str]:
    """This process's environment for a dbt run on `warehouse` (profiles.yml reads
    DUCKDB_PATH), without dbt's usage statistics."""
    return {**os.environ, "DUCKDB_PATH": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


def run_results(work: Path) -> list[dict[str, Any]]:
    """The results of the `dbt_command` run whose work folder is `work`, one per node."""
    return json.loads((work / "target" / "run_results.json").read_text())["results"]
