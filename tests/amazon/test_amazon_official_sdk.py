"""Amazon's official Python SDK (`amzn-sp-api`) against the sandbox, and as the model layer.

The SDK is a real third-party client generated from Amazon's published models: it must log in
through the sandbox's LWA endpoint, call the vendor operations over real HTTP and deserialize
every answer with client-side validation on. Its models are also the validation layer that
needs no files outside the repository (`sdk_validation`); the tests below prove that layer
refuses what a generated client would.
"""

from __future__ import annotations

import base64
import copy
from datetime import UTC, datetime, timedelta

import pytest
from spapi import SPAPIClient
from spapi.api.vendor_direct_fulfillment_orders_v2021_12_28.vendor_df_orders_api import (
    VendorDfOrdersApi,
)
from spapi.api.vendor_direct_fulfillment_shipping_v2021_12_28.customer_invoices_api import (
    CustomerInvoicesApi,
)
from spapi.api.vendor_orders_v1.vendor_orders_api import VendorOrdersApi
from spapi.api.vendor_transaction_status_v1.vendor_transaction_api import VendorTransactionApi
from spapi.auth.credentials import SPAPIConfig
from spapi.models.vendor_direct_fulfillment_orders_v2021_12_28 import (
    SubmitAcknowledgementRequest as DfAcknowledgementRequest,
)
from spapi.models.vendor_orders_v1 import (
    ItemQuantity,
    OrderAcknowledgement,
    OrderAcknowledgementItem,
    PartyIdentification,
    SubmitAcknowledgementRequest,
)
from spapi.rest import ApiException

from vendor_pipelines.amazon.operations import OPERATIONS
from vendor_sandbox.amazon import sdk_validation
from vendor_sandbox.amazon.served_operations import SANDBOX_OPERATIONS, SERVED_OPERATIONS
from vendor_sandbox.embedded import (
    SANDBOX_LWA_CLIENT_ID,
    SANDBOX_LWA_CLIENT_SECRET,
    SANDBOX_LWA_REFRESH_TOKEN,
)

ORDERS_PATH = "/vendor/orders/v1/purchaseOrders"


@pytest.fixture
def sdk(sandbox) -> SPAPIClient:
    config = SPAPIConfig(
        SANDBOX_LWA_CLIENT_ID,
        SANDBOX_LWA_CLIENT_SECRET,
        refresh_token=SANDBOX_LWA_REFRESH_TOKEN,
        region="NA",
    )
    return SPAPIClient(config, oauth_endpoint=sandbox.token_url, endpoint=sandbox.url)


def test_the_sdk_models_every_operation_the_client_calls_but_one():
    uncovered = {
        op.key
        for op in OPERATIONS.values()
        if sdk_validation.sdk_operation(op.method, op.path) is None
    }
    # The SDK ships DF transactions 2021-12-28 only; the v1 path is judged by the model file.
    assert uncovered == {"dfTransactionsV1.getTransactionStatus"}
    bodies = {
        op.key
        for op in OPERATIONS.values()
        if op.request_model is not None
        and sdk_validation.sdk_operation(op.method, op.path).body_type is None
    }
    assert bodies == set()


def test_the_official_sdk_pages_through_the_sandbox_orders(sandbox, sdk):
    api = VendorOrdersApi(sdk.api_client)
    after = datetime.now(UTC) - timedelta(days=7)
    seen: list[str] = []
    # The SDK does not retry a 429: like its users, stay under the usage plan (10 rps, burst
    # 10) by asking for pages big enough.
    page = api.get_purchase_orders(created_after=after, limit=25)
    while True:
        seen += [order.purchase_order_number for order in page.payload.orders]
        token = page.payload.pagination and page.payload.pagination.next_token
        if not token:
            break
        page = api.get_purchase_orders(created_after=after, limit=25, next_token=token)
    assert len(seen) == len(set(seen)) > 25
    assert set(seen) == {
        po
        for po, record in sandbox.state.rp_orders().items()
        if datetime.fromisoformat(record["createdAt"]) > after
    }
    one = api.get_purchase_order(seen[0]).payload
    assert one.order_details.items and one.order_details.selling_party.party_id


