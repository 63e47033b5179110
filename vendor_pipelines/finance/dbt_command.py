"""The dbt command line of the finance layer, built in one place (no Dagster here).

Three callers run `dbt build` on dbt_finance: the Dagster dbt asset (`defs/finance/dbt.py`), the
dbt integration tests (`tests/finance/dbt_build.py`) and the finance bench
(`vendor_sandbox/bench/finance.py`). The vars of a settlement window come from
`settlement_vars`, and reach dbt through the environment (`run_environment`, read by the
`run_var` macro), never `--vars`: dbt re-parses the whole project whenever the vars differ from
its saved parse, 3 to 4 s of every partition's run. Dagster's `DbtCliResource` adds the
executable, the project and profiles itself, and is given the warehouse's target folder
(`warehouse_target_path`); a run outside Dagster takes the whole line from `dbt_command`, its
environment from `dbt_environment` and its results from `run_results`.
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
# The environment variables `run_var` (dbt_finance/macros/settlement_window.sql) reads.
RUN_VAR_PREFIX = "VP_DBT_"


def settlement_vars(
    start: date | str, end: date | str | None = None, **policy: str
) -> dict[str, str]:
    """The dbt vars of a settlement window (`settlement_window` in the macros): the day `start`,
    or `start`..`end` inclusive, with any settlement policy (`variance_tolerance`)."""
    window = {"settlement_date": str(start)}
    if end is not None:
        window["settlement_date_end"] = str(end)
    return {**window, **policy}


def warehouse_target_path(warehouse: Path) -> Path:
    """The dbt target folder of every run on `warehouse` (`<warehouse>.dbt`, beside it).

    dbt keeps its parse there between runs (`partial_parse.msgpack`) and throws a saved parse
    away when the profile it was made with differs: the profile names the warehouse file, so the
    project's own parse (made for `warehouse.duckdb`) is never reused by a run on another file,
    and a new target folder per run would re-parse the whole project every time (3 to 4 s). One
    folder per warehouse is enough: the warehouse takes one writer at a time, dbt included."""
    return warehouse.with_name(f"{warehouse.name}.dbt")


def dbt_command(
    work: Path, command: Sequence[str] = ("build",), *, quiet: bool = False
) -> list[str]:
    """The whole command line of a dbt run outside Dagster: the project's dbt on dbt_finance,
    with its target and logs under `work`, so that independent runs can go side by side. Run it
    with `cwd=DBT_PROJECT_DIR` and `env=dbt_environment(warehouse, variables)`.

    The target folder is made ready by `prepare_target` first."""
    prepare_target(work / "target")
    return [
        dbt_executable(),
        *command,
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


def prepare_target(target: Path) -> Path:
    """Make `target` ready for a dbt run: a new folder starts from the project's own parse state
    (`target/partial_parse.msgpack`, from the `dbt parse` that keeps the manifest fresh), as
    Dagster's DbtCliResource does, which a run whose profile matches it reuses; a folder used
    before keeps its own (see `warehouse_target_path`), less the previous run's results, so a
    run that stops before any node is never read as the one before it."""
    source = DBT_PROJECT_DIR / "target" / PARTIAL_PARSE_FILE
    destination = target / PARTIAL_PARSE_FILE
    target.mkdir(parents=True, exist_ok=True)
    if source.exists() and not destination.exists():
        shutil.copyfile(source, destination)
    (target / "run_results.json").unlink(missing_ok=True)
    return target


def run_environment(
    warehouse: Path, variables: Mapping[str, object] | None = None
) -> dict[str, str]:
    """What a dbt run on `warehouse` adds to the environment: the warehouse (profiles.yml reads
    DUCKDB_PATH), the run's vars as the `run_var` macro reads them (VP_DBT_<NAME>), and no
    usage statistics."""
    run_vars = {RUN_VAR_PREFIX + name.upper(): str(v) for name, v in (variables or {}).items()}
    return {**run_vars, "DUCKDB_PATH": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


def dbt_environment(
    warehouse: Path, variables: Mapping[str, object] | None = None
) -> dict[str, str]:
    """This process's environment for a dbt run on `warehouse` with `variables`."""
    return {**os.environ, **run_environment(warehouse, variables)}


def run_results(work: Path) -> list[dict[str, Any]]:
    """The results of the `dbt_command` run whose work folder is `work`, one per node."""
    return json.loads((work / "target" / "run_results.json").read_text())["results"]
