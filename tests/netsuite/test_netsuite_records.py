"""Record service over real HTTP: upserts, the order-to-cash transform chain, business rules."""

from __future__ import annotations

import threading

import pytest

from vendor_pipelines.netsuite import (
    CustomerPayment,
    DuplicateExternalId,
    JournalEntry,
    JournalLine,
    NetSuiteClient,
    NetSuiteUserError,
    PaymentApplication,
    RecordNotFound,
    SalesOrder,
    SalesOrderLine,
)
from vendor_pipelines.netsuite.rows import TransactionRow
from vendor_sandbox.world import World

CUSTOMER = 2000


def _order(world: World, external_id: str, *, approved: bool = True, qty: int = 2) -> SalesOrder:
    location = world.mapped_warehouses[0].netsuite_location_id
    in_stock = [i for i in world.items if world.stock[(i.sku, location)] >= qty * 2][:2]
    return SalesOrder(
        customer_id=CUSTOMER,
        external_id=external_id,
        other_ref_num=external_id.removeprefix("amazon-po-"),
        approved=approved,
        lines=[
            SalesOrderLine(
                item_id=item.netsuite_internal_id, quantity=qty, location_id=location, line=n
            )
            for n, item in enumerate(in_stock, start=1)
        ],
        custom_fields={"custbody_amazon_vendor_code": world.vendors[0].vendor_code},
    )


def test_seeded_master_data_matches_the_world(client: NetSuiteClient, world: World) -> None:
    item = world.items[0]
    record = client.get("inventoryItem", item.netsuite_internal_id, expand_sub_resources=True)
    assert record["itemId"] == item.sku and record["custitem_amazon_asin"] == item.asin
    stock = {
        line["location"]["id"]: line["quantityOnHand"] for line in record["locations"]["items"]
    }
    assert stock == {
        str(w.netsuite_location_id): world.stock[(item.sku, w.netsuite_location_id)]
        for w in world.mapped_warehouses
    }
    customer = client.get_by_external_id("customer", world.vendors[0].customer_external_id)
    assert customer["custentity_amazon_vendor_code"] == world.vendors[0].vendor_code
    party_ids = {
        row["custrecord_amazon_party_id"]
        for row in client.suiteql("SELECT id, custrecord_amazon_party_id FROM location")
    }
    assert party_ids == {w.party_id for w in world.mapped_warehouses}
    assert world.unmapped_warehouse.party_id not in party_ids


def test_upsert_twice_with_the_same_external_id_is_one_record(
    client: NetSuiteClient, world: World
) -> None:
    order = _order(world, "amazon-po-1AB2C3D4")
    first = client.upsert_by_external_id("salesOrder", order.external_id, order.payload())
    second = client.upsert_by_external_id("salesOrder", order.external_id, order.payload())
    assert first == second
    rows = list(
        client.suiteql(
            "SELECT id, type, externalid, otherrefnum FROM transaction WHERE externalid = ?",
            [order.external_id],
            row_model=TransactionRow,
        )
    )
    assert [(r.id, r.type, r.otherrefnum) for r in rows] == [(int(first), "SalesOrd", "1AB2C3D4")]
    lines = client.get_sublist("salesOrder", first, "item")
    assert [line["line"] for line in lines] == [1, 2]  # matched by line, not appended


def test_create_with_a_used_external_id_is_refused(client: NetSuiteClient, world: World) -> None:
    order = _order(world, "amazon-po-DUP1")
    client.create("salesOrder", order.payload())
    with pytest.raises(DuplicateExternalId) as raised:
        client.create("salesOrder", order.payload())
    assert raised.value.status == 400 and raised.value.code == "USER_ERROR"
    assert "already exists" in raised.value.detail


def test_order_to_cash_transform_chain(client: NetSuiteClient, world: World) -> None:
    order = _order(world, "amazon-po-CHAIN1", approved=False)
    so_id = client.create("salesOrder", order.payload())
    assert client.get("salesOrder", so_id)["status"]["id"] == "A"
    with pytest.raises(NetSuiteUserError, match="pending approval"):
        client.transform("salesOrder", so_id, "itemFulfillment")
    client.patch("salesOrder", so_id, {"orderStatus": {"id": "B"}})
    assert client.get("salesOrder", so_id)["status"]["id"] == "B"

    client.fulfill_sales_order(so_id, {1: 1}, external_id="if-CHAIN1-1")
    assert client.get("salesOrder", so_id)["status"]["id"] == "E"
    fulfilment_id = client.fulfill_sales_order(so_id, {1: 1, 2: 2}, external_id="if-CHAIN1-2")
    fulfilment = client.get("itemFulfillment", fulfilment_id, expand_sub_resources=True)
    assert fulfilment["createdFrom"]["id"] == so_id
    assert {line["orderLine"] for line in fulfilment["item"]["items"]} == {1, 2}
    assert client.get("salesOrder", so_id)["status"]["id"] == "F"

    invoice_id = client.transform("salesOrder", so_id, "invoice", {"externalId": "inv-CHAIN1"})
    invoice = client.get("invoice", invoice_id)
    order_total = client.get("salesOrder", so_id)["total"]
    assert invoice["total"] == order_total and invoice["amountRemaining"] == order_total
    assert invoice["custbody_amazon_vendor_code"] == world.vendors[0].vendor_code
    assert client.get("salesOrder", so_id)["status"]["id"] == "G"

    partial = round(order_total / 2, 2)
    payment = CustomerPayment(
        customer_id=CUSTOMER,
        external_id="pay-CHAIN1",
        applications=[PaymentApplication(invoice_id=invoice_id, amount=partial)],
    )
    payment_id = client.create("customerPayment", payment.payload())
    assert client.get("invoice", invoice_id)["amountRemaining"] == round(order_total - partial, 2)
    with pytest.raises(NetSuiteUserError, match="exceeds"):
        client.create(
            "customerPayment",
            CustomerPayment(
                customer_id=CUSTOMER,
                applications=[PaymentApplication(invoice_id=invoice_id, amount=order_total)],
            ).payload(),
        )
    # Re-applying the payment for the full remaining amount (apply keyed by doc).
    client.patch(
        "customerPayment",
        payment_id,
        {
            "payment": order_total,
            "apply": {"items": [{"doc": {"id": invoice_id}, "amount": order_total}]},
        },
    )
    paid = client.get("invoice", invoice_id)
    assert paid["amountRemaining"] == 0 and paid["status"]["refName"] == "Paid In Full"


