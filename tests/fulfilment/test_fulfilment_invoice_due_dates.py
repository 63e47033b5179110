"""Landed invoices carry NetSuite's due date: their customer's terms (Net or EOM) from the
transaction date, or the due date keyed on the invoice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import duckdb
import pytest

from vendor_pipelines import warehouse_schema
from vendor_pipelines.fulfilment.landing import land_invoices
from vendor_pipelines.netsuite import NetSuiteClient
from vendor_pipelines.orders.catalogue import snapshot_catalogue
from vendor_sandbox.embedded import SANDBOX_NETSUITE_ACCOUNT_ID, start_sandbox
from vendor_sandbox.netsuite.credentials import sandbox_oauth2_auth
from vendor_sandbox.netsuite.seed import customer_id_for
from vendor_sandbox.world import World


@pytest.fixture(scope="module")
def netsuite() -> Iterator[tuple[NetSuiteClient, World]]:
    sandbox = start_sandbox(None, seed=7, scale="tiny", regions=("NA", "EU"))
    client = NetSuiteClient(
        sandbox.netsuite_url, SANDBOX_NETSUITE_ACCOUNT_ID, sandbox_oauth2_auth()
    )
    yield client, sandbox.world
    client.close()
    sandbox.stop()


def test_invoices_land_with_their_terms_due_date(netsuite) -> None:
    client, world = netsuite
    item = world.items[0]
    customers = {v.region: str(customer_id_for(world, v.vendor_code)) for v in world.vendors}
    terms = {
        region: client.get("term", client.get("customer", customer)["terms"]["id"])
        for region, customer in customers.items()
    }
    assert terms["NA"]["name"] == "Net 90" and terms["EU"]["name"] == "90 EOM"
    assert terms["EU"]["dateDriven"] is True and terms["EU"]["dayOfMonthNetDue"] == 31

    def invoice(customer: str, trandate: str, **extra: str) -> str:
        return client.create(
            "invoice",
            {
                "entity": {"id": customer},
                "tranDate": trandate,
                "item": {
                    "items": [{"item": {"id": str(item.netsuite_internal_id)}, "quantity": 1}]
                },
            }
            | extra,
        )

    ids = {
        "NA": invoice(customers["NA"], "2025-12-10"),
        "EU": invoice(customers["EU"], "2025-12-10"),
        "given": invoice(customers["EU"], "2025-12-10", dueDate="2026-01-31"),
    }
    conn = duckdb.connect()
    warehouse_schema.apply(conn)
    snapshot_catalogue(conn, client)
    assert land_invoices(conn, client) >= 3
    landed = dict(
        conn.execute(
            "select invoice_id, due_date from raw.netsuite_invoices where invoice_id in (?, ?, ?)",
            list(ids.values()),
        ).fetchall()
    )
    net_days = terms["NA"]["daysUntilNetDue"]
    eom_days = terms["EU"]["daysUntilNetDue"]
    assert landed == {
        ids["NA"]: date(2025, 12, 10) + timedelta(days=net_days),  # 2026-03-10
        # 90 EOM: 90 days after the end of December, in the next year.
        ids["EU"]: date(2025, 12, 31) + timedelta(days=eom_days),  # 2026-03-31
        ids["given"]: date(2026, 1, 31),
    }
    assert landed[ids["EU"]] == date(2026, 3, 31)
    # The terms that set each due date land beside it, by name.
    landed_terms = dict(
        conn.execute(
            "select invoice_id, terms from raw.netsuite_invoices where invoice_id in (?, ?)",
            [ids["NA"], ids["EU"]],
        ).fetchall()
    )
    assert landed_terms == {ids["NA"]: terms["NA"]["name"], ids["EU"]: terms["EU"]["name"]}
