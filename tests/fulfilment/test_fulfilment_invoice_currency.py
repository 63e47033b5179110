"""Landed invoices keep NetSuite's transaction currency (the customer's, by default)."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from vendor_pipelines import warehouse_schema
from vendor_pipelines.fulfilment.landing import land_invoices
from vendor_pipelines.netsuite import NetSuiteClient
from vendor_pipelines.orders.catalogue import snapshot_catalogue
from vendor_sandbox.embedded import SANDBOX_NETSUITE_ACCOUNT_ID, start_sandbox
from vendor_sandbox.netsuite.credentials import sandbox_oauth2_auth


@pytest.fixture(scope="module")
def netsuite() -> Iterator[tuple[NetSuiteClient, object]]:
    sandbox = start_sandbox(None, seed=7, scale="tiny")
    client = NetSuiteClient(
        sandbox.netsuite_url, SANDBOX_NETSUITE_ACCOUNT_ID, sandbox_oauth2_auth()
    )
    yield client, sandbox.world
    client.close()
    sandbox.stop()


def test_invoices_land_in_their_customers_currency(netsuite) -> None:
    client, world = netsuite
    item = world.items[0]
    euro_customer = client.create(
        "customer",
        {"companyName": "Amazon EU SARL (TEST1)", "currency": {"id": "2"}},
    )
    usd_customer = client.suiteql("SELECT id FROM customer ORDER BY id").__next__()["id"]
    ids = {
        currency: client.create(
            "invoice",
            {
                "tranId": f"INV-{currency}",
                "entity": {"id": str(customer)},
                "item": {
                    "items": [{"item": {"id": str(item.netsuite_internal_id)}, "quantity": 2}]
                },
            },
        )
        for currency, customer in (("EUR", euro_customer), ("USD", usd_customer))
    }
    conn = duckdb.connect()
    warehouse_schema.apply(conn)
    snapshot_catalogue(conn, client)
    assert land_invoices(conn, client) >= 2
    landed = dict(
        conn.execute(
            "select invoice_id, currency from raw.netsuite_invoices where invoice_id in (?, ?)",
            [ids["EUR"], ids["USD"]],
        ).fetchall()
    )
    assert landed == {ids["EUR"]: "EUR", ids["USD"]: "USD"}
