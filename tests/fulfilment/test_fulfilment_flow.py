"""A seeded week through pick/pack, ASN, invoice, transaction status and DF inventory, over HTTP.

Expected outcomes come from the warehouse simulation's own record of what it seeded
(`warehouse_plan`): each defect must become exactly its exception, and nothing defective may
reach Amazon. The flow runs until the warehouse has nothing left to ship, then once more to show
that a re-run changes nothing on either side.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from vendor_pipelines.amazon.sscc import is_valid_sscc, sscc_check_digit
from vendor_pipelines.connections import netsuite_client
from vendor_pipelines.settings import load_settings
from vendor_sandbox.amazon.state import RECEIVED_KINDS

pytestmark = pytest.mark.slow

MY_TYPES = (
    "asn_validation_failed",
    "asn_quantity_mismatch",
    "asn_rejected",
    "df_partial_held",
    "invoice_rejected",
    "invoice_mismatch",
    "inventory_update_rejected",
)


def _defects(flow, kind: str) -> list[tuple[dict, dict]]:
    return [(p, d) for p in flow.plan() for d in p["defects"] if d["kind"] == kind]


def _open(flow, exception_type: str) -> set[str]:
    rows = flow.query(
        "select entity_key from ops.open_exceptions where exception_type = ?", [exception_type]
    )
    return {row[0] for row in rows}


def _snapshot(flow) -> dict:
    amazon = {kind: flow.amazon.received_count(kind) for kind in RECEIVED_KINDS}
    netsuite = {
        kind: len(flow.netsuite_records(kind))
        for kind in ("salesOrder", "itemFulfillment", "invoice")
    }
    return amazon | netsuite


@pytest.fixture(scope="module")
def shipped(flow):
    for _ in range(4):  # orders, then warehouse waves until nothing is left to ship
        assert flow.run().success
        if all(p["done"] for p in flow.plan()) and flow.plan():
            break
    assert flow.run().success  # one more pass: polls and invoices after the last ASNs
    return flow


def test_every_seeded_defect_is_exactly_its_exception(shipped) -> None:
    plan = shipped.plan()
    assert {p["scenario"] for p in plan} >= {"bad_sscc", "missing_weight", "two_batches"}
    first = {p["salesOrder"]: p["fulfilments"][0]["tranId"] for p in plan if p["fulfilments"]}
    expected_held = {
        f"{first[p['salesOrder']]}|INVALID_SSCC" for p, _ in _defects(shipped, "bad_sscc")
    } | {f"{first[p['salesOrder']]}|MISSING_WEIGHT" for p, _ in _defects(shipped, "missing_weight")}
    assert expected_held
    assert _open(shipped, "asn_validation_failed") == expected_held
    partial = {p["purchaseOrderNumber"] for p, _ in _defects(shipped, "df_partial")}
    assert partial
    assert _open(shipped, "df_partial_held") == partial
    mispriced = {f"{d['invoice']}|PRICE" for _, d in _defects(shipped, "invoice_price_off")}
    assert mispriced
    discounted_df = {f"{d['invoice']}|DF_ALLOWANCE" for _, d in _defects(shipped, "df_discount")}
    assert discounted_df
    assert _open(shipped, "invoice_mismatch") == mispriced | discounted_df
    for quiet in ("asn_rejected", "asn_quantity_mismatch", "invoice_rejected",
                  "inventory_update_rejected"):  # fmt: skip
        assert _open(shipped, quiet) == set(), quiet


def test_nothing_defective_reaches_amazon(shipped) -> None:
    plan = shipped.plan()
    held = {
        d["sscc"] for kind in ("bad_sscc", "missing_weight") for _, d in _defects(shipped, kind)
    }
    for entry in shipped.amazon.received("rp_shipment_confirmations"):
        for carton in entry["body"]["cartons"]:
            sscc = carton["cartonIdentifiers"][0]["containerIdentificationNumber"]
            assert sscc not in held
            assert is_valid_sscc(sscc) and carton["weight"]["value"]
    partial = {p["purchaseOrderNumber"] for p, _ in _defects(shipped, "df_partial")}
    df_refs = {e["ref"] for e in shipped.amazon.received("df_shipment_confirmations")}
    assert df_refs and not df_refs & partial
    df_invoiced = {r for e in shipped.amazon.received("df_invoices") for r in e["refs"]}
    assert not df_invoiced & partial
    discounted = {p["purchaseOrderNumber"] for p, _ in _defects(shipped, "df_discount")}
    assert not df_invoiced & discounted
    mispriced = {d["invoice"] for _, d in _defects(shipped, "invoice_price_off")}
    held_so = {p["salesOrder"] for kind in ("bad_sscc", "missing_weight")
               for p, _ in _defects(shipped, kind)}  # fmt: skip
    held_invoices = {p["invoices"][0]["tranId"] for p in plan if p["salesOrder"] in held_so}
    rp_invoiced = {e["ref"] for e in shipped.amazon.received("rp_invoices")}
    assert rp_invoiced and not rp_invoiced & (mispriced | held_invoices)


def test_asns_carry_picked_quantities_one_per_batch_exactly_once(shipped) -> None:
    received = shipped.amazon.received("rp_shipment_confirmations")
    originals = Counter(e["ref"] for e in received if e["duplicateOf"] is None)
    assert originals and set(originals.values()) == {1}, originals
    by_id = {e["ref"]: e["body"] for e in received}
    fulfilments = {f["tranId"]: f for f in shipped.netsuite_records("itemFulfillment")}
    for shipment_id, body in by_id.items():
        picked = {
            line["custcol_amazon_item_sequence"]: int(line["quantity"])
            for line in fulfilments[shipment_id]["item"]["items"]
        }
        sent = {
            i["itemSequenceNumber"]: i["shippedQuantity"]["amount"] for i in body["shippedItems"]
        }
        assert sent == picked, shipment_id
        assert len(body["cartons"]) == len(fulfilments[shipment_id]["package"]["items"])
    for plan in shipped.plan():
        if plan["scenario"] == "two_batches" and plan["batches"] == 2:
            ids = [f["tranId"] for f in plan["fulfilments"]]
            assert all(i in by_id for i in ids)  # each batch its own ASN and cartons
    short = _defects(shipped, "short_pick")
    assert short
    for plan, defect in short:
        body = by_id[plan["fulfilments"][0]["tranId"]]
        order = next(o for o in shipped.netsuite_records("salesOrder")
                     if str(o["id"]) == plan["salesOrder"])  # fmt: skip
        line = next(x for x in order["item"]["items"] if int(x["line"]) == defect["orderLine"])
        item = next(i for i in body["shippedItems"]
                    if i["itemSequenceNumber"] == line["custcol_amazon_item_sequence"])  # fmt: skip
        # The ASN carries what the warehouse picked, short of what was ordered.
        assert item["shippedQuantity"]["amount"] == defect["picked"]
        assert defect["picked"] < int(line["quantity"])


def test_every_submission_reached_a_final_state(shipped) -> None:
    rows = shipped.query(
        """select channel, status, count(*) from ops.submissions
           where channel like 'amazon.%' and channel not like '%acknowledgement'
           group by all"""
    )
    statuses = {(channel, status) for channel, status, _ in rows}
    assert {status for _, status in statuses} == {"succeeded"}, rows
    channels = {channel for channel, _ in statuses}
    assert {"amazon.rp.shipmentConfirmation", "amazon.rp.invoice", "amazon.df.invoice",
            "amazon.df.shipmentConfirmation", "amazon.df.shipmentStatus",
            "amazon.df.inventory"} <= channels  # fmt: skip
    inventory = shipped.amazon.received("df_inventory_updates")
    assert inventory and inventory[0]["body"]["isFullUpdate"] is True
    invoices = shipped.query("select count(*) from raw.netsuite_invoices")[0][0]
    assert invoices == len(shipped.netsuite_records("invoice"))


def test_freight_and_discounts_reach_amazon_as_charges_and_allowances(shipped) -> None:
    invoices = {i["tranId"]: i for i in shipped.netsuite_records("invoice")}
    outcomes = {t["transactionId"]: t["outcome"] for t in shipped.amazon.transactions()}
    sent = {
        e["ref"]: (e["body"], outcomes[e["transactionId"]])
        for kind in ("rp_invoices", "df_invoices")
        for e in shipped.amazon.received(kind)
    }
    freight = [d["invoice"] for _, d in _defects(shipped, "freight_charge")]
    discount = [d["invoice"] for _, d in _defects(shipped, "invoice_discount")]
    assert freight and discount
    for tranid in freight:
        body, outcome = sent[tranid]
        (charge,) = body["chargeDetails"]
        assert charge["type"] in ("Freight", "FREIGHTOUT") and outcome == "Success"
        assert float(charge["chargeAmount"]["amount"]) == invoices[tranid]["shippingCost"]
        assert float(body["invoiceTotal"]["amount"]) == invoices[tranid]["total"]
    for tranid in discount:
        body, outcome = sent[tranid]
        (allowance,) = body["allowanceDetails"]
        assert allowance["type"] == "Discount" and outcome == "Success"
        assert -float(allowance["allowanceAmount"]["amount"]) == invoices[tranid]["discountTotal"]
        assert float(body["invoiceTotal"]["amount"]) == invoices[tranid]["total"]


def test_rerun_changes_nothing_on_either_side(shipped) -> None:
    before = _snapshot(shipped)
    assert shipped.run().success
    assert _snapshot(shipped) == before


def test_fixed_sscc_is_confirmed_then_invoiced_and_the_exception_resolves(shipped) -> None:
    plan, defect = _defects(shipped, "bad_sscc")[0]
    fulfilment_id = plan["fulfilments"][0]["id"]
    tranid = plan["fulfilments"][0]["tranId"]
    with netsuite_client(None, load_settings()) as client:  # the embedded sandbox, HTTP
        packages = client.get_sublist("itemFulfillment", fulfilment_id, "package")
        for package in packages:
            package.pop("links", None)
            if package["packageCartonNumber"] == defect["sscc"]:
                body = package["packageCartonNumber"][:17]
                package["packageCartonNumber"] = body + str(sscc_check_digit(body))
        client.patch("itemFulfillment", fulfilment_id, {"package": {"items": packages}},
                     replace=["package"])  # fmt: skip
    assert shipped.run().success
    assert f"{tranid}|INVALID_SSCC" not in _open(shipped, "asn_validation_failed")
    assert shipped.amazon.received_count("rp_shipment_confirmations", tranid) == 1
    assert shipped.amazon.received_count("rp_invoices", plan["invoices"][0]["tranId"]) == 1


def _fix_lines(lines: list[dict]) -> list[dict]:
    for line in lines:
        line.pop("links", None)
    return lines


def test_rejected_invoice_carries_amazons_reason_and_is_resubmitted_once_fixed(shipped) -> None:
    plan, defect = _defects(shipped, "invoice_price_off")[0]
    tranid, invoice_id = defect["invoice"], plan["invoices"][0]["id"]
    po = plan["purchaseOrderNumber"]
    issued = shipped.amazon.rp_orders()[po]["order"]["orderDetails"]["purchaseOrderDate"]
    backdated = (date.fromisoformat(issued[:10]) - timedelta(days=2)).isoformat()
    with netsuite_client(None, load_settings()) as client:
        order_lines = {
            int(line["line"]): line
            for line in client.get_sublist("salesOrder", plan["salesOrder"], "item")
        }
        lines = _fix_lines(client.get_sublist("invoice", invoice_id, "item"))
        for line in lines:  # the clerk corrects the rate, and backdates the invoice by mistake
            line["rate"] = order_lines[int(line["orderLine"])]["rate"]
        client.patch("invoice", invoice_id, {"tranDate": backdated, "item": {"items": lines}},
                     replace=["item"])  # fmt: skip
    assert shipped.run().success
    assert f"{tranid}|PRICE" not in _open(shipped, "invoice_mismatch")
    rejected = shipped.query(
        """select detail from ops.open_exceptions
           where exception_type = 'invoice_rejected' and reference = ?""",
        [tranid],
    )
    # Amazon's own words and the field it objects to, for the clerk who has to fix it.
    assert len(rejected) == 1
    assert "INVALID_INVOICE_DATE" in rejected[0][0] and f"invoice {tranid} date" in rejected[0][0]
    assert shipped.amazon.received_count("rp_invoices", tranid) == 1
    assert shipped.run().success  # an unchanged rejected invoice is not sent again
    assert shipped.amazon.received_count("rp_invoices", tranid) == 1

    with netsuite_client(None, load_settings()) as client:
        client.patch("invoice", invoice_id, {"tranDate": issued[:10]})
    assert shipped.run().success
    entries = shipped.amazon.received("rp_invoices", tranid)
    assert len(entries) == 2 and entries[-1]["body"]["date"].startswith(issued[:10])
    outcomes = {t["transactionId"]: t["outcome"] for t in shipped.amazon.transactions()}
    assert [outcomes[e["transactionId"]] for e in entries] == ["Failure", "Success"]
    assert tranid not in {
        row[0]
        for row in shipped.query(
            "select reference from ops.open_exceptions where exception_type = 'invoice_rejected'"
        )
    }


def test_a_corrected_fulfilment_is_confirmed_again_as_a_replace(shipped) -> None:
    plan = next(
        p
        for p in shipped.plan()
        if p["program"] == "RP" and p["scenario"] == "clean" and len(p["fulfilments"]) == 1
    )
    fulfilment = plan["fulfilments"][0]
    assert shipped.amazon.received_count("rp_shipment_confirmations", fulfilment["tranId"]) == 1
    with netsuite_client(None, load_settings()) as client:  # the carton was re-weighed
        packages = _fix_lines(client.get_sublist("itemFulfillment", fulfilment["id"], "package"))
        packages[0]["packageWeight"] = float(packages[0]["packageWeight"]) + 1.5
        client.patch("itemFulfillment", fulfilment["id"], {"package": {"items": packages}},
                     replace=["package"])  # fmt: skip
    for _ in range(2):  # the second run proves the Replace goes once
        assert shipped.run().success
    entries = shipped.amazon.received("rp_shipment_confirmations", fulfilment["tranId"])
    assert [e["body"]["shipmentConfirmationType"] for e in entries] == ["Original", "Replace"]
    weights = [float(c["weight"]["value"]) for c in entries[-1]["body"]["cartons"]]
    assert float(packages[0]["packageWeight"]) in weights
    status = shipped.query(
        """select status from ops.submissions
           where channel = 'amazon.rp.shipmentConfirmation.replace' and submission_key = ?""",
        [fulfilment["tranId"]],
    )
    assert status == [("succeeded",)]


def _open_detail(flow, exception_type: str, entity_key: str) -> str | None:
    rows = flow.query(
        """select detail from ops.open_exceptions where exception_type = ? and entity_key = ?""",
        [exception_type, entity_key],
    )
    return rows[0][0] if rows else None


def test_a_rejected_replace_stays_an_exception_until_the_fulfilment_is_put_back(shipped) -> None:
    plan, defect = _defects(shipped, "short_pick")[0]
    fulfilment = plan["fulfilments"][0]
    tranid = fulfilment["tranId"]

    def set_picked(quantity: int) -> None:
        """Change the line and the carton that holds it, as a warehouse correction would."""
        with netsuite_client(None, load_settings()) as client:
            lines = _fix_lines(client.get_sublist("itemFulfillment", fulfilment["id"], "item"))
            packages = _fix_lines(
                client.get_sublist("itemFulfillment", fulfilment["id"], "package")
            )
            line = next(x for x in lines if int(x["orderLine"]) == defect["orderLine"])
            delta, line["quantity"] = quantity - int(float(line["quantity"])), quantity
            for package in packages:
                contents = dict(
                    part.split(":") for part in package["custpackage_contents"].split(",")
                )
                if str(defect["orderLine"]) in contents:
                    contents[str(defect["orderLine"])] = str(
                        int(contents[str(defect["orderLine"])]) + delta
                    )
                    package["custpackage_contents"] = ",".join(
                        f"{k}:{v}" for k, v in contents.items()
                    )
                    break
            client.patch(
                "itemFulfillment",
                fulfilment["id"],
                {"item": {"items": lines}, "package": {"items": packages}},
                replace=["item", "package"],
            )

    # Someone keys the missing unit into the shipped fulfilment: Amazon only lets a Replace
    # lower quantities, so it refuses, and keeps the Original.
    set_picked(defect["picked"] + 1)
    assert shipped.run().success
    entries = shipped.amazon.received("rp_shipment_confirmations", tranid)
    assert [e["body"]["shipmentConfirmationType"] for e in entries] == ["Original", "Replace"]
    outcomes = {t["transactionId"]: t["outcome"] for t in shipped.amazon.transactions()}
    assert outcomes[entries[-1]["transactionId"]] == "Failure"
    rejected = _open_detail(
        shipped, "asn_rejected", f"amazon.rp.shipmentConfirmation.replace|{tranid}"
    )
    assert rejected and "INVALID_REPLACE" in rejected and "only lower" in rejected
    drift = shipped.query(
        "select detail from ops.open_exceptions where exception_type = 'asn_quantity_mismatch'"
        " and reference = ?",
        [tranid],
    )
    # Amazon holds the Original: the manifest check compares with it, not the refused Replace.
    assert len(drift) == 1 and f"confirmed {defect['picked']} " in drift[0][0]

    set_picked(defect["picked"])  # put back: nothing left to replace
    assert shipped.run().success
    assert (
        _open_detail(shipped, "asn_rejected", f"amazon.rp.shipmentConfirmation.replace|{tranid}")
        is None
    )
    assert not shipped.query("select 1 from ops.open_exceptions where reference = ?", [tranid])
    assert shipped.query(
        """select status from ops.submissions
           where channel = 'amazon.rp.shipmentConfirmation.replace' and submission_key = ?""",
        [tranid],
    ) == [("withdrawn",)]
    assert shipped.amazon.received_count("rp_shipment_confirmations", tranid) == 2


def test_invoices_land_with_the_due_date_of_their_customers_terms(shipped) -> None:
    rows = shipped.query(
        "select invoice_id, customer_id, trandate, due_date from raw.netsuite_invoices"
        " order by invoice_id"
    )
    assert rows
    with netsuite_client(None, load_settings()) as client:
        days = {}
        for customer_id in {row[1] for row in rows}:
            term = client.get("term", client.get("customer", customer_id)["terms"]["id"])
            assert term["dateDriven"] is False  # a standard term: the date plus its days
            days[customer_id] = term["daysUntilNetDue"]
    for invoice_id, customer_id, trandate, due_date in rows:
        assert due_date == trandate + timedelta(days=days[customer_id]), invoice_id

    # A due date keyed on the invoice (agreed with Amazon) is what lands.
    invoice_id, _, trandate, _ = rows[0]
    agreed = trandate + timedelta(days=45)
    with netsuite_client(None, load_settings()) as client:
        client.patch("invoice", invoice_id, {"dueDate": agreed.isoformat()})
    assert shipped.run().success
    landed = shipped.query(
        "select due_date from raw.netsuite_invoices where invoice_id = ?", [invoice_id]
    )
    assert landed == [(agreed,)]