def test_the_sdk_or_the_model_files_judge_every_served_operation():
    """What only other clients call (DF v1, the test-data API) has no SDK model: the recorder
    judges it by the model files (`VENDOR_PIPELINES_SPECS_DIR`), see test_amazon_df_v1."""
    uncovered = {
        op.key
        for op in SERVED_OPERATIONS.values()
        if sdk_validation.sdk_operation(op.method, op.path) is None
    }
    v1 = {k for k in SANDBOX_OPERATIONS if k.startswith(("dfOrdersV1.", "dfShippingV1."))}
    assert len(v1) == 12
    assert uncovered == v1 | {
        "dfTransactionsV1.getTransactionStatus",
        "dfSandbox.generateOrderScenarios",
        "dfSandbox.getOrderScenarios",
    }


def test_the_official_sdk_pages_with_the_token_alone(sandbox, sdk):
    """As the SDK's users page: the first page filtered, then `next_token` and nothing else."""
    api = VendorOrdersApi(sdk.api_client)
    # A week back, less a few minutes: the status listing below reuses the same start, and the
    # range must still be within Amazon's 7 days when it is sent (on a busy machine, seconds on).
    after = datetime.now(UTC) - timedelta(days=7) + timedelta(minutes=5)
    page = api.get_purchase_orders(created_after=after, limit=25, sort_order="DESC")
    seen = [order.purchase_order_number for order in page.payload.orders]
    while page.payload.pagination and page.payload.pagination.next_token:
        page = api.get_purchase_orders(next_token=page.payload.pagination.next_token)
        seen += [order.purchase_order_number for order in page.payload.orders]
    expected = sorted(
        (
            (record["createdAt"], po)
            for po, record in sandbox.state.rp_orders().items()
            if datetime.fromisoformat(record["createdAt"]) > after
        ),
        reverse=True,  # the first page's sortOrder holds on every page
    )
    assert len(expected) > 25
    assert seen == [po for _, po in expected]
    status = api.get_purchase_orders_status(created_after=after, limit=40)
    numbers = [s.purchase_order_number for s in status.payload.orders_status]
    while status.payload.pagination and status.payload.pagination.next_token:
        status = api.get_purchase_orders_status(next_token=status.payload.pagination.next_token)
        numbers += [s.purchase_order_number for s in status.payload.orders_status]
    assert sorted(numbers) == sorted(po for _, po in expected)


def test_the_official_sdk_reads_direct_fulfillment_customer_invoices(sandbox, sdk):
    po, order = next(
        (po, r["order"])
        for po, r in sorted(sandbox.state.df_orders().items())
        if r["order"]["orderDetails"]["orderStatus"] == "NEW"
    )
    orders_api = VendorDfOrdersApi(sdk.api_client)
    invoices = CustomerInvoicesApi(sdk.api_client)
    with pytest.raises(ApiException) as info:  # no invoice before the vendor accepts the order
        invoices.get_customer_invoice(po)
    assert info.value.status == 404
    details = order["orderDetails"]
    ack = DfAcknowledgementRequest(
        order_acknowledgements=[
            {
                "purchaseOrderNumber": po,
                "vendorOrderNumber": f"V-{po}",
                "acknowledgementDate": datetime.now(UTC).isoformat(),
                "acknowledgementStatus": {"code": "00", "description": "Shipping 100 percent"},
                "sellingParty": details["sellingParty"],
                "shipFromParty": details["shipFromParty"],
                "itemAcknowledgements": [
                    {
                        "itemSequenceNumber": item["itemSequenceNumber"],
                        "buyerProductIdentifier": item["buyerProductIdentifier"],
                        "acknowledgedQuantity": item["orderedQuantity"],
                    }
                    for item in details["items"]
                ],
            }
        ]
    )
    assert orders_api.submit_acknowledgement(ack).transaction_id
    one = invoices.get_customer_invoice(po)
    assert one.purchase_order_number == po and base64.b64decode(one.content).startswith(b"%PDF")
    now = datetime.now(UTC)
    listed = invoices.get_customer_invoices(now - timedelta(days=7), now, limit=100)
    assert [i.purchase_order_number for i in listed.customer_invoices] == [po]


