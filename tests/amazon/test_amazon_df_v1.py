"""Direct Fulfillment v1 (orders, shipping) next to 2021-12-28: one sandbox state, two versions.

The most used community client defaults to v1, so these tests drive v1 with a bare HTTP client
as it would, and read the results back through 2021-12-28 (the project's client) and the other
way round. The official SDK has no v1 models: the recorder judges v1 traffic by Amazon's v1
model files when `VENDOR_PIPELINES_SPECS_DIR` names them (and the 2021-12-28 side always by the
SDK).
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from vendor_pipelines.amazon.models import df_orders as dfo
from vendor_sandbox.amazon import builders
from vendor_sandbox.amazon.served_operations import SERVED_OPERATIONS
from vendor_sandbox.amazon.spec_validation import request_errors, spec_operation

ORDERS_V1 = "/vendor/directFulfillment/orders/v1"
SHIPPING_V1 = "/vendor/directFulfillment/shipping/v1"
ORDERS = "/vendor/directFulfillment/orders/2021-12-28"
SHIPPING = "/vendor/directFulfillment/shipping/2021-12-28"
TRANSACTIONS = "/vendor/directFulfillment/transactions"


def _new_order(sandbox) -> dfo.DfOrder:
    doc = next(
        d
        for _, d in sorted(sandbox.state.df_orders().items())
        if d["order"]["orderDetails"]["orderStatus"] == "NEW"
    )
    return dfo.DfOrder.model_validate(doc["order"])


def _v1_containers(body: dict[str, Any]) -> dict[str, Any]:
    """A 2021-12-28 body in v1's spelling: `carton`/`pallet`, no `pieceNumber`."""
    body = copy.deepcopy(body)
    for document in body.get("shipmentConfirmations", []) + body.get("shippingLabelRequests", []):
        for container in document.get("containers", []):
            container["containerType"] = container["containerType"].lower()
            for item in container.get("packedItems", []):
                item.pop("pieceNumber", None)
    return body


def _submitted(http, path: str, body: dict[str, Any]) -> str:
    """POST a v1 submission; poll it through both DF transaction versions; its id."""
    response = http.post(path, json=body)
    assert response.status_code == 202, response.text
    transaction_id = response.json()["payload"]["transactionId"]
    v1 = http.get(f"{TRANSACTIONS}/v1/transactions/{transaction_id}").json()
    current = http.get(f"{TRANSACTIONS}/2021-12-28/transactions/{transaction_id}").json()
    assert v1["payload"]["transactionStatus"]["status"] == "Success", v1
    assert current["transactionStatus"]["status"] == "Success", current
    return transaction_id


def test_one_order_through_both_versions(sandbox, client, raw_http):
    order = _new_order(sandbox)
    po = order.purchaseOrderNumber
    details = order.orderDetails
    parties = {
        "sellingParty": {"partyId": details.sellingParty.partyId},
        "shipFromParty": {"partyId": details.shipFromParty.partyId},
    }
    now = datetime.now(UTC)
    window = {
        "createdAfter": (now - timedelta(days=7)).isoformat(),
        "createdBefore": now.isoformat(),
    }
    with raw_http(sandbox) as http:
        # Reads: v1 is 2021-12-28 inside `payload`.
        current = http.get(f"{ORDERS}/purchaseOrders/{po}").json()
        assert http.get(f"{ORDERS_V1}/purchaseOrders/{po}").json() == {"payload": current}
        listed = http.get(f"{ORDERS_V1}/purchaseOrders", params={**window, "status": "NEW"})
        assert po in {o["purchaseOrderNumber"] for o in listed.json()["payload"]["orders"]}

        # Acknowledged through v1: ACCEPTED for 2021-12-28 (the project's client).
        ack = {"orderAcknowledgements": [builders.df_acknowledge(order).to_amazon()]}
        _submitted(http, f"{ORDERS_V1}/acknowledgements", ack)
        assert client.get_df_order(po).orderDetails.orderStatus == "ACCEPTED"

        # A label requested through v1 (v1 spells containers `carton`) is one label for both.
        confirmation = builders.df_confirm_shipment(order)
        containers = [c.to_amazon() for c in confirmation.containers or []]
        labels = {"shippingLabelRequests": [{"purchaseOrderNumber": po, **parties}]}
        labels["shippingLabelRequests"][0]["containers"] = containers
        _submitted(http, f"{SHIPPING_V1}/shippingLabels", _v1_containers(labels))
        label = http.get(f"{SHIPPING_V1}/shippingLabels/{po}").json()["payload"]
        assert label == client.get_df_shipping_label(po).to_amazon()
        assert label["labelData"][0]["content"]

        # The documents Amazon prints, the same through both versions.
        for document in ("customerInvoices", "packingSlips"):
            v1 = http.get(f"{SHIPPING_V1}/{document}/{po}")
            current = http.get(f"{SHIPPING}/{document}/{po}")
            assert v1.status_code == current.status_code
            if current.status_code == 200:
                assert v1.json() == {"payload": current.json()}
        invoices = http.get(f"{SHIPPING_V1}/customerInvoices", params=window).json()["payload"]
        assert [i["purchaseOrderNumber"] for i in invoices["customerInvoices"]] == [po]

        # Confirmed shipped and tracked through v1: SHIPPED for 2021-12-28.
        shipped = {"shipmentConfirmations": [confirmation.to_amazon()]}
        _submitted(http, f"{SHIPPING_V1}/shipmentConfirmations", _v1_containers(shipped))
        assert client.get_df_order(po).orderDetails.orderStatus == "SHIPPED"
        update = {
            "purchaseOrderNumber": po,
            **parties,
            "statusUpdateDetails": {
                "trackingNumber": label["labelData"][0]["trackingNumber"],
                "statusCode": "D1",
                "reasonCode": "NS",
                "statusDateTime": datetime.now(UTC).isoformat(),
                "statusLocationAddress": {
                    "name": "Hub",
                    "addressLine1": "1 Main St",
                    "countryCode": "US",
                },
            },
        }
        _submitted(
            http, f"{SHIPPING_V1}/shipmentStatusUpdates", {"shipmentStatusUpdates": [update]}
        )
    assert sandbox.state.received_count("df_shipment_confirmations", po) == 1
    assert sandbox.state.received_count("df_shipment_status_updates", po) == 1


