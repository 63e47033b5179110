"""Materialize assets in this process (for tests that SIGKILL a real run).

Usage: python run_fulfilment_assets.py schema/table [schema/table ...]
"""

from __future__ import annotations

import sys

import dagster as dg

from vendor_pipelines.definitions import defs


def main(keys: list[str]) -> int:
    job = dg.define_asset_job(
        "killable_fulfilment", selection=dg.AssetSelection.assets(*(k.split("/") for k in keys))
    )
    merged = dg.Definitions.merge(defs(), dg.Definitions(jobs=[job]))
    result = merged.resolve_job_def("killable_fulfilment").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
    )
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