def test_the_official_sdk_acknowledges_and_polls_the_transaction(sandbox, sdk):
    api = VendorOrdersApi(sdk.api_client)
    po, order = next(
        (po, r["order"])
        for po, r in sandbox.state.rp_orders().items()
        if r["order"]["purchaseOrderState"] == "New"
    )
    details = order["orderDetails"]
    items = [
        OrderAcknowledgementItem(
            item_sequence_number=item["itemSequenceNumber"],
            amazon_product_identifier=item.get("amazonProductIdentifier"),
            vendor_product_identifier=item.get("vendorProductIdentifier"),
            ordered_quantity=ItemQuantity(**_quantity(item["orderedQuantity"])),
            item_acknowledgements=[
                {
                    "acknowledgementCode": "Accepted",
                    "acknowledgedQuantity": item["orderedQuantity"],
                }
            ],
        )
        for item in details["items"]
    ]
    body = SubmitAcknowledgementRequest(
        acknowledgements=[
            OrderAcknowledgement(
                purchase_order_number=po,
                selling_party=PartyIdentification(party_id=details["sellingParty"]["partyId"]),
                acknowledgement_date=datetime.now(UTC),
                items=items,
            )
        ]
    )
    transaction_id = api.submit_acknowledgement(body).payload.transaction_id
    status = VendorTransactionApi(sdk.api_client).get_transaction(transaction_id)
    transaction = status.payload.transaction_status
    assert transaction.transaction_id == transaction_id
    assert transaction.status in {"Processing", "Success"}


def _quantity(quantity: dict) -> dict:
    return {
        "amount": quantity["amount"],
        "unit_of_measure": quantity["unitOfMeasure"],
        "unit_size": quantity.get("unitSize"),
    }


def test_the_official_sdk_reads_direct_fulfillment_orders(sandbox, sdk):
    api = VendorDfOrdersApi(sdk.api_client)
    now = datetime.now(UTC)
    orders = api.get_orders(created_after=now - timedelta(days=7), created_before=now, limit=100)
    numbers = {o.purchase_order_number for o in orders.orders}
    assert numbers and numbers <= set(sandbox.state.df_orders())
    one = api.get_order(sorted(numbers)[0])
    assert one.order_details.items


@pytest.fixture
def served_orders(sandbox, raw_http) -> dict:
    with raw_http(sandbox) as http:
        after = (datetime.now(UTC) - timedelta(days=7)).isoformat()
        return http.get(ORDERS_PATH, params={"createdAfter": after, "limit": 3}).json()


def test_the_sdk_layer_accepts_what_the_sandbox_serves(served_orders):
    assert served_orders["payload"]["orders"]
    assert sdk_validation.response_problems("GET", ORDERS_PATH, 200, served_orders) == []


@pytest.mark.parametrize(
    ("spoil", "expected"),
    [
        (lambda o: o.update(bogusField=1), "orders.0.bogusField: not a field of the model"),
        (lambda o: o.update(purchaseOrderNumber=12), "orders.0.purchaseOrderNumber: 12 is not"),
        (lambda o: o.update(purchaseOrderState="Shipped"), "purchase_order_state"),
        (lambda o: o.pop("purchaseOrderNumber"), "purchase_order_number`, must not be `None`"),
        (
            lambda o: o["orderDetails"]["items"][0]["orderedQuantity"].update(amount="abc"),
            "invalid literal for int()",
        ),
        (lambda o: o["orderDetails"].update(items={"a": 1}), "item_sequence_number"),
    ],
    ids=["unknown-field", "number-for-string", "bad-enum", "missing-required", "bad-int", "dict"],
)
def test_the_sdk_layer_refuses_what_a_generated_client_would(served_orders, spoil, expected):
    body = copy.deepcopy(served_orders)
    spoil(body["payload"]["orders"][0])
    problems = sdk_validation.response_problems("GET", ORDERS_PATH, 200, body)
    assert problems and expected in problems[0], problems


def test_the_sdk_layer_reads_error_bodies_and_request_bodies(served_orders):
    errors = {"errors": [{"code": "InvalidInput", "message": "bad"}]}
    assert sdk_validation.response_problems("GET", ORDERS_PATH, 400, errors) == []
    assert sdk_validation.response_problems("GET", ORDERS_PATH, 400, {"errors": [{}]})
    ack = "/vendor/orders/v1/acknowledgements"
    assert sdk_validation.request_problems("POST", ack, {"acknowledgements": [{"x": 1}]})
