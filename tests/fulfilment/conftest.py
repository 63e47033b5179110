"""A fresh embedded sandbox and warehouse for the fulfilment flow tests (real HTTP)."""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import pytest
from sandbox_flow import (
    FULFILMENT_ASSETS,
    ORDER_ASSETS,
    SandboxFlow,
    environment,
    sandbox_environment,
)

from vendor_pipelines.connections import sandbox_for
from vendor_pipelines.settings import load_settings
from vendor_sandbox.netsuite.warehouse import warehouse_plan


class Flow(SandboxFlow):
    def run(self, *keys: list[str]) -> dg.ExecuteInProcessResult:
        keys = keys or tuple(ORDER_ASSETS + FULFILMENT_ASSETS)
        return self.run_selection(dg.AssetSelection.assets(*keys))

    def plan(self) -> list[dict]:
        return warehouse_plan(self.sandbox.netsuite_store)


@pytest.fixture(scope="module")
def flow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flow]:
    root = tmp_path_factory.mktemp("fulfilment_flow")
    with environment(sandbox_environment(root)):
        from vendor_pipelines.definitions import defs

        yield Flow(root, defs(), sandbox_for(load_settings()))
