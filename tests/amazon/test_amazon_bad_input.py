"""Bad input on both sides: the sandbox answers 400 naming the field, the client raises typed
errors naming the field, and nothing takes a process down."""

from __future__ import annotations

import httpx
import pytest
from pydantic import ValidationError

from vendor_pipelines.amazon import AmazonResponseError, AmazonVendorClient
from vendor_pipelines.amazon.models import orders as rpo

ACK_PATH = "/vendor/orders/v1/acknowledgements"
DF_ACK_PATH = "/vendor/directFulfillment/orders/2021-12-28/acknowledgements"


def _messages(response: httpx.Response) -> str:
    body = response.json()
    assert set(body) == {"errors"}
    return " | ".join(e["message"] for e in body["errors"])


def test_malformed_json_is_a_400_and_the_server_survives(sandbox, raw_http):
    with raw_http(sandbox) as http:
        for raw in (b"{not json", b"", b"[1, 2]", b"\xff\xfe"):
            response = http.post(
                ACK_PATH, content=raw, headers={"content-type": "application/json"}
            )
            assert response.status_code == 400
            assert response.json()["errors"][0]["code"] == "InvalidInput"
        response = http.post(
            ACK_PATH, content=b"a=b", headers={"content-type": "application/x-www-form-urlencoded"}
        )
        assert response.status_code == 415
        assert http.get("/vendor/orders/v1/purchaseOrders", params={"limit": 1}).status_code == 200


def test_missing_required_fields_are_named(sandbox, raw_http):
    with raw_http(sandbox) as http:
        response = http.post(
            ACK_PATH,
            json={"acknowledgements": [{"purchaseOrderNumber": "2JK3S9VC", "sellingParty": {}}]},
        )
        assert response.status_code == 400
        text = _messages(response)
        assert "acknowledgements[0].sellingParty.partyId" in text
        assert "acknowledgements[0].acknowledgementDate" in text
        assert "acknowledgements[0].items" in text
        response = http.post(DF_ACK_PATH, json={"orderAcknowledgements": [{}]})
        assert response.status_code == 400
        assert "orderAcknowledgements[0].vendorOrderNumber" in _messages(response)


def test_unknown_enum_values_are_named(sandbox, raw_http):
    ack = {
        "purchaseOrderNumber": "2JK3S9VC",
        "sellingParty": {"partyId": "X"},
        "acknowledgementDate": "2024-01-01T00:00:00Z",
        "items": [
            {
                "orderedQuantity": {"amount": 1, "unitOfMeasure": "Pallets"},
                "itemAcknowledgements": [
                    {"acknowledgementCode": "Maybe", "acknowledgedQuantity": {"amount": 1}}
                ],
            }
        ],
    }
    with raw_http(sandbox) as http:
        response = http.post(ACK_PATH, json={"acknowledgements": [ack]})
        assert response.status_code == 400
        text = _messages(response)
        assert "acknowledgements[0].items[0].orderedQuantity.unitOfMeasure" in text
        assert "itemAcknowledgements[0].acknowledgementCode" in text


def test_bad_query_parameters_are_named(sandbox, raw_http):
    with raw_http(sandbox) as http:
        cases = [
            ({"limit": "500"}, "limit"),
            ({"limit": "ten"}, "limit"),
            ({"createdAfter": "yesterday"}, "createdAfter"),
            ({"sortOrder": "SIDEWAYS"}, "sortOrder"),
            ({"includeDetails": "yes"}, "includeDetails"),
            (
                {"createdAfter": "2024-01-01T00:00:00Z", "createdBefore": "2024-01-20T00:00:00Z"},
                "7 days",
            ),
            ({"nextToken": "bm90IGEgdG9rZW4="}, "nextToken"),
        ]
        for params, needle in cases:
            response = http.get("/vendor/orders/v1/purchaseOrders", params=params)
            assert response.status_code == 400, params
            assert needle in _messages(response)
            assert response.headers["x-amzn-RateLimit-Limit"] == "10.0"
        response = http.get("/vendor/directFulfillment/orders/2021-12-28/purchaseOrders")
        assert response.status_code == 400
        assert "createdAfter" in _messages(response)


def test_unknown_routes_and_missing_tokens_look_like_the_gateway(sandbox, raw_http):
    with httpx.Client(base_url=sandbox.url) as http:
        response = http.get("/vendor/orders/v1/purchaseOrders")
        assert response.status_code == 403
        assert response.json()["errors"][0]["code"] == "Unauthorized"
        response = http.post("/vendor/orders/v1/nowhere", json={})
        assert response.status_code == 403
        assert response.json()["errors"][0]["code"] == "MissingAuthenticationToken"
        response = http.post("/auth/o2/token", data={"grant_type": "refresh_token"})
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_request"


def test_client_validates_dict_bodies_before_sending(client):
    with pytest.raises(ValidationError) as info:
        client.submit_acknowledgements({"acknowledgements": [{"purchaseOrderNumber": "X"}]})
    assert "acknowledgements.0.sellingParty" in str(info.value)
    with pytest.raises(ValidationError):
        rpo.OrderItemAcknowledgement(
            acknowledgementCode="Perhaps", acknowledgedQuantity=rpo.ItemQuantity(amount=1)
        )


def _client_with(handler) -> AmazonVendorClient:
    def route(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/auth/o2/token":
            return httpx.Response(200, json={"access_token": "Atza|t", "expires_in": 3600})
        return handler(request)

    return AmazonVendorClient(
        "https://sp.example",
        "id",
        "secret",
        "Atzr|r",
        "https://sp.example/auth/o2/token",
        transport=httpx.MockTransport(route),
    )


def test_malformed_responses_raise_errors_naming_the_field():
    bad_enum = {"payload": {"orders": [{"purchaseOrderNumber": "A", "purchaseOrderState": "Lost"}]}}
    with _client_with(lambda r: httpx.Response(200, json=bad_enum)) as client:
        with pytest.raises(AmazonResponseError) as info:
            client.get_purchase_orders(limit=1)
        assert info.value.field == "payload.orders.0.purchaseOrderState"
        skipped = []
        orders = list(client.iter_purchase_orders(on_invalid=skipped.append))
        # A skipped record is named within itself (its place on the page changes every pull),
        # with the value Amazon sent.
        assert orders == [] and skipped[0].field == "purchaseOrderState"
        assert '"Lost"' in skipped[0].problem
    with _client_with(lambda r: httpx.Response(200, content=b"<html>")) as client:
        with pytest.raises(AmazonResponseError) as info:
            client.get_purchase_order("A")
        assert info.value.field == "<body>"
    missing = {
        "payload": {
            "purchaseOrderNumber": "A",
            "orderDetails": {
                "purchaseOrderDate": "2024-01-01T00:00:00Z",
                "items": [{"itemSequenceNumber": "1"}],
            },
        }
    }
    with _client_with(lambda r: httpx.Response(200, json=missing)) as client:
        with pytest.raises(AmazonResponseError) as info:
            client.get_purchase_order("A")
        assert info.value.field.startswith("payload.orderDetails.items.0.")
