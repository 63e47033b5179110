"""Shared fixtures for the Amazon client/sandbox tests: real HTTP on loopback, no mocks.

Every response a test's client receives from the sandbox, and every request body it sends, is
recorded and, at teardown, validated against the official model of its operation: always through
Amazon's official Python SDK (`sdk_validation`), and also by JSON Schema against Amazon's model
files when `VENDOR_PIPELINES_SPECS_DIR` names them (`spec_validation`). Tests that need the model
files themselves (their examples, the report schemas) skip without them, saying why.
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
from vendor_sandbox.amazon import create_app, sdk_validation
from vendor_sandbox.amazon.served_operations import SERVED_OPERATIONS
from vendor_sandbox.amazon.spec_validation import (
    SpecsMissing,
    request_errors,
    response_errors,
    specs_available,
    specs_dir,
)
from vendor_sandbox.embedded import (
    SANDBOX_LWA_CLIENT_ID,
    SANDBOX_LWA_CLIENT_SECRET,
    SANDBOX_LWA_REFRESH_TOKEN,
)
from vendor_sandbox.faults import FaultPlan
from vendor_sandbox.server import LoopbackServer
from vendor_sandbox.store import SandboxStore
from vendor_sandbox.world import Scale, World, generate_world

# Every operation the sandbox serves (the client's table and what only other clients call), so
# a request by any test client is judged against its operation's official model.
ROUTES = [
    (op, re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"[^/]+", re.escape(op.path)) + "$"))
    for op in SERVED_OPERATIONS.values()
]


def operation_for(method: str, path: str):
    for op, pattern in ROUTES:
        if op.method == method and pattern.match(path):
            return op
    return None


@dataclass
class SpecRecorder:
    """Collects every SP-API request body and response seen by a client, to validate them."""

    seen: list[tuple[str, str, str, int, Any]] = field(default_factory=list)
    sent: list[tuple[str, str, str, Any]] = field(default_factory=list)

    def hook(self, response: httpx.Response, *, requests: bool = True) -> None:
        """Event hook; `requests=False` for bare clients that send malformed bodies on purpose."""
        request = response.request
        op = operation_for(request.method, request.url.path)
        if op is None:
            return
        response.read()
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = response.text
        self.seen.append((op.spec, op.method, op.path, response.status_code, body))
        if requests and request.content:
            self.sent.append((op.spec, op.method, op.path, json.loads(request.content)))

    def problems(self) -> list[str]:
        strict = specs_available()
        out = []
        for spec, method, path, status, body in self.seen:
            problems = sdk_validation.response_problems(method, path, status, body)
            if strict:
                problems += response_errors(spec, method, path, status, body)
            out += [f"{method} {path} {status}: {problem}" for problem in problems[:3]]
        for spec, method, path, body in self.sent:
            problems = sdk_validation.request_problems(method, path, body)
            if strict:
                problems += request_errors(spec, method, path, body)
            out += [f"{method} {path} request: {problem}" for problem in problems[:3]]
        return out


@pytest.fixture(scope="session")
def specs() -> str:
    """The folder of Amazon's model files, for the tests that read the files themselves."""
    try:
        return str(specs_dir())
    except SpecsMissing as missing:
        pytest.skip(f"strict model-file layer not available: {missing}")


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
def recorder() -> Iterator[SpecRecorder]:
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
    hooks = {"response": [lambda r: recorder.hook(r, requests=False)]} if recorder else {}
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
