"""The client over real HTTP against the sandbox: paging, tokens, throttling, faults, flows."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

import pytest

from vendor_pipelines.amazon import (
    AmazonAuthError,
    AmazonNotFoundError,
    AmazonServerError,
    RateLimit,
    RetryPolicy,
    TransactionFailedError,
    TransactionTimeoutError,
)
from vendor_pipelines.amazon.models import orders as rpo
from vendor_sandbox.amazon import builders
from vendor_sandbox.embedded import SANDBOX_LWA_CLIENT_SECRET, SANDBOX_LWA_REFRESH_TOKEN
from vendor_sandbox.faults import FaultPlan
from vendor_sandbox.identity import sandbox_amazon_client
from vendor_sandbox.world import Scale, generate_world

WEEK_AGO = timedelta(days=7)


def _all_pos(sandbox) -> set[str]:
    return set(sandbox.state.rp_orders())


def test_pages_through_every_purchase_order(sandbox, client):
    orders = list(
        client.iter_purchase_orders(created_after=datetime.now(UTC) - timedelta(days=8), limit=3)
    )
    numbers = [o.purchaseOrderNumber for o in orders]
    assert len(numbers) == len(set(numbers))
    assert set(numbers) == _all_pos(sandbox)
    requests = sandbox.app.sandbox.requests_served["orders.getPurchaseOrders"]
    assert requests >= len(numbers) // 3  # many pages, each with nextToken
    assert all(o.orderDetails and o.orderDetails.items for o in orders)


def test_long_ranges_are_split_into_seven_day_windows(make_sandbox, make_client, world):
    sb = make_sandbox()
    client = make_client(sb)
    start = datetime.now(UTC) - timedelta(days=20)
    orders = list(client.iter_purchase_orders(created_after=start, limit=100))
    # Three windows (7 + 7 + 6 days), none rejected by the 7-day rule.
    assert sb.app.sandbox.requests_served["orders.getPurchaseOrders"] == 3
    assert {o.purchaseOrderNumber for o in orders} == _all_pos(sb)


def test_parallel_windows_yield_each_order_once(sandbox, client):
    orders = list(
        client.iter_purchase_orders(
            created_after=datetime.now(UTC) - timedelta(days=8),
            limit=5,
            window=timedelta(days=1),
            max_workers=4,
        )
    )
    numbers = [o.purchaseOrderNumber for o in orders]
    assert len(numbers) == len(set(numbers)) == len(_all_pos(sandbox))


def test_changed_since_high_water_mark(sandbox, client):
    po = next(iter(sandbox.state.rp_orders()))
    mark = datetime.now(UTC) - timedelta(seconds=1)
    order = client.get_purchase_order(po)
    sub = client.submit_acknowledgements([builders.acknowledge_all(order)])
    assert client.wait_for_transaction(sub, budget_seconds=10).status == "Success"
    changed = list(client.iter_purchase_orders(changed_after=mark))
    assert [o.purchaseOrderNumber for o in changed] == [po]
    assert changed[0].purchaseOrderState == rpo.PurchaseOrderState.Acknowledged


def test_token_refreshes_before_expiry(make_sandbox, make_client):
    sb = make_sandbox(token_lifetime=2)
    client = make_client(sb)
    deadline = time.monotonic() + 4.5
    calls = 0
    while time.monotonic() < deadline:
        client.get_purchase_orders(limit=1)
        calls += 1
        time.sleep(0.25)
    # 2 s tokens refreshed a tenth of their life early: several tokens, never a 403.
    assert client._lwa.refresh_count >= 3
    assert client.stats.responses.get(403, 0) == 0
    assert calls > 10


def test_revoked_token_is_refreshed_once_and_the_call_succeeds(sandbox, client):
    client.get_purchase_orders(limit=1)
    sandbox.state.revoke_tokens()
    client.get_purchase_orders(limit=1)
    assert client.stats.responses.get(403) == 1
    assert client.stats.token_refreshes == 1


def test_bad_credentials_raise_auth_error_without_secrets(sandbox, make_client, caplog):
    caplog.set_level(logging.DEBUG)
    client = make_client(sandbox, client_secret="wrong-secret-value")
    with pytest.raises(AmazonAuthError) as info:
        client.get_purchase_orders(limit=1)
    assert info.value.error == "invalid_client"
    assert info.value.status_code == 401
    client2 = make_client(sandbox, refresh_token="Atzr|stolen-or-stale")
    with pytest.raises(AmazonAuthError) as info2:
        client2.get_purchase_orders(limit=1)
    assert info2.value.error == "invalid_grant"
    text = " ".join(
        [
            str(info.value),
            repr(info.value),
            str(info2.value),
            repr(client),
            repr(client._lwa),
            caplog.text,
        ]
    )
    for secret in (
        "wrong-secret-value",
        "Atzr|stolen-or-stale",
        SANDBOX_LWA_CLIENT_SECRET,
        SANDBOX_LWA_REFRESH_TOKEN,
        "Atza|",
    ):
        assert secret not in text


def test_429_storm_is_absorbed_by_backoff(make_sandbox, make_client):
    # Amazon allows 2 rps here, but the client believes it has 50: a storm of 429s.
    sb = make_sandbox(rate_limits={"orders.getPurchaseOrders": (2, 2)})
    client = make_client(
        sb,
        rate_limits={"orders.getPurchaseOrders": RateLimit(50, 50)},
        adapt_rate_limits=False,
        retry=RetryPolicy(base_delay=0.1, max_delay=1.0, max_attempts=20, max_elapsed_seconds=60),
    )
    orders = list(
        client.iter_purchase_orders(created_after=datetime.now(UTC) - timedelta(days=8), limit=10)
    )
    assert {o.purchaseOrderNumber for o in orders} == _all_pos(sb)
    assert sb.app.sandbox.throttled.get("orders.getPurchaseOrders", 0) > 0
    assert client.stats.responses.get(429, 0) > 0


def test_client_adopts_rate_limit_header(sandbox, client):
    client.get_purchase_orders(limit=1)
    assert client.rate_limiter.bucket("orders.getPurchaseOrders").rate == 10.0


def test_server_errors_slow_and_dropped_calls_are_retried(make_sandbox, make_client):
    plan = FaultPlan(
        throttle_rate=0.1,
        server_error_rate=0.15,
        slow_rate=0.1,
        drop_rate=0.1,
        slow_seconds=1.5,
        seed=3,
    )
    sb = make_sandbox(faults=plan)
    client = make_client(
        sb,
        timeout=0.6,
        retry=RetryPolicy(base_delay=0.05, max_delay=0.5, max_attempts=12, max_elapsed_seconds=60),
    )
    orders = list(
        client.iter_purchase_orders(created_after=datetime.now(UTC) - timedelta(days=8), limit=4)
    )
    assert {o.purchaseOrderNumber for o in orders} == _all_pos(sb)
    injected = sb.app.faults.injected
    assert injected["server_error"] and injected["slow"] and injected["drop"]
    assert client.stats.transport_errors > 0
    assert client.stats.retries >= sum(injected.values()) - 1


def test_retries_are_bounded_and_errors_carry_amazon_details(make_sandbox, make_client):
    sb = make_sandbox(faults=FaultPlan(server_error_rate=1.0, seed=1))
    client = make_client(sb, retry=RetryPolicy(base_delay=0.01, max_delay=0.05, max_attempts=4))
    started = time.monotonic()
    with pytest.raises(AmazonServerError) as info:
        client.get_purchase_orders(limit=1)
    assert time.monotonic() - started < 5
    assert info.value.attempts == 4
    assert info.value.status_code in (500, 503)
    assert info.value.errors[0].code in ("InternalFailure", "ServiceUnavailable")
    assert info.value.operation == "orders.getPurchaseOrders"


def test_not_found_carries_request_id(sandbox, client):
    with pytest.raises(AmazonNotFoundError) as info:
        client.get_purchase_order("NOPE1234")
    assert info.value.request_id
    assert info.value.errors[0].code == "ResourceNotFound"


def _first_order(client, sandbox, predicate=lambda o: True) -> rpo.Order:
    for po in sorted(sandbox.state.rp_orders()):
        order = client.get_purchase_order(po)
        if predicate(order):
            return order
    raise AssertionError("no matching order")


def _all_lines_positive(order: rpo.Order) -> bool:
    return all((i.orderedQuantity.amount or 0) > 0 for i in order.orderDetails.items)


def test_retail_procurement_happy_path(sandbox, client, world):
    order = _first_order(client, sandbox, _all_lines_positive)
    po = order.purchaseOrderNumber
    ack = client.submit_acknowledgements([builders.acknowledge_all(order)])
    assert client.wait_for_transaction(ack, budget_seconds=10).status == "Success"
    assert client.get_purchase_order(po).purchaseOrderState == "Acknowledged"

    asn = builders.ship_all(order, world.warehouses[0].party_id)
    sub = client.submit_shipment_confirmations([asn])
    assert client.wait_for_transaction(sub, budget_seconds=10, raise_on_failure=True)
    assert client.get_purchase_order(po).purchaseOrderState == "Closed"

    invoice = client.submit_invoices([builders.invoice_all(order)])
    txn = client.wait_for_transaction(invoice, budget_seconds=10)
    assert txn.status == "Success", txn.error_list

    status = next(client.iter_purchase_orders_status(purchase_order_number=po))
    assert status.purchaseOrderStatus == "CLOSED"
    assert {i.acknowledgementStatus.confirmationStatus for i in status.itemStatus} == {"ACCEPTED"}
    assert {i.receivingStatus.receiveStatus for i in status.itemStatus} == {"RECEIVED"}

    accepted = client.get_purchase_orders_status(item_confirmation_status="ACCEPTED")
    assert [s.purchaseOrderNumber for s in accepted.ordersStatus] == [po]
    closed = client.get_purchase_orders_status(purchase_order_status="CLOSED")
    assert [s.purchaseOrderNumber for s in closed.ordersStatus] == [po]

    shipments = list(client.iter_shipment_details(vendorShipmentIdentifier=asn.shipmentIdentifier))
    assert shipments and shipments[0].purchaseOrders[0].purchaseOrderNumber == po

    state = sandbox.state
    assert state.received_count("rp_acknowledgements", po) == 1
    assert state.received_count("rp_shipment_confirmations", po) == 1
    assert state.received_count("rp_invoices", po) == 1


def test_identical_resubmission_is_idempotent(sandbox, client, world):
    order = _first_order(client, sandbox, _all_lines_positive)
    client.wait_for_transaction(client.submit_acknowledgements([builders.acknowledge_all(order)]))
    asn = builders.ship_all(order, world.warehouses[0].party_id)
    first = client.wait_for_transaction(client.submit_shipment_confirmations([asn]))
    again = client.wait_for_transaction(client.submit_shipment_confirmations([asn]))
    assert first.status == again.status == "Success"
    entries = sandbox.state.received("rp_shipment_confirmations", order.purchaseOrderNumber)
    assert len(entries) == 2 and entries[1]["duplicateOf"] == first.transactionId
    line = next(iter(sandbox.state.rp_orders()[order.purchaseOrderNumber]["lines"].values()))
    assert line["shipped"] == line["ordered"]  # not shipped twice


def _failure_codes(client, submission) -> list[str]:
    txn = client.wait_for_transaction(submission, budget_seconds=10)
    assert txn.status == "Failure"
    return [e.code for e in txn.error_list]


def test_transaction_failure_surfaces_amazon_errors(sandbox, client):
    order = _first_order(client, sandbox, _all_lines_positive)
    ack = builders.acknowledge_all(order)
    ack.purchaseOrderNumber = "ZZZZ9999"
    sub = client.submit_acknowledgements([ack])
    with pytest.raises(TransactionFailedError) as info:
        client.wait_for_transaction(sub, budget_seconds=10, raise_on_failure=True)
    assert info.value.errors[0].code == "INVALID_ORDER_ID"
    assert "ZZZZ9999" in str(info.value)


def test_acknowledged_quantity_over_ordered_fails(sandbox, client):
    order = _first_order(client, sandbox, _all_lines_positive)
    ack = builders.acknowledge_all(order)
    ack.items[0].itemAcknowledgements[0].acknowledgedQuantity.amount += 5
    assert _failure_codes(client, client.submit_acknowledgements([ack])) == ["INVALID_QUANTITY"]
    assert client.get_purchase_order(order.purchaseOrderNumber).purchaseOrderState == "New"


def test_asn_rules(sandbox, client, world):
    order = _first_order(client, sandbox, _all_lines_positive)
    wh = world.warehouses[0].party_id
    # Not acknowledged yet.
    codes = _failure_codes(
        client, client.submit_shipment_confirmations([builders.ship_all(order, wh)])
    )
    assert "ORDER_NOT_ACKNOWLEDGED" in codes
    client.wait_for_transaction(client.submit_acknowledgements([builders.acknowledge_all(order)]))
    # Carton without SSCC.
    asn = builders.ship_all(order, wh, shipment_id="ASN-NOSSCC")
    asn.cartons[0].cartonIdentifiers = []
    assert "MISSING_SSCC" in _failure_codes(client, client.submit_shipment_confirmations([asn]))
    # SSCC with a wrong check digit.
    asn = builders.ship_all(order, wh, shipment_id="ASN-BADSSCC")
    good = asn.cartons[0].cartonIdentifiers[0].containerIdentificationNumber
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    asn.cartons[0].cartonIdentifiers[0].containerIdentificationNumber = bad
    assert "INVALID_SSCC" in _failure_codes(client, client.submit_shipment_confirmations([asn]))
    # More than ordered.
    asn = builders.ship_all(order, wh, shipment_id="ASN-OVER")
    asn.shippedItems[0].shippedQuantity.amount += 3
    asn.cartons[0].items[0].shippedQuantity.amount += 3
    assert "INVALID_QUANTITY" in _failure_codes(client, client.submit_shipment_confirmations([asn]))
    # Unknown PO.
    asn = builders.ship_all(order, wh, shipment_id="ASN-UNKNOWN")
    asn.shippedItems[0].itemDetails.purchaseOrderNumber = "NOTAPO00"
    assert "INVALID_ORDER_ID" in _failure_codes(client, client.submit_shipment_confirmations([asn]))
    assert sandbox.state.rp_orders()[order.purchaseOrderNumber]["lines"]["1"]["shipped"] == 0


def test_invoice_totals_must_add_up(sandbox, client, world):
    order = _first_order(client, sandbox, _all_lines_positive)
    client.wait_for_transaction(client.submit_acknowledgements([builders.acknowledge_all(order)]))
    client.wait_for_transaction(
        client.submit_shipment_confirmations(
            [builders.ship_all(order, world.warehouses[0].party_id)]
        )
    )
    invoice = builders.invoice_all(order)
    invoice.invoiceTotal.amount += 10
    txn = client.wait_for_transaction(client.submit_invoices([invoice]))
    assert txn.status == "Failure"
    assert txn.error_list[0].code == "INVALID_INVOICE_TOTAL"
    assert "invoiceTotal" in (txn.error_list[0].details or "")


def test_transaction_stays_processing_until_resolved(make_sandbox, make_client):
    sb = make_sandbox(resolution_delay=1.0)
    client = make_client(sb)
    order = _first_order(client, sb, _all_lines_positive)
    sub = client.submit_acknowledgements([builders.acknowledge_all(order)])
    assert client.get_transaction(sub.transaction_id).status == "Processing"
    with pytest.raises(TransactionTimeoutError):
        client.wait_for_transaction(sub, budget_seconds=0.3, poll_interval=0.1)
    assert client.wait_for_transaction(sub, budget_seconds=5, poll_interval=0.2).status == (
        "Success"
    )


def _df_order(client, sandbox, status="NEW"):
    for po, doc in sorted(sandbox.state.df_orders().items()):
        if doc["order"]["orderDetails"]["orderStatus"] == status:
            return client.get_df_order(po)
    raise AssertionError("no DF order")


def test_direct_fulfillment_flow(sandbox, client, world):
    order = _df_order(client, sandbox)
    po = order.purchaseOrderNumber
    sub = client.submit_df_acknowledgements([builders.df_acknowledge(order)])
    assert client.wait_for_transaction(sub).status == "Success"
    assert client.get_df_order(po).orderDetails.orderStatus == "ACCEPTED"
    label = client.create_df_shipping_labels(
        po,
        {
            "sellingParty": {"partyId": order.orderDetails.sellingParty.partyId},
            "shipFromParty": {"partyId": order.orderDetails.shipFromParty.partyId},
        },
    )
    assert label.labelData[0].content
    assert client.get_df_shipping_label(po).purchaseOrderNumber == po
    labels = list(
        client.iter_df_shipping_labels(created_after=datetime.now(UTC) - timedelta(minutes=5))
    )
    assert [x.purchaseOrderNumber for x in labels] == [po]
    sub = client.submit_df_shipment_confirmations([builders.df_confirm_shipment(order)])
    assert client.wait_for_transaction(sub).status == "Success"
    assert client.get_df_order(po).orderDetails.orderStatus == "SHIPPED"
    update = {
        "purchaseOrderNumber": po,
        "sellingParty": {"partyId": order.orderDetails.sellingParty.partyId},
        "shipFromParty": {"partyId": order.orderDetails.shipFromParty.partyId},
        "statusUpdateDetails": {
            "trackingNumber": f"1Z{po}",
            "statusCode": "D1",
            "reasonCode": "NS",
            "statusDateTime": datetime.now(UTC),
            "statusLocationAddress": {
                "name": "Hub",
                "addressLine1": "1 Main St",
                "countryCode": "US",
            },
        },
    }
    sub = client.submit_df_shipment_status_updates([update])
    assert client.wait_for_transaction(sub).status == "Success"
    sub = client.submit_df_invoices([builders.df_invoice(order)])
    assert client.wait_for_transaction(sub).status == "Success"
    assert sandbox.state.received_count("df_invoices", po) == 1


def test_df_partial_confirmation_and_missing_packages_fail(sandbox, client):
    order = _df_order(client, sandbox)
    client.wait_for_transaction(client.submit_df_acknowledgements([builders.df_acknowledge(order)]))
    codes = _failure_codes(
        client,
        client.submit_df_shipment_confirmations(
            [builders.df_confirm_shipment(order, drop_last_line=True)]
        ),
    )
    assert "PARTIAL_SHIPMENT_NOT_ALLOWED" in codes
    codes = _failure_codes(
        client,
        client.submit_df_shipment_confirmations(
            [builders.df_confirm_shipment(order, with_packages=False)]
        ),
    )
    assert codes == ["EMPTY_PACKAGES"]
    assert client.get_df_order(order.purchaseOrderNumber).orderDetails.orderStatus == "ACCEPTED"


def test_df_transaction_failure_uses_2021_error_list(sandbox, client):
    order = _df_order(client, sandbox)
    ack = builders.df_acknowledge(order)
    ack.itemAcknowledgements[0].acknowledgedQuantity.amount = 0
    sub = client.submit_df_acknowledgements([ack])
    txn = client.wait_for_transaction(sub)
    assert txn.status == "Failure"
    assert txn.error_list[0].code == "PARTIAL_ACKNOWLEDGEMENT"
    raw = client.request(
        "dfTransactions.getTransactionStatus", path_params={"transactionId": sub.transaction_id}
    )
    assert isinstance(raw["transactionStatus"]["errors"], dict)  # ErrorList object


def test_df_inventory_updates(sandbox, client, world):
    warehouse = world.mapped_warehouses[0].party_id
    vendor = world.vendors[0].vendor_code
    good = {
        "sellingParty": {"partyId": vendor},
        "isFullUpdate": True,
        "items": [
            {
                "buyerProductIdentifier": item.asin,
                "availableQuantity": {"amount": 5, "unitOfMeasure": "Each"},
            }
            for item in world.items[:5]
        ],
    }
    assert (
        client.wait_for_transaction(client.submit_df_inventory_update(warehouse, good)).status
        == "Success"
    )
    bad = {
        **good,
        "items": good["items"]
        + [
            {
                "buyerProductIdentifier": world.unknown_asins[0],
                "availableQuantity": {"amount": 1, "unitOfMeasure": "Each"},
            }
        ],
    }
    assert _failure_codes(client, client.submit_df_inventory_update(warehouse, bad)) == [
        "INVALID_ITEM"
    ]
    assert sandbox.state.received_count("df_inventory_updates", warehouse) == 2


def _sales_and_ppm(client):
    from vendor_pipelines.amazon.models import reports as rep

    end = datetime.now(UTC).date() - timedelta(days=3)
    start = end - timedelta(days=6)
    window = {
        "data_start_time": datetime.combine(start, datetime.min.time(), UTC),
        "data_end_time": datetime.combine(end, datetime.min.time(), UTC),
        "poll_interval": 0.1,
    }
    sales = client.fetch_report(
        rep.VENDOR_SALES_REPORT,
        ["ATVPDKIKX0DER"],
        report_options={
            "reportPeriod": "DAY",
            "distributorView": "MANUFACTURING",
            "sellingProgram": "RETAIL",
        },
        **window,
    )
    ppm = client.fetch_report(
        rep.VENDOR_NET_PPM_REPORT,
        ["ATVPDKIKX0DER"],
        report_options={"reportPeriod": "DAY"},
        **window,
    )
    return sales, ppm


def test_reports_sales_and_net_ppm(sandbox, client, world):
    from vendor_pipelines.amazon.models import reports as rep

    sales, ppm = _sales_and_ppm(client)
    assert isinstance(sales, rep.VendorSalesReport)
    assert len(sales.salesAggregate) == 7
    assert {r.asin for r in sales.salesByAsin} == {i.asin for i in world.items}
    item = world.items[0]
    row = next(r for r in sales.salesByAsin if r.asin == item.asin)
    assert row.shippedCogs.amount == (item.amazon_net_cost * row.shippedUnits).quantize(
        row.shippedCogs.amount
    )
    assert isinstance(ppm, rep.VendorNetPureProductMarginReport)


def test_report_documents_match_amazons_report_schemas(sandbox, client, specs):
    """The raw documents validate against Amazon's report schemas (model files only)."""
    import json

    from vendor_sandbox.amazon.spec_validation import report_document_errors

    _sales_and_ppm(client)
    for report_id in ("50001", "50002"):
        report = client.get_report(report_id)
        raw = client.download_report_document(client.get_report_document(report.reportDocumentId))
        assert report_document_errors(report.reportType, json.loads(raw)) == []


