"""A fresh embedded sandbox and warehouse for each order-sync flow test module."""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import pytest
from sandbox_flow import ORDER_ASSETS, SandboxFlow, environment, sandbox_environment

from vendor_pipelines.connections import sandbox_for
from vendor_pipelines.settings import load_settings


class OrderFlow(SandboxFlow):
    def run(self, *keys: list[str]) -> dg.ExecuteInProcessResult:
        return self.run_selection(dg.AssetSelection.assets(*(keys or ORDER_ASSETS)))


def _order_flow(root, **settings: str) -> Iterator[OrderFlow]:
    with environment(sandbox_environment(root, **settings)):
        from vendor_pipelines.definitions import defs

        yield OrderFlow(root, defs(), sandbox_for(load_settings()))


@pytest.fixture(scope="module")
def order_flow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OrderFlow]:
    yield from _order_flow(tmp_path_factory.mktemp("order_flow"))


@pytest.fixture(scope="module")
def bad_order_flow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OrderFlow]:
    """An order flow whose sandbox serves bad purchase orders among the good ones."""
    yield from _order_flow(tmp_path_factory.mktemp("bad_order_flow"), SANDBOX_BAD_ORDERS="true")


@pytest.fixture(scope="module")
def own_order_flow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OrderFlow]:
    """An order flow of the test module's own, for tests that change the sandbox behind it."""
    yield from _order_flow(tmp_path_factory.mktemp("own_order_flow"))
