"""Bad purchase order payloads are quarantined with a reason; the rest of the batch lands."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import duckdb
import pytest

from vendor_pipelines.ops.exceptions import record_detections
from vendor_pipelines.orders.detections import QUARANTINED_PAYLOADS
from vendor_pipelines.orders.landing import land_purchase_orders
from vendor_pipelines.sandbox.amazon.generator import generate_orders
from vendor_pipelines.sandbox.amazon.spec_validation import SpecsMissing, load_spec
from vendor_pipelines.sandbox.world import Scale, generate_world


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
        "NEGATIVE": "negative orderedQuantity.amount",
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