def test_report_with_missing_options_ends_fatal(sandbox, client):
    from vendor_pipelines.amazon import ReportFailedError

    day = datetime.now(UTC) - timedelta(days=5)
    with pytest.raises(ReportFailedError) as info:
        client.fetch_report(
            "GET_VENDOR_SALES_REPORT",
            ["ATVPDKIKX0DER"],
            data_start_time=day,
            data_end_time=day,
            report_options={"reportPeriod": "DAY"},
            poll_interval=0.1,
        )
    assert info.value.status == "FATAL"
    assert "distributorView" in (info.value.details or "")


def test_generated_world_variant_large_pages(make_sandbox, make_client):
    scale = Scale(
        vendor_codes=1,
        items=30,
        warehouses=2,
        purchase_orders_per_day=40,
        lines_per_order=2,
        df_orders_per_day=1,
        days=2,
    )
    sb = make_sandbox(the_world=generate_world(11, scale))
    client = make_client(sb)
    orders = list(client.iter_purchase_orders(created_after=datetime.now(UTC) - WEEK_AGO, limit=7))
    assert len(orders) == 80


DF_SANDBOX_SPEC = "vendorDirectFulfillmentSandboxData_2021-10-28.json"
DF_SANDBOX = "/vendor/directFulfillment/sandbox/2021-10-28"