def test_v1_shows_orders_without_the_fields_added_in_2021(sandbox, raw_http):
    order = copy.deepcopy(next(iter(sandbox.state.df_orders().values()))["order"])
    order["purchaseOrderNumber"] = "CUSTOM01"
    order["orderDetails"]["hasCustomizableItems"] = True
    order["orderDetails"]["items"][0]["buyerCustomizedInfo"] = {"customizedUrl": "aHR0cHM6Ly8="}
    sandbox.state.add_df_orders([order])
    with raw_http(sandbox) as http:
        current = http.get(f"{ORDERS}/purchaseOrders/CUSTOM01").json()
        v1 = http.get(f"{ORDERS_V1}/purchaseOrders/CUSTOM01").json()["payload"]
    assert current["orderDetails"]["hasCustomizableItems"] is True
    assert "buyerCustomizedInfo" in current["orderDetails"]["items"][0]
    assert "hasCustomizableItems" not in v1["orderDetails"]
    assert all("buyerCustomizedInfo" not in item for item in v1["orderDetails"]["items"])
    del current["orderDetails"]["hasCustomizableItems"]
    del current["orderDetails"]["items"][0]["buyerCustomizedInfo"]
    assert v1 == current


def test_v1_has_no_synchronous_labels_like_amazon(sandbox, raw_http):
    po = _new_order(sandbox).purchaseOrderNumber
    with raw_http(sandbox) as http:
        wrong_verb = http.post(f"{SHIPPING_V1}/shippingLabels/{po}", json={})
        unknown = http.post(f"{SHIPPING_V1}/containerLabel", json={})
    assert wrong_verb.status_code == unknown.status_code == 403
    assert wrong_verb.json()["errors"][0]["code"] == "Unauthorized"
    assert unknown.json()["errors"][0]["code"] == "MissingAuthenticationToken"


def test_every_served_operation_is_an_operation_of_its_model_file(specs):
    for op in SERVED_OPERATIONS.values():
        assert spec_operation(op.spec, op.method, op.path).operation_id == op.operation_id, op.key


def test_each_version_holds_bodies_to_its_own_spelling(sandbox, specs):
    """What the recorder checks on every v1 body: v1's `carton`, 2021-12-28's `Carton`."""
    confirmation = builders.df_confirm_shipment(_new_order(sandbox)).to_amazon()
    current = {"shipmentConfirmations": [confirmation]}
    v1 = _v1_containers(current)
    ops = SERVED_OPERATIONS
    v1_op = ops["dfShippingV1.submitShipmentConfirmations"]
    op = ops["dfShipping.submitShipmentConfirmations"]
    assert request_errors(v1_op.spec, "POST", v1_op.path, v1) == []
    assert request_errors(op.spec, "POST", op.path, current) == []
    assert request_errors(v1_op.spec, "POST", v1_op.path, current)
    assert request_errors(op.spec, "POST", op.path, v1)


@pytest.mark.parametrize("document", ["customerInvoices", "packingSlips"])
def test_documents_of_an_order_not_yet_accepted_are_not_found(sandbox, raw_http, document):
    po = _new_order(sandbox).purchaseOrderNumber
    with raw_http(sandbox) as http:
        for base in (SHIPPING, SHIPPING_V1):
            response = http.get(f"{base}/{document}/{po}")
            assert response.status_code == 404
            assert response.json()["errors"][0]["code"] == "ResourceNotFound"
