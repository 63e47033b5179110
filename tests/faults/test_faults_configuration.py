"""Fault kinds from the environment, real timeouts, and the paths that are never faulted."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sandbox_flow import environment, sandbox_environment

from vendor_pipelines.amazon import RetryPolicy as AmazonRetry
from vendor_pipelines.cli import main
from vendor_pipelines.connections import (
    amazon_regions,
    load_configuration,
    netsuite_client,
    sandbox_for,
)
from vendor_pipelines.netsuite import NetSuiteClient, SalesOrder, SalesOrderLine
from vendor_pipelines.netsuite import RetryPolicy as NetSuiteRetry
from vendor_pipelines.settings import ConfigurationError, load_settings
from vendor_sandbox.amazon import create_app as create_amazon_app
from vendor_sandbox.embedded import (
    SANDBOX_LWA_CLIENT_ID,
    SANDBOX_LWA_CLIENT_SECRET,
    SANDBOX_LWA_REFRESH_TOKEN,
)
from vendor_sandbox.faults import (
    CLASSIC_KINDS,
    FAULT_KINDS,
    TIMEOUT_MARGIN_SECONDS,
    FaultPlan,
    parse_fault_kinds,
)
from vendor_sandbox.identity import sandbox_amazon_client
from vendor_sandbox.netsuite.app import create_app as create_netsuite_app
from vendor_sandbox.netsuite.auth import TOKEN_PATH
from vendor_sandbox.netsuite.credentials import ACCOUNT_ID, sandbox_tba_auth
from vendor_sandbox.server import LoopbackServer
from vendor_sandbox.store import SandboxStore
from vendor_sandbox.world import Scale, World, generate_world


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world(7, Scale.named("tiny"))


def test_kinds_parse_and_an_unknown_kind_is_named() -> None:
    assert parse_fault_kinds(" 429, 5XX,timeout,,applied_timeout,429") == (
        "429",
        "5xx",
        "timeout",
        "applied_timeout",
    )
    with pytest.raises(ValueError, match="unknown fault kind 'teapot'; choose from 429, 5xx"):
        parse_fault_kinds("429,teapot")
    # The classic spread (benchmarks, older tests) is unchanged: four equal shares.
    plan = FaultPlan.uniform(0.2, seed=1)
    assert [plan.rate(k) for k in CLASSIC_KINDS] == [0.05] * 4
    assert plan.timeout_rate == plan.applied_timeout_rate == 0


def test_start_up_refuses_an_unknown_kind(tmp_path: Path, capsys) -> None:
    with environment(sandbox_environment(tmp_path, SANDBOX_FAULTS="429,teapot")):
        with pytest.raises(ConfigurationError) as info:
            load_configuration()
        assert str(info.value) == (
            "invalid configuration: SANDBOX_FAULTS='429,teapot': unknown fault kind 'teapot';"
            " choose from " + ", ".join(FAULT_KINDS)
        )
        assert main(["sandbox", "serve", "--state-dir", str(tmp_path)]) == 2
    assert "SANDBOX_FAULTS='429,teapot': unknown fault kind 'teapot'" in capsys.readouterr().err
    # a bad flag is argparse's to refuse: one line, exit 2
    with pytest.raises(SystemExit) as refused:
        main(["sandbox", "serve", "--faults", "drop,nap", "--state-dir", str(tmp_path)])
    assert refused.value.code == 2
    assert "--faults: unknown fault kind 'nap'" in capsys.readouterr().err
    with (
        environment(sandbox_environment(tmp_path, SANDBOX_FAULT_RATE="1.5")),
        pytest.raises(ConfigurationError, match="SANDBOX_FAULT_RATE"),
    ):
        load_configuration()


def test_environment_reaches_the_embedded_sandbox_and_the_clients(tmp_path: Path) -> None:
    overrides = {
        "SANDBOX_FAULT_RATE": "0.2",
        "SANDBOX_FAULTS": "timeout,applied_timeout",
        "SANDBOX_FAULT_SEED": "5",
        "AMAZON_REQUEST_TIMEOUT_SECONDS": "1.5",
        "NETSUITE_REQUEST_TIMEOUT_SECONDS": "2",
    }
    with environment(sandbox_environment(tmp_path, **overrides)):
        settings = load_settings()
        sandbox = sandbox_for(settings)
        try:
            amazon_plan, netsuite_plan = (layer.plan for layer in sandbox.fault_layers)
            with amazon_regions(None, settings) as regions:
                assert regions[None]._http.timeout.read == 1.5
            with netsuite_client(None, settings) as client:
                assert client.transport.http.timeout.read == 2.0
            from vendor_pipelines.defs.resources import resources

            configured = resources().resources
            assert configured["amazon"].request_timeout_seconds == 1.5
            assert configured["netsuite"].request_timeout_seconds == 2.0
        finally:
            sandbox.stop()
    # Each side's timeouts outlast its own client's timeout; only the chosen kinds are drawn.
    assert amazon_plan.hold_seconds == 1.5 + TIMEOUT_MARGIN_SECONDS
    assert netsuite_plan.hold_seconds == 2.0 + TIMEOUT_MARGIN_SECONDS
    for plan in (amazon_plan, netsuite_plan):
        assert {k: plan.rate(k) for k in FAULT_KINDS if plan.rate(k)} == {
            "timeout": 0.1,
            "applied_timeout": 0.1,
        }
    assert amazon_plan.seed != netsuite_plan.seed


@pytest.fixture
def netsuite(world: World) -> Iterator[tuple[object, NetSuiteClient]]:
    # The hold ceiling is a minute: only the client giving up can end it early.
    plan = FaultPlan(timeout_rate=1.0, max_faults=1, hold_seconds=60)
    gate = create_netsuite_app(world, SandboxStore(), faults=plan)
    with (
        LoopbackServer(gate) as server,
        NetSuiteClient(
            server.url,
            ACCOUNT_ID,
            sandbox_tba_auth(),
            timeout=1.0,
            retry=NetSuiteRetry(max_attempts=5, base_delay=0.05, max_delay=0.2),
        ) as client,
    ):
        yield gate, client


def test_a_timeout_fault_times_the_client_out_and_is_never_applied(netsuite) -> None:
    gate, client = netsuite
    body = SalesOrder(
        customer_id=2000,
        external_id="amzn-rp-TIMEOUT-PO1",
        other_ref_num="PO1",
        lines=[SalesOrderLine(item_id=1000, quantity=1, location_id=100, line=1)],
    ).payload()
    record_id = client.create("salesOrder", body)
    assert gate.faults.injected["timeout"] == 1
    assert client.stats.connection_errors == 1  # the client really timed out, then retried
    rows = client.suiteql("SELECT id FROM transaction WHERE externalid = 'amzn-rp-TIMEOUT-PO1'")
    assert [row["id"] for row in rows] == [record_id]
    # The held request let go of its concurrency slot when the client hung up, long before
    # the one-minute ceiling (this waits for a state, it does not time anything).
    deadline = time.monotonic() + 20
    while gate.in_flight and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gate.in_flight == 0


def test_an_amazon_read_timeout_is_retried(world: World) -> None:
    app = create_amazon_app(
        world, SandboxStore(None), faults=FaultPlan(timeout_rate=1.0, max_faults=1)
    )
    with (
        LoopbackServer(app) as server,
        sandbox_amazon_client(
            server.url,
            timeout=1.0,
            retry=AmazonRetry(base_delay=0.05, max_delay=0.2),
        ) as client,
    ):
        po = sorted(app.state.rp_orders())[0]
        assert client.get_purchase_order(po).purchaseOrderNumber == po
        assert app.faults.injected["timeout"] == 1
        assert client.stats.transport_errors == 1 and client.stats.retries == 1


LWA_FORM = {
    "grant_type": "refresh_token",
    "refresh_token": SANDBOX_LWA_REFRESH_TOKEN,
    "client_id": SANDBOX_LWA_CLIENT_ID,
    "client_secret": SANDBOX_LWA_CLIENT_SECRET,
}


@pytest.mark.parametrize("spare", [True, False])
def test_login_and_sandbox_hooks_are_faulted_only_when_asked(world: World, spare: bool) -> None:
    plan = FaultPlan(server_error_rate=1.0, spare_control_paths=spare)
    amazon = create_amazon_app(world, SandboxStore(None), faults=plan)
    netsuite = create_netsuite_app(world, SandboxStore(), faults=plan)
    with LoopbackServer(amazon) as az, LoopbackServer(netsuite) as ns:
        control = [
            httpx.post(f"{az.url}/auth/o2/token", data=LWA_FORM, timeout=10),
            httpx.get(f"{az.url}/_sandbox/health", timeout=10),
            httpx.post(f"{ns.url}{TOKEN_PATH}", data={"grant_type": "password"}, timeout=10),
            httpx.post(f"{ns.url}/_sandbox/warehouse/advance", timeout=10),
        ]
        api = httpx.get(f"{az.url}/vendor/orders/v1/purchaseOrders", timeout=10)
    statuses = [response.status_code for response in control]
    if spare:
        assert statuses == [200, 200, 400, 200]  # 400: the token endpoint's own refusal
    else:
        assert all(status in (500, 503) for status in statuses)
    assert api.status_code in (500, 503)