def _df_sandbox_orders(sandbox, raw_http, world):
    """Create two DF test orders through the sandbox test-data API: (responses, new order ids)."""
    party = {
        "sellingParty": {"partyId": world.vendors[0].vendor_code},
        "shipFromParty": {"partyId": world.mapped_warehouses[0].party_id},
    }
    with raw_http(sandbox) as http:
        created = http.post(f"{DF_SANDBOX}/orders", json={"orders": [party, party]})
        assert created.status_code == 202
        tid = created.json()["transactionId"]
        status = http.get(f"{DF_SANDBOX}/transactions/{tid}")
    scenario = status.json()["transactionStatus"]["testCaseData"]["scenarios"][0]
    return (created, status), [o["orderId"] for o in scenario["orders"]]


def test_df_sandbox_test_data_api_creates_orders(sandbox, client, raw_http, world):
    _, new = _df_sandbox_orders(sandbox, raw_http, world)
    assert len(new) == 2
    order = client.get_df_order(new[0])
    assert order.orderDetails.orderStatus == "NEW"
    assert order.orderDetails.shipFromParty.partyId == world.mapped_warehouses[0].party_id


def test_df_sandbox_test_data_api_matches_its_model(sandbox, raw_http, world, specs):
    """The SDK has no model of the test-data API: only Amazon's model file can judge it."""
    from vendor_sandbox.amazon.spec_validation import response_errors

    (created, status), _ = _df_sandbox_orders(sandbox, raw_http, world)
    assert (
        response_errors(DF_SANDBOX_SPEC, "POST", f"{DF_SANDBOX}/orders", 202, created.json()) == []
    )
    template = f"{DF_SANDBOX}/transactions/{{transactionId}}"
    assert response_errors(DF_SANDBOX_SPEC, "GET", template, 200, status.json()) == []


def test_client_runs_in_process_against_the_asgi_app(world):
    """No server: the same client over Starlette's in-process transport."""
    import warnings

    from vendor_sandbox.amazon import create_app
    from vendor_sandbox.store import SandboxStore

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

        app = create_app(world, SandboxStore(None))
        transport = TestClient(app, base_url="http://amazon.local")._transport
    with sandbox_amazon_client(
        "http://amazon.local",
        transport=transport,
    ) as client:
        orders = list(
            client.iter_purchase_orders(
                created_after=datetime.now(UTC) - timedelta(days=8), limit=20
            )
        )
    assert {o.purchaseOrderNumber for o in orders} == set(app.state.rp_orders())
