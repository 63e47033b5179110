"""Materialize assets in this process, for the crash tests that SIGKILL a real run
(`sandbox_flow.start_assets`).

Usage: python run_assets.py schema/table [schema/table ...]
"""

from __future__ import annotations

import sys

import dagster as dg
from sandbox_flow import materialize

from vendor_pipelines.definitions import defs


def main(keys: list[str]) -> int:
    selection = dg.AssetSelection.assets(*(key.split("/") for key in keys))
    return 0 if materialize(defs(), selection).success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
