"""Writes applied by the server whose answer the client never hears, over real HTTP.

The `applied_timeout` fault lets the API apply a write, then holds the answer past the client's
(tight, 1 s) timeout and drops the connection; `applied_drop` drops it at once. The client only
sees a timeout or a lost connection and retries: Amazon must end with one applied submission
(the resubmission is recognised as identical), NetSuite with exactly one record.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from vendor_pipelines.amazon import AmazonVendorClient
from vendor_pipelines.amazon import RetryPolicy as AmazonRetry
from vendor_pipelines.netsuite import NetSuiteClient, NetSuiteError, SalesOrder, SalesOrderLine
from vendor_pipelines.netsuite import RetryPolicy as NetSuiteRetry
from vendor_sandbox.amazon import builders
from vendor_sandbox.amazon import create_app as create_amazon_app
from vendor_sandbox.faults import FaultPlan
from vendor_sandbox.identity import sandbox_amazon_client
from vendor_sandbox.netsuite.app import create_app as create_netsuite_app
from vendor_sandbox.netsuite.credentials import ACCOUNT_ID, sandbox_tba_auth
from vendor_sandbox.server import LoopbackServer
from vendor_sandbox.store import SandboxStore
from vendor_sandbox.world import Scale, World, generate_world

CLIENT_TIMEOUT = 1.0
APPLIED_KINDS = ("applied_timeout", "applied_drop")


def one_fault(kind: str) -> FaultPlan:
    """Exactly one fault of `kind`, on the first write; the hold outlasts the client timeout."""
    rate = {f"{kind}_rate": 1.0}
    return FaultPlan(**rate, max_faults=1, hold_seconds=CLIENT_TIMEOUT + 5)


def arm_one_more(app: Any) -> None:
    """Let the next write be faulted too (the plan's budget grows by one)."""
    plan = app.faults.plan
    app.faults.plan = dataclasses.replace(plan, max_faults=plan.max_faults + 1)


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world(7, Scale.named("tiny"))


@pytest.fixture
def amazon(
    world: World, request: pytest.FixtureRequest
) -> Iterator[tuple[Any, AmazonVendorClient]]:
    app = create_amazon_app(world, SandboxStore(None), faults=one_fault(request.param))
    with (
        LoopbackServer(app) as server,
        sandbox_amazon_client(
            server.url,
            timeout=CLIENT_TIMEOUT,
            retry=AmazonRetry(base_delay=0.05, max_delay=0.5, max_elapsed_seconds=60),
        ) as client,
    ):
        yield app, client


def applied(state: Any, kind: str, ref: str) -> list[dict]:
    """What Amazon applied for `ref`: received entries that were not duplicates of another."""
    return [e for e in state.received(kind, ref) if e["duplicateOf"] is None]


@pytest.mark.parametrize("amazon", APPLIED_KINDS, indirect=True)
def test_amazon_acknowledgement_and_asn_applied_then_lost_are_applied_once(amazon, world):
    app, client = amazon
    state = app.state
    po = next(
        po
        for po, doc in sorted(state.rp_orders().items())
        if all(line["ordered"] > 0 for line in doc["lines"].values())
    )
    order = client.get_purchase_order(po)  # a read: the applied kinds leave it alone

    ack = client.submit_acknowledgements([builders.acknowledge_all(order)])
    assert client.wait_for_transaction(ack, budget_seconds=10).status == "Success"
    received = state.received("rp_acknowledgements", po)
    assert len(received) == 2  # the applied attempt whose answer was lost, and the retry
    (first,) = applied(state, "rp_acknowledgements", po)
    assert received[1]["duplicateOf"] == first["transactionId"]
    assert ack.transaction_id == received[1]["transactionId"]

    arm_one_more(app)
    asn = builders.ship_all(order, world.warehouses[0].party_id)
    sub = client.submit_shipment_confirmations([asn])
    assert client.wait_for_transaction(sub, budget_seconds=10).status == "Success"
    assert len(applied(state, "rp_shipment_confirmations", po)) == 1
    assert state.received_count("rp_shipment_confirmations", po) == 2
    lines = state.rp_orders()[po]["lines"].values()
    assert all(line["shipped"] == line["ordered"] for line in lines)  # not shipped twice

    assert sum(app.faults.injected.values()) == 2
    assert client.stats.transport_errors == 2 and client.stats.retries == 2


@pytest.fixture
def netsuite(world: World, request: pytest.FixtureRequest) -> Iterator[tuple[Any, NetSuiteClient]]:
    gate = create_netsuite_app(world, SandboxStore(), faults=one_fault(request.param))
    with (
        LoopbackServer(gate) as server,
        NetSuiteClient(
            server.url,
            ACCOUNT_ID,
            sandbox_tba_auth(),
            timeout=CLIENT_TIMEOUT,
            retry=NetSuiteRetry(max_attempts=10, base_delay=0.05, max_delay=0.5),
        ) as client,
    ):
        yield gate, client


def sales_order(po: str, external_id: bool = True) -> dict[str, Any]:
    return SalesOrder(
        customer_id=2000,
        external_id=f"amzn-rp-FAULT-{po}" if external_id else None,
        other_ref_num=po,
        lines=[SalesOrderLine(item_id=1000, quantity=1, location_id=100, line=1)],
    ).payload()


def records_for(client: NetSuiteClient, po: str) -> list[dict]:
    query = "SELECT id, externalid FROM transaction WHERE type = 'SalesOrd' AND otherrefnum = ?"
    return list(client.suiteql(query, [po]))


@pytest.mark.parametrize("netsuite", APPLIED_KINDS, indirect=True)
def test_netsuite_sales_order_applied_then_lost_is_one_record(netsuite) -> None:
    gate, client = netsuite
    upserted = client.upsert_by_external_id("salesOrder", "amzn-rp-FAULT-PO1", sales_order("PO1"))
    assert [r["id"] for r in records_for(client, "PO1")] == [upserted]

    arm_one_more(gate)
    created = client.create("salesOrder", sales_order("PO2"))
    # The retried POST met "This entity already exists." and was resolved to our own record.
    assert [r["id"] for r in records_for(client, "PO2")] == [created]

    assert sum(gate.faults.injected.values()) == 2
    assert client.stats.connection_errors == 2


@pytest.mark.parametrize("netsuite", ["applied_timeout"], indirect=True)
def test_netsuite_create_without_external_id_is_not_retried_blindly(netsuite) -> None:
    gate, client = netsuite
    # Nothing identifies the record on a second attempt, so resending could duplicate it: the
    # client reports the ambiguous failure instead, and the one record the server applied stays.
    with pytest.raises(NetSuiteError) as info:
        client.create("salesOrder", sales_order("PO3", external_id=False))
    assert info.value.ambiguous_attempts == 1
    assert len(records_for(client, "PO3")) == 1
    assert gate.faults.injected["applied_timeout"] == 1
