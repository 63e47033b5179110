"""The client's pydantic models against Amazon's official models and their quirks."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from vendor_pipelines.amazon.models import orders as rpo
from vendor_pipelines.amazon.models import transactions as txm
from vendor_pipelines.amazon.models.common import DateTimeInterval, Error
from vendor_pipelines.amazon.operations import OPERATIONS
from vendor_sandbox.amazon.spec_validation import (
    SpecsMissing,
    iter_examples,
    specs_dir,
)

# Official examples that are not instances of their schema (documentation artefacts).
NOT_INSTANCES = {
    # `examples` of the 202 response holds a schema fragment ({"description", "type"}) where the
    # transaction id string belongs; the sandbox-behaviour examples of the same operation are
    # real instances and are parsed below.
    ("vendorShipments.json", "SubmitShipmentConfirmations", "202", "examples"),
}


def _examples():
    by_route = {(op.spec, op.method, op.path): op for op in OPERATIONS.values()}
    for spec in sorted({op.spec for op in OPERATIONS.values()}):
        for example in iter_examples(spec):
            op = by_route.get((spec, example.method, example.path))
            if op is not None:
                yield op, example


try:
    specs_dir()
    EXAMPLES = list(_examples())
    EXAMPLE_PARAMS = [
        pytest.param(op, ex, id=f"{op.key}-{ex.status}-{ex.source}-{i}")
        for i, (op, ex) in enumerate(EXAMPLES)
    ]
except SpecsMissing as missing:
    # The examples live in Amazon's model files, which only the strict layer has.
    EXAMPLES = []
    EXAMPLE_PARAMS = [
        pytest.param(None, None, id="no-model-files", marks=pytest.mark.skip(reason=str(missing)))
    ]


def test_examples_found(specs):
    assert len(EXAMPLES) > 60
    assert {op.key for op, _ in EXAMPLES} >= {
        "orders.getPurchaseOrders",
        "orders.getPurchaseOrdersStatus",
        "dfOrders.getOrders",
        "transactions.getTransaction",
        "dfTransactions.getTransactionStatus",
        "invoices.submitInvoices",
        "shipments.GetShipmentDetails",
        "reports.getReport",
    }


@pytest.mark.parametrize(("op", "example"), EXAMPLE_PARAMS)
def test_every_official_example_response_parses(op, example, specs):
    key = (example.spec, example.operation_id, example.status, example.source)
    body = example.body
    if key in NOT_INSTANCES:
        # Documented artefact: prove it is still the schema fragment we know about.
        assert body["payload"]["transactionId"]["type"] == "string"
        return
    if int(example.status) >= 400:
        errors = body["errors"]
        errors = errors["errors"] if isinstance(errors, dict) else errors
        assert [Error.model_validate(e) for e in errors]
        return
    if op.wrapped:
        body = body["payload"]
    if op.result_model is not None:
        op.result_model.model_validate(body)


def test_quirks_are_tolerated():
    # Upper-case units, "Each" for Eaches, 3-letter countries, naive date-times.
    quantity = rpo.ItemQuantity.model_validate(
        {"amount": 5, "unitOfMeasure": "CASES", "unitSize": 10}
    )
    assert quantity.unitOfMeasure == rpo.UnitOfMeasure.Cases and quantity.eaches == 50
    assert rpo.ItemQuantity.model_validate({"unitOfMeasure": "Each"}).unitOfMeasure == "Eaches"
    address = rpo.Address.model_validate({"name": "A", "addressLine1": "B", "countryCode": "USA"})
    assert address.countryCode == "USA"
    details = rpo.OrderDetails.model_validate(
        {"purchaseOrderDate": "2019-09-21T00:00:00", "items": []}
    )
    assert details.purchaseOrderDate.tzinfo is not None
    # DF 2021-12-28 ErrorList object and v1 array both flatten.
    nested = txm.Transaction.model_validate(
        {
            "transactionId": "t",
            "status": "Failure",
            "errors": {"errors": [{"code": "A", "message": "m"}]},
        }
    )
    flat = txm.Transaction.model_validate(
        {"transactionId": "t", "status": "Failure", "errors": [{"code": "A", "message": "m"}]}
    )
    assert nested.error_list == flat.error_list


def test_decimals_round_trip_as_strings():
    money = rpo.Money.model_validate({"currencyCode": "USD", "amount": "346.27"})
    assert money.amount == Decimal("346.27")
    assert money.to_amazon() == {"currencyCode": "USD", "amount": "346.27"}
    assert rpo.Money(amount=Decimal("1E+2")).to_amazon()["amount"] == "100"
    with pytest.raises(ValidationError) as info:
        rpo.Money.model_validate({"amount": "12,50"})
    assert "amount" in str(info.value)


def test_date_time_interval():
    window = DateTimeInterval.parse("2019-08-21T07:00:00Z--2019-08-27T07:00:00Z")
    assert window.start == datetime(2019, 8, 21, 7, tzinfo=UTC)
    assert str(window) == "2019-08-21T07:00:00Z--2019-08-27T07:00:00Z"
    assert window.contains(datetime(2019, 8, 22, tzinfo=UTC))
    details = rpo.OrderDetails.model_validate(
        {
            "purchaseOrderDate": "2019-08-20T15:51:00Z",
            "items": [],
            "shipWindow": "2019-08-21T07:00:00Z--2019-08-27T07:00:00Z",
        }
    )
    assert details.to_amazon()["shipWindow"] == "2019-08-21T07:00:00Z--2019-08-27T07:00:00Z"
    with pytest.raises(ValidationError) as info:
        rpo.OrderDetails.model_validate(
            {"purchaseOrderDate": "2019-08-20T15:51:00Z", "items": [], "shipWindow": "2019-08-21"}
        )
    assert "shipWindow" in str(info.value)


def test_unknown_enum_value_names_the_field():
    with pytest.raises(ValidationError) as info:
        rpo.OrderItemAcknowledgement.model_validate(
            {
                "acknowledgementCode": "Maybe",
                "acknowledgedQuantity": {"amount": 1, "unitOfMeasure": "Eaches"},
            }
        )
    assert info.value.errors()[0]["loc"] == ("acknowledgementCode",)
    assert "Accepted" in str(info.value)


def test_request_bodies_serialise_like_the_model():
    ack = rpo.OrderAcknowledgement(
        purchaseOrderNumber="2JK3S9VC",
        sellingParty=rpo.PartyIdentification(partyId="999US"),
        acknowledgementDate=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        items=[
            rpo.OrderAcknowledgementItem(
                orderedQuantity=rpo.ItemQuantity(amount=2, unitOfMeasure="Eaches"),
                netCost=rpo.Money(currencyCode="USD", amount=Decimal("9.90")),
                itemAcknowledgements=[
                    rpo.OrderItemAcknowledgement(
                        acknowledgementCode="Accepted",
                        acknowledgedQuantity=rpo.ItemQuantity(amount=2, unitOfMeasure="Eaches"),
                    )
                ],
            )
        ],
    )
    body = ack.to_amazon()
    assert body["acknowledgementDate"] == "2024-01-02T03:04:05Z"
    assert body["items"][0]["netCost"] == {"currencyCode": "USD", "amount": "9.90"}
    assert "itemSequenceNumber" not in body["items"][0]
