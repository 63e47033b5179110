"""Bad purchase order payloads are quarantined with a reason; the rest of the batch lands."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import duckdb
import pytest

from vendor_pipelines import warehouse_schema
from vendor_pipelines.exceptions.store import record_detections
from vendor_pipelines.orders.detections import QUARANTINED_PAYLOADS
from vendor_pipelines.orders.landing import land_purchase_orders
from vendor_sandbox.amazon.generator import generate_orders
from vendor_sandbox.amazon.spec_validation import SpecsMissing, load_spec
from vendor_sandbox.world import Scale, generate_world


@pytest.fixture(params=["sandbox", "official"])
def official_orders(request) -> list[dict]:
    """Good purchase orders to spoil: the sandbox generator's (validated against Amazon's SDK
    models by the client tests), and the official getPurchaseOrders example response's
    (Amazon's own payloads, in the model files that only the strict layer has)."""
    if request.param == "sandbox":
        world = generate_world(7, Scale.named("tiny"))
        return generate_orders(world, datetime(2026, 11, 2, tzinfo=UTC), days=1).rp_orders[:3]
    try:
        spec = load_spec("vendorOrders.json")
    except SpecsMissing as missing:
        pytest.skip(f"strict model-file layer not available: {missing}")
    operation = spec["paths"]["/vendor/orders/v1/purchaseOrders"]["get"]
    example = operation["responses"]["200"]["x-amzn-api-sandbox"]["static"][0]["response"]
    return copy.deepcopy(example["payload"]["orders"])


def test_bad_orders_are_quarantined_and_good_ones_land(official_orders) -> None:
    negative = copy.deepcopy(official_orders[0])
    negative["purchaseOrderNumber"] = "NEGATIVE"
    negative["orderDetails"]["items"][0]["orderedQuantity"]["amount"] = -2
    missing = copy.deepcopy(official_orders[0])
    missing["purchaseOrderNumber"] = "NOSELLER"
    del missing["orderDetails"]["sellingParty"]
    no_items = copy.deepcopy(official_orders[0])
    no_items["purchaseOrderNumber"] = "NOITEMS1"
    no_items["orderDetails"]["items"] = []
    conn = duckdb.connect()
    warehouse_schema.apply(conn)
    result = land_purchase_orders(conn, [*official_orders, negative, missing, no_items], "RP", "NA")
    assert (result.received, result.changed, result.quarantined) == (
        len(official_orders) + 3,
        len(official_orders),
        3,
    )
    reasons = dict(
        conn.execute("select payload_key, reason from raw.amazon_quarantined_payloads").fetchall()
    )
    assert reasons == {
        "NEGATIVE": "negative orderedQuantity.amount -2",
        "NOSELLER": "missing orderDetails.sellingParty.partyId",
        "NOITEMS1": "order has no items",
    }
    landed = {
        po
        for (po,) in conn.execute(
            "select purchase_order_number from raw.amazon_purchase_orders"
        ).fetchall()
    }
    assert landed == {o["purchaseOrderNumber"] for o in official_orders}
    record_detections(conn, "raw/amazon_purchase_orders", query=QUARANTINED_PAYLOADS)
    assert (
        conn.execute(
            "select count(*) from ops.open_exceptions where exception_type = 'quarantined_payload'"
        ).fetchone()[0]
        == 3
    )
    # The sender fixes one order: it lands and its exception resolves itself.
    fixed = copy.deepcopy(official_orders[0])
    fixed["purchaseOrderNumber"] = "NEGATIVE"
    land_purchase_orders(conn, [fixed], "RP", "NA")
    record_detections(conn, "raw/amazon_purchase_orders", query=QUARANTINED_PAYLOADS)
    open_keys = {
        k
        for (k,) in conn.execute("select purchase_order_number from ops.open_exceptions").fetchall()
    }
    assert open_keys == {"NOSELLER", "NOITEMS1"}


def test_same_payload_twice_is_one_version(official_orders) -> None:
    conn = duckdb.connect()
    warehouse_schema.apply(conn)
    land_purchase_orders(conn, official_orders, "RP", "NA")
    second = land_purchase_orders(conn, official_orders, "RP", "NA")
    assert (second.changed, second.unchanged) == (0, len(official_orders))
    changed = copy.deepcopy(official_orders[0])
    changed["purchaseOrderState"] = "Acknowledged"
    land_purchase_orders(conn, [changed], "RP", "NA")
    versions = conn.execute(
        "select count(*) from raw.amazon_purchase_order_versions where purchase_order_number = ?",
        [changed["purchaseOrderNumber"]],
    ).fetchone()[0]
    assert versions == 2


def _spoiled(order: dict, number: str, spoil) -> dict:
    copy_ = copy.deepcopy(order)
    copy_["purchaseOrderNumber"] = number
    spoil(copy_["orderDetails"]["items"])
    return copy_


def _set_amount(value):
    return lambda items: items[0]["orderedQuantity"].update(amount=value)


def test_landing_names_what_is_wrong_with_each_value(official_orders) -> None:
    """Fed to the landing directly (the client's model would refuse some of these first)."""
    base = official_orders[0]

    def duplicate(items):
        items.append(copy.deepcopy(items[0]))

    first_line = base["orderDetails"]["items"][0]["itemSequenceNumber"]
    bad = {
        "DUPSEQ": (duplicate, f"itemSequenceNumber {first_line} is on 2 lines"),
        "FRACTION": (_set_amount(1.5), "orderedQuantity.amount 1.5 is not a whole number"),
        "TEXTQTY": (_set_amount("abc"), 'orderedQuantity.amount "abc" is not a number'),
        "HUGEQTY": (_set_amount(1e30), "orderedQuantity.amount 1e30 is out of range"),
        "NEGCOST": (
            lambda items: items[0]["netCost"].update(amount="-3.20"),
            "negative netCost.amount -3.20",
        ),
        "NOSEQ": (
            lambda items: items[0].pop("itemSequenceNumber"),
            "item without itemSequenceNumber",
        ),
    }
    zero = _spoiled(base, "ZEROLINE", _set_amount(0))
    payloads = [*official_orders, zero, official_orders[-1]]  # the last PO arrives twice
    payloads += [_spoiled(base, po, spoil) for po, (spoil, _) in bad.items()]
    conn = duckdb.connect()
    warehouse_schema.apply(conn)
    result = land_purchase_orders(conn, payloads, "RP", "NA")
    # The repeated PO is one order; the zero line is Amazon's cancelled line and lands.
    assert (result.received, result.changed, result.quarantined) == (
        len(official_orders) + 1 + len(bad),
        len(official_orders) + 1,
        len(bad),
    )
    reasons = dict(
        conn.execute("select payload_key, reason from raw.amazon_quarantined_payloads").fetchall()
    )
    assert set(reasons) == set(bad)
    for po, (_, expected) in bad.items():
        assert expected in reasons[po], (po, reasons[po])
    cancelled = conn.execute(
        """select ordered_quantity from raw.amazon_purchase_order_lines
           where purchase_order_number = 'ZEROLINE' order by item_sequence_number limit 1"""
    ).fetchone()
    assert cancelled == (0,)


def test_a_direct_fulfillment_line_of_zero_units_is_quarantined() -> None:
    world = generate_world(7, Scale.named("tiny"))
    orders = generate_orders(world, datetime(2026, 11, 2, tzinfo=UTC), days=1).df_orders
    zero = _spoiled(orders[0], "DFZERO", _set_amount(0))
    conn = duckdb.connect()
    warehouse_schema.apply(conn)
    result = land_purchase_orders(conn, [*orders, zero], "DF", "NA")
    assert (result.changed, result.quarantined) == (len(orders), 1)
    (reason,) = conn.execute("select reason from raw.amazon_quarantined_payloads").fetchone()
    assert (
        reason == "orderedQuantity.amount is 0: a Direct Fulfillment line orders at least one unit"
    )
