"""Shared fixtures: a NetSuite sandbox served over real HTTP on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from vendor_pipelines.netsuite import NetSuiteClient, RetryPolicy
from vendor_sandbox.netsuite.app import create_app
from vendor_sandbox.netsuite.credentials import ACCOUNT_ID, sandbox_tba_auth
from vendor_sandbox.server import LoopbackServer
from vendor_sandbox.store import SandboxStore
from vendor_sandbox.world import Scale, World, generate_world

FAST_RETRY = RetryPolicy(max_attempts=30, base_delay=0.01, max_delay=0.1)


@pytest.fixture(scope="session")
def world() -> World:
    return generate_world(7, Scale.named("tiny"))


@pytest.fixture
def serve(world: World) -> Iterator[Callable[..., LoopbackServer]]:
    servers: list[LoopbackServer] = []

    def start(store: SandboxStore | None = None, world_: World | None = None, **options: Any):
        app = create_app(world_ or world, store or SandboxStore(), **options)
        server = LoopbackServer(app).start()
        server.app = app  # type: ignore[attr-defined]
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def sandbox(serve: Callable[..., LoopbackServer]) -> LoopbackServer:
    return serve()


@pytest.fixture
def client(sandbox: LoopbackServer) -> Iterator[NetSuiteClient]:
    with NetSuiteClient(sandbox.url, ACCOUNT_ID, sandbox_tba_auth(), retry=FAST_RETRY) as c:
        yield c
