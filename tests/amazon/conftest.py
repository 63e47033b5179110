"""Shared fixtures for the Amazon client/sandbox tests: real HTTP on loopback, no mocks.

Every response a test's client receives from the sandbox is recorded and, at teardown,
validated against the official model of its operation (`spec_validation`). The official models
live in ../shared/specs; tests fail (not skip) when they are missing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from vendor_pipelines.amazon import AmazonVendorClient, RetryPolicy
from vendor_pipelines.amazon.operations import OPERATIONS
from vendor_pipelines.sandbox.amazon import create_app
from vendor_pipelines.sandbox.amazon.spec_validation import response_errors, specs_dir
from vendor_pipelines.sandbox.embedded import (
    SANDBOX_LWA_CLIENT_ID,
    SANDBOX_LWA_CLIENT_SECRET,
    SANDBOX_LWA_REFRESH_TOKEN,
)
from vendor_pipelines.sandbox.faults import FaultPlan
from vendor_pipelines.sandbox.server import LoopbackServer
from vendor_pipelines.sandbox.store import SandboxStore
from vendor_pipelines.sandbox.world import Scale, World, generate_world

ROUTES = [
    (op, re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"[^/]+", re.escape(op.path)) + "$"))
    for op in OPERATIONS.values()
]


def operation_for(method: str, path: str):
    for op, pattern in ROUTES:
        if op.method == method and pattern.match(path):
            return op
    return None


@dataclass
class SpecRecorder:
    """Collects (operation, status, body) of every SP-API response seen by a client."""

    seen: list[tuple[str, str, str, int, Any]] = field(default_factory=list)

    def hook(self, response: httpx.Response) -> None:
        op = operation_for(response.request.method, response.request.url.path)
        if op is None:
            return
        response.read()
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = response.text
        self.seen.append((op.spec, op.method, op.path, response.status_code, body))

    def problems(self) -> list[str]:
        out = []
        for spec, method, path, status, body in self.seen:
            for problem in response_errors(spec, method, path, status, body)[:3]:
                out.append(f"{method} {path} {status}: {problem}")
        return out


@pytest.fixture(scope="session")
def specs() -> str:
    return str(specs_dir())  # raises (fails the test) when ../shared/specs is missing


@pytest.fixture(scope="session")
def world() -> World:
    return generate_world(7, Scale.named("small"))


@dataclass
class Sandbox:
    url: str
    app: Any
    store: SandboxStore
    server: LoopbackServer

    @property
    def state(self):
        return self.app.state

    @property
    def token_url(self) -> str:
        return self.url + "/auth/o2/token"


@pytest.fixture
def recorder(specs: str) -> Iterator[SpecRecorder]:
    rec = SpecRecorder()
    yield rec
    problems = rec.problems()
    assert not problems, "sandbox responses that break the official models:\n" + "\n".join(
        problems[:20]
    )


@pytest.fixture
def make_sandbox(world: World) -> Iterator[Callable[..., Sandbox]]:
    started: list[Sandbox] = []

    def start(
        faults: FaultPlan | None = None,
        store: SandboxStore | None = None,
        the_world: World | None = None,
        **options: Any,
    ) -> Sandbox:
        store = store or SandboxStore(None)
        app = create_app(the_world or world, store, faults=faults, **options)
        server = LoopbackServer(app).start()
        sandbox = Sandbox(server.url, app, store, server)
        started.append(sandbox)
        return sandbox

    yield start
    for sandbox in started:
        sandbox.server.stop()


@pytest.fixture
def sandbox(make_sandbox) -> Sandbox:
    return make_sandbox()


@pytest.fixture
def make_client(recorder: SpecRecorder) -> Iterator[Callable[..., AmazonVendorClient]]:
    clients: list[AmazonVendorClient] = []

    def build(sb: Sandbox, **kwargs: Any) -> AmazonVendorClient:
        kwargs.setdefault(
            "retry", RetryPolicy(base_delay=0.05, max_delay=1.0, max_elapsed_seconds=60)
        )
        client = AmazonVendorClient(
            sb.url,
            kwargs.pop("client_id", SANDBOX_LWA_CLIENT_ID),
            kwargs.pop("client_secret", SANDBOX_LWA_CLIENT_SECRET),
            kwargs.pop("refresh_token", SANDBOX_LWA_REFRESH_TOKEN),
            sb.token_url,
            **kwargs,
        )
        client._http.event_hooks["response"].append(recorder.hook)
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


@pytest.fixture
def client(sandbox: Sandbox, make_client) -> AmazonVendorClient:
    return make_client(sandbox)


@contextmanager
def raw_client(sb: Sandbox, recorder: SpecRecorder | None = None) -> Iterator[httpx.Client]:
    """A bare httpx client with a valid access token (for malformed-input tests)."""
    hooks = {"response": [recorder.hook]} if recorder else {}
    with httpx.Client(base_url=sb.url, timeout=10, event_hooks=hooks) as http:
        token = http.post(
            "/auth/o2/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": SANDBOX_LWA_REFRESH_TOKEN,
                "client_id": SANDBOX_LWA_CLIENT_ID,
                "client_secret": SANDBOX_LWA_CLIENT_SECRET,
            },
        ).json()["access_token"]
        http.headers["x-amz-access-token"] = token
        yield http


@pytest.fixture
def raw_http(recorder: SpecRecorder):
    """`raw_http(sandbox)`: an authenticated bare httpx client; its responses are validated too."""
    return lambda sb: raw_client(sb, recorder)


def dumps(value: Any) -> str:
    return json.dumps(value, default=str)
