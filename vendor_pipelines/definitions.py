"""The Dagster code location: everything under `defs/` is loaded by convention."""

from pathlib import Path

import dagster as dg


@dg.definitions
def defs() -> dg.Definitions:
    # Steps run inside their run's worker process, one after the other. Every warehouse step
    # waits for the single `duckdb` pool slot anyway, so a process per step (the default
    # multiprocess executor) bought no parallelism: only a Python start-up per step, and step
    # processes that outlive a killed run worker and keep writing while its retry runs.
    return dg.Definitions.merge(
        dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
        dg.Definitions(executor=dg.in_process_executor),
    )
