"""Listings paged with `nextToken`, as real clients page them, over real HTTP.

Amazon's vendor tokens encode a position only, and the official SDK and the community client
(python-amazon-sp-api's `load_all_pages`) send the token by itself; Amazon's examples and the
project's own client resend the first page's filters with it. Both must continue the listing;
a token with other filters is refused. Every listing operation that pages is checked here, with
a bare HTTP client that behaves like the community client.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from vendor_pipelines.amazon.models import df_orders as dfo
from vendor_pipelines.amazon.models import orders as rpo
from vendor_sandbox.amazon import builders

RP_ORDERS = "/vendor/orders/v1/purchaseOrders"
RP_STATUS = "/vendor/orders/v1/purchaseOrdersStatus"
DF_ORDERS = "/vendor/directFulfillment/orders/2021-12-28/purchaseOrders"


def _week() -> dict[str, str]:
    """The last seven days (the longest window Amazon allows), up to a minute from now."""
    end = datetime.now(UTC) + timedelta(minutes=1)
    return {
        "createdAfter": (end - timedelta(days=7)).isoformat(),
        "createdBefore": end.isoformat(),
    }


@dataclass(frozen=True)
class ListingCase:
    path: str
    wrapped: bool  # v1: the list sits under `payload`
    records: str
    filters: dict[str, str]
    page_limit: int = 100  # the operation's largest page

    def body(self, response) -> tuple[list[Any], str | None]:
        assert response.status_code == 200, response.text
        result = response.json()["payload"] if self.wrapped else response.json()
        return result[self.records], (result.get("pagination") or {}).get("nextToken")


def _df(version: str, resource: str, records: str = "", **filters: str) -> ListingCase:
    family = "orders" if resource == "purchaseOrders" else "shipping"
    path = f"/vendor/directFulfillment/{family}/{version}/{resource}"
    return ListingCase(path, version == "v1", records or resource, filters)


CASES = {
    "rp-orders-no-details": ListingCase(
        RP_ORDERS, True, "orders", {"includeDetails": "false", "sortOrder": "DESC"}
    ),
    "rp-orders-status": ListingCase(RP_STATUS, True, "ordersStatus", {}),
    "rp-shipment-details": ListingCase(
        "/vendor/shipping/v1/shipments", True, "shipments", {}, page_limit=50
    ),
    "df-orders": _df("2021-12-28", "purchaseOrders", "orders", sortOrder="DESC"),
    "df-orders-v1": _df("v1", "purchaseOrders", "orders", status="ACCEPTED"),
    "df-labels": _df("2021-12-28", "shippingLabels"),
    "df-labels-v1": _df("v1", "shippingLabels", sortOrder="DESC"),
    "df-packing-slips": _df("2021-12-28", "packingSlips"),
    "df-packing-slips-v1": _df("v1", "packingSlips"),
    "df-customer-invoices": _df("2021-12-28", "customerInvoices"),
    "df-customer-invoices-v1": _df("v1", "customerInvoices", sortOrder="DESC"),
}


@pytest.fixture
def busy_sandbox(sandbox, client, world):
    """A sandbox with something in every listing: ASNs, accepted DF orders, labels."""
    rp = [
        rpo.Order.model_validate(doc["order"])
        for doc in sandbox.state.rp_orders().values()
        if doc["order"]["purchaseOrderState"] == "New"
        and all(i["orderedQuantity"]["amount"] > 0 for i in doc["order"]["orderDetails"]["items"])
    ][:3]
    client.wait_for_transaction(
        client.submit_acknowledgements([builders.acknowledge_all(o) for o in rp])
    )
    for index, order in enumerate(rp):
        asn = builders.ship_all(order, world.warehouses[0].party_id, serial_start=index * 10)
        assert client.wait_for_transaction(client.submit_shipment_confirmations([asn])).status == (
            "Success"
        )
    df = [
        dfo.DfOrder.model_validate(doc["order"])
        for doc in sandbox.state.df_orders().values()
        if doc["order"]["orderDetails"]["orderStatus"] == "NEW"
    ]
    acks = client.submit_df_acknowledgements([builders.df_acknowledge(o) for o in df])
    assert client.wait_for_transaction(acks).status == "Success"
    for order in df[:5]:
        details = order.orderDetails
        client.create_df_shipping_labels(
            order.purchaseOrderNumber,
            {
                "sellingParty": {"partyId": details.sellingParty.partyId},
                "shipFromParty": {"partyId": details.shipFromParty.partyId},
            },
        )
    return sandbox


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_token_alone_continues_the_listing_with_its_first_filters(busy_sandbox, raw_http, case):
    filters = {**_week(), **case.filters}
    with raw_http(busy_sandbox) as http:
        whole, token = case.body(http.get(case.path, params={**filters, "limit": case.page_limit}))
        assert len(whole) >= 3 and token is None
        # Page by page: only the token (and a page size, which is no filter) after page one.
        # Five pages or so, so the bare client stays within the usage plan's burst.
        size = -(-len(whole) // 5)
        pages = [case.body(http.get(case.path, params={**filters, "limit": size}))]
        token = pages[0][1]
        while token:
            pages.append(case.body(http.get(case.path, params={"nextToken": token, "limit": size})))
            token = pages[-1][1]
        paged = [record for records, _ in pages for record in records]
        assert len(pages) >= 2
        assert _ids(paged) == _ids(whole)
        # Strictly the token, nothing else: the rest in one page of the default size.
        first, token = case.body(http.get(case.path, params={**filters, "limit": 1}))
        rest, more = case.body(http.get(case.path, params={"nextToken": token}))
        assert more is None
        assert _ids(first + rest) == _ids(whole)


def _ids(records: list[Any]) -> list[str]:
    return [json.dumps(r, sort_keys=True) for r in records]


def test_the_token_with_the_same_filters_is_the_same_request(sandbox, raw_http):
    filters = {**_week(), "sortOrder": "DESC"}
    with raw_http(sandbox) as http:
        token = http.get(DF_ORDERS, params={**filters, "limit": 5}).json()["pagination"]
        token = token["nextToken"]
        alone = http.get(DF_ORDERS, params={"nextToken": token, "limit": 5}).json()
        # Same filters in another order (and a marketplace id, which Amazon ignores) is the same.
        again = http.get(
            DF_ORDERS,
            params={
                "limit": 5,
                "nextToken": token,
                "MarketplaceId": "ATVPDKIKX0DER",
                **dict(reversed(list(filters.items()))),
            },
        ).json()
    assert alone == again and len(alone["orders"]) == 5


def test_a_token_with_other_filters_or_of_another_listing_is_refused(sandbox, raw_http):
    week = _week()
    with raw_http(sandbox) as http:
        token = http.get(RP_ORDERS, params={**week, "limit": 5}).json()["payload"]
        token = token["pagination"]["nextToken"]
        other = {**week, "createdAfter": (datetime.now(UTC) - timedelta(days=2)).isoformat()}
        for params in (
            {**other, "nextToken": token},  # another window
            {"createdAfter": week["createdAfter"], "nextToken": token},  # a filter dropped
            {**week, "sortOrder": "DESC", "nextToken": token},  # another order
        ):
            refused = http.get(RP_ORDERS, params=params)
            assert refused.status_code == 400, params
            error = refused.json()["errors"][0]
            assert error["code"] == "InvalidInput" and "nextToken" in error["message"]
            assert "same filters" in error["details"]
        elsewhere = http.get(RP_STATUS, params={"nextToken": token})
        assert elsewhere.status_code == 400
        assert "another operation" in elsewhere.json()["errors"][0]["details"]
