"""One deployment, two SP-API regions: orders consolidated, every document sent where it belongs.

The sandbox serves NA and EU on separate hosts that each know only their own vendor codes (and
accept only their own region's access tokens), so a document routed to the wrong region would
be rejected or never polled. Expected regions come from the sandbox world, not the pipeline.
"""

from __future__ import annotations

from collections import Counter

import pytest

from vendor_pipelines.sandbox.amazon.state import RECEIVED_KINDS


def _vendor_regions(flow) -> dict[str, str]:
    return {v.vendor_code: v.region for v in flow.sandbox.world.vendors}


def _order_regions(flow) -> dict[str, str]:
    regions = _vendor_regions(flow)
    orders = {**flow.amazon.rp_orders(), **flow.amazon.df_orders()}
    return {po: regions[doc["vendor"]] for po, doc in orders.items()}


def _snapshot(flow) -> Counter:
    return Counter(
        (entry["kind"], entry["region"])
        for kind in RECEIVED_KINDS
        for entry in flow.amazon.received(kind)
    )


@pytest.fixture(scope="module")
def synced(regional_flow):
    for _ in range(4):  # orders, then warehouse waves until nothing is left to ship
        assert regional_flow.run().success
        if regional_flow.plan() and all(p["done"] for p in regional_flow.plan()):
            break
    assert regional_flow.run().success  # polls and invoices after the last ASNs
    return regional_flow


def test_each_region_is_served_by_its_own_host(regional_flow) -> None:
    sandbox = regional_flow.sandbox
    assert set(sandbox.amazon_urls) == {"NA", "EU"}
    assert len(set(sandbox.amazon_urls.values())) == 2
    assert set(_vendor_regions(regional_flow).values()) == {"NA", "EU"}


def test_orders_of_every_region_are_consolidated_with_their_region(synced) -> None:
    expected = _order_regions(synced)
    landed = dict(
        synced.query("select purchase_order_number, region from raw.amazon_purchase_orders")
    )
    assert landed == expected
    assert set(landed.values()) == {"NA", "EU"}
    cursors = {row[0] for row in synced.query("select source from ops.sync_cursors")}
    assert {"RP:NA:*", "RP:EU:*", "DF:NA:*", "DF:EU:*"} <= cursors


def test_every_document_reached_the_host_of_its_purchase_order(synced) -> None:
    order_regions = _order_regions(synced)
    vendor_regions = _vendor_regions(synced)
    received = [e for kind in RECEIVED_KINDS for e in synced.amazon.received(kind)]
    by_kind = Counter(e["kind"] for e in received)
    # The week went all the way through on both sides of the Atlantic.
    for kind in ("rp_acknowledgements", "rp_shipment_confirmations", "rp_invoices"):
        assert {e["region"] for e in received if e["kind"] == kind} == {"NA", "EU"}, kind
    assert by_kind["df_acknowledgements"] and by_kind["df_inventory_updates"]
    for entry in received:
        if entry["kind"] == "df_inventory_updates":
            vendor = entry["body"]["sellingParty"]["partyId"]
            assert entry["region"] == vendor_regions[vendor], entry["ref"]
            continue
        pos = [ref for ref in entry["refs"] if ref in order_regions]
        assert pos, entry["kind"]
        assert {order_regions[po] for po in pos} == {entry["region"]}, (entry["kind"], pos)


def test_eu_invoices_carry_vat_and_are_accepted(synced) -> None:
    vendor_regions = _vendor_regions(synced)
    invoices = {i["tranId"]: i for i in synced.netsuite_records("invoice")}
    outcomes = {t["transactionId"]: t["outcome"] for t in synced.amazon.transactions()}
    seen = Counter()
    for entry in synced.amazon.received("rp_invoices"):
        body = entry["body"]
        region = vendor_regions[body["remitToParty"]["partyId"]]
        seen[region] += 1
        taxes = body.get("taxDetails", [])
        if region == "EU":
            (vat,) = taxes
            assert vat["taxType"] == "VAT" and vat["taxRate"] == "19"
            assert float(vat["taxAmount"]["amount"]) == invoices[entry["ref"]]["taxTotal"] > 0
            assert float(body["invoiceTotal"]["amount"]) == invoices[entry["ref"]]["total"]
        else:
            assert not taxes
        assert outcomes[entry["transactionId"]] == "Success", entry["ref"]
    assert seen["EU"] and seen["NA"]


def test_every_transaction_was_polled_where_it_was_submitted(synced) -> None:
    rows = synced.query(
        """select region, status, count(*) from ops.submissions
           where channel like 'amazon.%' group by all"""
    )
    assert {region for region, _, _ in rows} == {"NA", "EU"}
    assert not [row for row in rows if row[1] in ("sent", "pending")]
    open_types = {row[0] for row in synced.query("select exception_type from ops.open_exceptions")}
    assert "transmission_error" not in open_types


def test_rerun_sends_nothing_to_either_region(synced) -> None:
    before = _snapshot(synced)
    assert synced.run().success
    assert _snapshot(synced) == before


def test_each_region_is_invoiced_in_its_currency(synced) -> None:
    vendors = {v.vendor_code: v for v in synced.sandbox.world.vendors}
    rows = synced.query("select vendor_code, currency from raw.netsuite_invoices group by all")
    assert rows and {vendor: vendors[vendor].currency for vendor, _ in rows} == dict(rows)
    assert {currency for _, currency in rows} == {"USD", "EUR"}
    for entry in synced.amazon.received("rp_invoices"):
        vendor = vendors[entry["body"]["remitToParty"]["partyId"]]
        assert entry["body"]["invoiceTotal"]["currencyCode"] == vendor.currency