def test_closed_lines_stop_being_fulfillable(client: NetSuiteClient, world: World) -> None:
    so_id = client.create("salesOrder", _order(world, "amazon-po-CLOSE1").payload())
    client.close_sales_order_lines(so_id, [2])
    lines = {line["line"]: line for line in client.get_sublist("salesOrder", so_id, "item")}
    assert lines[2]["isClosed"] is True and lines[1]["isClosed"] is False
    with pytest.raises(NetSuiteUserError, match="closed"):
        client.transform(
            "salesOrder",
            so_id,
            "itemFulfillment",
            {"item": {"items": [{"orderLine": 2, "quantity": 1}]}},
        )
    client.transform("salesOrder", so_id, "itemFulfillment")  # defaults skip the closed line
    fulfilled = {
        line["line"]: line["quantityFulfilled"]
        for line in client.get_sublist("salesOrder", so_id, "item")
    }
    assert fulfilled == {1: 2, 2: 0}
    client.close_sales_order_lines(so_id, [1])
    assert client.get("salesOrder", so_id)["status"]["id"] == "F"  # fulfilled, awaiting billing


def test_fulfilment_cannot_exceed_stock(client: NetSuiteClient, world: World) -> None:
    location = world.mapped_warehouses[0].netsuite_location_id
    empty = next(i for i in world.items if world.stock[(i.sku, location)] == 0)
    order = SalesOrder(
        customer_id=CUSTOMER,
        lines=[
            SalesOrderLine(item_id=empty.netsuite_internal_id, quantity=1, location_id=location)
        ],
    )
    so_id = client.create("salesOrder", order.payload())
    with pytest.raises(NetSuiteUserError, match="available"):
        client.transform("salesOrder", so_id, "itemFulfillment")


def test_errors_carry_netsuite_codes_and_paths(client: NetSuiteClient) -> None:
    with pytest.raises(RecordNotFound) as missing:
        client.get("salesOrder", 999999)
    assert missing.value.code == "NONEXISTENT_ID"
    with pytest.raises(NetSuiteUserError) as bad_item:
        client.create(
            "salesOrder",
            {
                "entity": {"id": CUSTOMER},
                "item": {"items": [{"item": {"id": "424242"}, "quantity": 1}]},
            },
        )
    assert bad_item.value.code == "INVALID_CONTENT"
    assert bad_item.value.path == "item.items[0].item"


def test_journal_entries_must_balance(client: NetSuiteClient) -> None:
    with pytest.raises(NetSuiteUserError, match="out of balance"):
        client.create(
            "journalEntry",
            {
                "line": {
                    "items": [
                        {"account": {"id": "1"}, "debit": 10},
                        {"account": {"id": "2"}, "credit": 9.99},
                    ]
                }
            },
        )
    entry = JournalEntry(
        external_id="je-settlement-1",
        lines=[
            JournalLine(account_id=6010, debit=12.5, memo="co-op"),
            JournalLine(account_id=6020, debit=7.5, memo="shortage"),
            JournalLine(account_id=1200, credit=20, entity_id=CUSTOMER),
        ],
    )
    je_id = client.upsert_by_external_id("journalEntry", "je-settlement-1", entry.payload())
    assert client.upsert_by_external_id("journalEntry", "je-settlement-1", entry.payload()) == je_id
    lines = client.get_sublist("journalEntry", je_id, "line")
    assert [line.get("debit") or -line["credit"] for line in lines] == [12.5, 7.5, -20.0]


def test_concurrent_creates_with_one_external_id_make_one_record(
    client: NetSuiteClient, world: World
) -> None:
    order = _order(world, "amazon-po-RACE1")
    outcomes: list[str] = []

    def attempt() -> None:
        try:
            outcomes.append(client.create("salesOrder", order.payload()))
        except DuplicateExternalId:
            outcomes.append("duplicate")

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes).count("duplicate") == 7
    rows = list(client.suiteql("SELECT id FROM transaction WHERE externalid = 'amazon-po-RACE1'"))
    assert len(rows) == 1
