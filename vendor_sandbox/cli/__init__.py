"""The simulator's commands in the `vendor-pipelines` console: `sandbox`, `bench`, `soak`.

The product's console reaches them through `vendor_pipelines.connections`, its one door here.
"""

from __future__ import annotations

import argparse

from vendor_sandbox.cli import bench, sandbox, soak


def register(subparsers: argparse._SubParsersAction) -> None:
    for module in (sandbox, bench, soak):
        module.register(subparsers)
