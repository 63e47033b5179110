"""Terms of payment and invoice due dates, over real HTTP, and the due-date rule on its own.

The seeded customer's terms come from the sandbox's own record (GET term); expected due dates
are computed here by hand from the transaction date and the term's days.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from vendor_pipelines.netsuite import NetSuiteClient, NetSuiteUserError, SalesOrder, SalesOrderLine
from vendor_sandbox.netsuite.records.terms import ACCOUNT_TERMS, PaymentTerm, term_named
from vendor_sandbox.netsuite.seed import terms_for
from vendor_sandbox.world import Scale, World, generate_world

CUSTOMER = 2000


def _invoice_body(world: World, **extra: Any) -> dict[str, Any]:
    item = world.items[0]
    return {
        "entity": {"id": str(CUSTOMER)},
        "item": {"items": [{"item": {"id": str(item.netsuite_internal_id)}, "quantity": 1}]},
    } | extra


def _customer_term(client: NetSuiteClient) -> dict[str, Any]:
    customer = client.get("customer", CUSTOMER)
    return client.get("term", customer["terms"]["id"])


def _header(client: NetSuiteClient, invoice_id: str) -> dict[str, Any]:
    (row,) = client.suiteql(
        "SELECT id, trandate, duedate, terms, BUILTIN.DF(terms) AS termsname FROM transaction"
        " WHERE id = ?",
        [int(invoice_id)],
    )
    return row


def test_the_account_has_amazon_terms_and_each_customer_its_default(
    client: NetSuiteClient, world: World
) -> None:
    rows = list(
        client.suiteql(
            "SELECT id, name, datedriven, daysuntilnetdue, dayofmonthnetdue FROM term ORDER BY id"
        )
    )
    names = [row["name"] for row in rows]
    assert {"Net 30", "Net 60", "Net 90", "60 EOM", "90 EOM"} <= set(names)
    eom = next(row for row in rows if row["name"] == "60 EOM")
    assert (eom["datedriven"], eom["daysuntilnetdue"], eom["dayofmonthnetdue"]) == ("T", "60", "31")
    net90 = client.get("term", next(row["id"] for row in rows if row["name"] == "Net 90"))
    assert net90["daysUntilNetDue"] == 90 and net90["dateDriven"] is False
    # The tiny world's one vendor code is in NA: Net 90, on the record and in SuiteQL.
    customer = client.get("customer", CUSTOMER)
    assert customer["terms"]["refName"] == "Net 90"
    (row,) = client.suiteql(
        "SELECT id, terms, BUILTIN.DF(terms) AS termsname FROM customer WHERE id = ?", [CUSTOMER]
    )
    assert row["terms"] == customer["terms"]["id"] and row["termsname"] == "Net 90"
    assert terms_for(world, world.vendors[0].vendor_code).name == "Net 90"


def test_vendor_codes_get_their_regions_terms_in_turn() -> None:
    world = generate_world(3, Scale(vendor_codes=4), regions=("NA", "EU"))
    by_region = {
        region: [terms_for(world, v.vendor_code).name for v in world.vendors if v.region == region]
        for region in ("NA", "EU")
    }
    assert by_region == {"NA": ["Net 90", "Net 60"], "EU": ["90 EOM", "Net 60"]}
    assert terms_for(world, world.vendors[1].vendor_code) == terms_for(
        generate_world(3, Scale(vendor_codes=4), regions=("NA", "EU")), world.vendors[1].vendor_code
    )


def test_an_invoice_without_terms_takes_the_customers_and_their_due_date(
    client: NetSuiteClient, world: World
) -> None:
    term = _customer_term(client)
    invoice_id = client.create("invoice", _invoice_body(world, tranDate="2026-01-15"))
    invoice = client.get("invoice", invoice_id)
    expected = date(2026, 1, 15) + timedelta(days=term["daysUntilNetDue"])
    assert invoice["terms"] == {"id": term["id"], "refName": term["name"]}
    assert invoice["dueDate"] == expected.isoformat() == "2026-04-15"
    row = _header(client, invoice_id)
    assert (row["duedate"], row["terms"], row["termsname"]) == (
        expected.isoformat(),
        term["id"],
        term["name"],
    )


def test_a_given_due_date_wins_over_the_terms(client: NetSuiteClient, world: World) -> None:
    invoice_id = client.create(
        "invoice", _invoice_body(world, tranDate="2026-01-15", dueDate="2026-02-01")
    )
    invoice = client.get("invoice", invoice_id)
    assert invoice["dueDate"] == "2026-02-01" and invoice["terms"]["refName"] == "Net 90"
    client.patch("invoice", invoice_id, {"memo": "checked"})  # an unrelated edit keeps it
    assert client.get("invoice", invoice_id)["dueDate"] == "2026-02-01"
    assert _header(client, invoice_id)["duedate"] == "2026-02-01"


def test_terms_on_the_body_override_the_customers(client: NetSuiteClient, world: World) -> None:
    eom = term_named("60 EOM")
    invoice_id = client.create(
        "invoice", _invoice_body(world, tranDate="2025-12-10", terms={"id": str(eom.id)})
    )
    invoice = client.get("invoice", invoice_id)
    # 60 days after the end of December 2025: 31 Dec + 60 days.
    assert invoice["terms"]["refName"] == "60 EOM"
    assert invoice["dueDate"] == (date(2025, 12, 31) + timedelta(days=60)).isoformat()
    assert invoice["dueDate"] == "2026-03-01"


def test_unknown_terms_are_refused(client: NetSuiteClient, world: World) -> None:
    with pytest.raises(NetSuiteUserError) as raised:
        client.create("invoice", _invoice_body(world, terms={"id": "999"}))
    assert raised.value.status == 400 and raised.value.path == "terms"


def _approved_order(world: World, other_ref: str, **extra: Any) -> dict[str, Any]:
    location = world.mapped_warehouses[0].netsuite_location_id
    item = next(i for i in world.items if world.stock[(i.sku, location)] >= 4)
    order = SalesOrder(
        customer_id=CUSTOMER,
        other_ref_num=other_ref,
        location_id=location,
        approved=True,
        lines=[SalesOrderLine(item_id=item.netsuite_internal_id, quantity=2, line=1)],
    )
    return order.payload() | extra


def test_a_billed_order_gives_its_terms_else_the_customers(
    client: NetSuiteClient, world: World
) -> None:
    net45 = term_named("Net 45")
    with_terms = client.create(
        "salesOrder", _approved_order(world, "PO-TERMS1", terms={"id": str(net45.id)})
    )
    without = client.create("salesOrder", _approved_order(world, "PO-TERMS2"))
    due = {}
    for order_id in (with_terms, without):
        client.fulfill_sales_order(order_id, {1: 2})
        invoice_id = client.transform("salesOrder", order_id, "invoice", {"tranDate": "2026-02-20"})
        invoice = client.get("invoice", invoice_id)
        due[order_id] = (invoice["terms"]["refName"], invoice["dueDate"])
    customer_days = _customer_term(client)["daysUntilNetDue"]
    assert due == {
        with_terms: ("Net 45", (date(2026, 2, 20) + timedelta(days=45)).isoformat()),
        without: ("Net 90", (date(2026, 2, 20) + timedelta(days=customer_days)).isoformat()),
    }
    # A dueDate in the transform body is kept as given.
    order_id = client.create("salesOrder", _approved_order(world, "PO-TERMS3"))
    client.fulfill_sales_order(order_id, {1: 2})
    invoice_id = client.transform(
        "salesOrder", order_id, "invoice", {"tranDate": "2026-02-20", "dueDate": "2026-03-31"}
    )
    assert client.get("invoice", invoice_id)["dueDate"] == "2026-03-31"


def test_a_new_date_or_new_terms_move_the_due_date_unless_one_is_given(
    client: NetSuiteClient, world: World
) -> None:
    invoice_id = client.create("invoice", _invoice_body(world, tranDate="2026-01-15"))
    client.patch("invoice", invoice_id, {"tranDate": "2026-01-10"})
    assert client.get("invoice", invoice_id)["dueDate"] == "2026-04-10"  # + 90 days
    net30 = term_named("Net 30")
    client.patch("invoice", invoice_id, {"terms": {"id": str(net30.id)}})
    assert client.get("invoice", invoice_id)["dueDate"] == "2026-02-09"  # + 30 days
    client.patch("invoice", invoice_id, {"tranDate": "2026-01-12", "dueDate": "2026-05-01"})
    invoice = client.get("invoice", invoice_id)
    assert (invoice["tranDate"], invoice["dueDate"]) == ("2026-01-12", "2026-05-01")


def test_a_term_created_over_rest_drives_the_due_date(client: NetSuiteClient, world: World) -> None:
    term_id = client.create(
        "term",
        {"name": "15th next month", "dateDriven": True, "dayOfMonthNetDue": 15,
         "dueNextMonthIfWithinDays": 10},
    )  # fmt: skip
    assert int(term_id) > max(t.id for t in ACCOUNT_TERMS)
    invoice_id = client.create(
        "invoice", _invoice_body(world, tranDate="2026-12-08", terms={"id": term_id})
    )
    # 15 December is within 10 days of 8 December: due the 15th of the next month (next year).
    assert client.get("invoice", invoice_id)["dueDate"] == "2027-01-15"
    with pytest.raises(NetSuiteUserError):
        client.create("term", {"name": "Broken", "dateDriven": True, "dayOfMonthNetDue": 32})


# -- the rule on its own ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "trandate", "due"),
    [
        # N EOM: N days after the last day of the invoice month.
        ("60 EOM", date(2025, 12, 10), date(2026, 3, 1)),  # 31 Dec + 60, across the year end
        ("60 EOM", date(2025, 12, 31), date(2026, 3, 1)),  # the month's last day: same month
        ("60 EOM", date(2026, 1, 1), date(2026, 4, 1)),  # 31 Jan + 60
        ("90 EOM", date(2025, 11, 3), date(2026, 2, 28)),  # 30 Nov + 90
        ("60 EOM", date(2024, 2, 10), date(2024, 4, 29)),  # leap February ends on the 29th
        ("60 EOM", date(2025, 2, 10), date(2025, 4, 29)),  # 28 Feb + 60
        # Standard terms: the days from the transaction date.
        ("Net 30", date(2025, 12, 15), date(2026, 1, 14)),
        ("Net 90", date(2026, 1, 15), date(2026, 4, 15)),
    ],
)
def test_account_terms_due_dates(name: str, trandate: date, due: date) -> None:
    assert term_named(name).due_date(trandate) == due


@pytest.mark.parametrize(
    ("trandate", "due"),
    [
        (date(2026, 3, 3), date(2026, 3, 15)),  # 12 days before the 15th: this month
        (date(2026, 3, 5), date(2026, 4, 15)),  # exactly 10 days before: within, next month
        (date(2026, 3, 8), date(2026, 4, 15)),  # within 10 days: next month
        (date(2026, 3, 20), date(2026, 4, 15)),  # past the 15th: next month
        (date(2025, 12, 20), date(2026, 1, 15)),  # next month is next year's January
    ],
)
def test_date_driven_terms_follow_the_day_of_month_rule(trandate: date, due: date) -> None:
    term = PaymentTerm(
        99, "15th", date_driven=True, day_of_month_net_due=15, due_next_month_if_within_days=10
    )
    assert term.due_date(trandate) == due


def test_a_day_the_month_does_not_have_is_its_last_day() -> None:
    month_end = PaymentTerm(98, "EOM", date_driven=True, day_of_month_net_due=31)
    assert month_end.due_date(date(2026, 2, 3)) == date(2026, 2, 28)
    assert month_end.due_date(date(2024, 2, 3)) == date(2024, 2, 29)
    assert month_end.due_date(date(2026, 4, 30)) == date(2026, 4, 30)
    next_month_end = PaymentTerm(
        97, "EOM+1", date_driven=True, day_of_month_net_due=31, due_next_month_if_within_days=31
    )
    assert next_month_end.due_date(date(2025, 12, 1)) == date(2026, 1, 31)
    assert next_month_end.due_date(date(2026, 1, 31)) == date(2026, 2, 28)
