"""Direct Fulfillment: ship confirmations for complete orders only, then status updates.

DF orders ship complete or not at all: a PO whose fulfilments do not cover every ordered unit is
held (`df_partial_held`) and nothing is sent. A complete order gets one shipment confirmation
(key = PO) with every package as a container, then one status update per PO once Amazon has
accepted the confirmation (the carrier picked it up: X12 status AF, reason NS).
"""

from __future__ import annotations

from typing import Any

import duckdb

from vendor_pipelines.amazon.regions import AmazonRegions
from vendor_pipelines.fulfilment.asn import decimal_text, fulfilment_details, iso_time, records
from vendor_pipelines.fulfilment.gate import FULFILMENT_PROBLEMS, detections_sql
from vendor_pipelines.fulfilment.submit import (
    Document,
    ledger_state,
    needs_sending,
    rejections_sql,
    send_and_poll,
    union_all,
)
from vendor_pipelines.orders.plans import ACK_CHANNELS
from vendor_pipelines.submissions.amazon_transactions import SubmissionReport

DF_CONFIRM_CHANNEL = "amazon.df.shipmentConfirmation"
DF_STATUS_CHANNEL = "amazon.df.shipmentStatus"

# Per DF PO with shipped fulfilments: shipped vs ordered per line, and whether it is complete.
DF_ORDERS = f"""
with df as (
    select f.* from raw.netsuite_item_fulfilments f
    where f.program = 'DF' and f.ship_status = 'C'
),
shipped as (
    select df.purchase_order_number, l.item_sequence_number, sum(l.quantity) as shipped
    from df join raw.netsuite_item_fulfilment_lines l using (fulfilment_id) group by all
),
lines as (
    select pol.purchase_order_number, pol.item_sequence_number, pol.ordered_quantity,
           coalesce(s.shipped, 0) as shipped
    from raw.amazon_purchase_order_lines pol
    left join shipped s using (purchase_order_number, item_sequence_number)
    where pol.purchase_order_number in (select purchase_order_number from df)
      and pol.ordered_quantity > 0
)
select l.purchase_order_number, po.vendor_code, po.ship_from_party_id,
       bool_and(l.shipped = l.ordered_quantity) as complete,
       string_agg('item ' || l.item_sequence_number || ': shipped ' || l.shipped || ' of '
                  || l.ordered_quantity, '; ' order by l.item_sequence_number)
           filter (where l.shipped <> l.ordered_quantity) as shortfall,
       list(distinct df.fulfilment_id) as fulfilment_ids,
       max(df.created_at) as shipped_at,
       bool_or(df.fulfilment_id in (select fulfilment_id from ({FULFILMENT_PROBLEMS}))) as held
from lines l
join raw.amazon_purchase_orders po using (purchase_order_number)
join df using (purchase_order_number)
group by all
"""

PARTIALS = f"""
select 'df_partial_held' as exception_type, purchase_order_number as entity_key, vendor_code,
       purchase_order_number, null as asin, null as sku, purchase_order_number as reference,
       'DF order ' || purchase_order_number || ' only partly fulfilled, confirmation held: '
       || shortfall as detail
from ({DF_ORDERS}) where not complete
"""


def df_confirmation(head: dict[str, Any], lines: list[dict], packages: list[dict]) -> dict:
    """A DF 2021-12-28 ShipmentConfirmation: items shipped and one container per package."""
    seq_by_line = {(ln["fulfilment_id"], ln["order_line"]): ln for ln in lines}
    shipped: dict[str, dict[str, Any]] = {}
    for line in lines:
        entry = shipped.setdefault(line["item_sequence_number"], {"line": line, "quantity": 0})
        entry["quantity"] += int(line["quantity"])
    containers: dict[tuple[str, int], dict[str, Any]] = {}
    for p in packages:
        key = (p["fulfilment_id"], p["package_number"])
        line = seq_by_line[(p["fulfilment_id"], p["order_line"])]
        if key not in containers:
            container: dict[str, Any] = {
                "containerType": "Carton",
                "containerIdentifier": p["sscc"],
                "containerSequenceNumber": len(containers) + 1,
                "weight": {"unitOfMeasure": "LB", "value": decimal_text(p["weight_lb"])},
                "packedItems": [],
            }
            if p["tracking_number"]:
                container["trackingNumber"] = p["tracking_number"]
            if p["length_in"] is not None:
                container["dimensions"] = {
                    "length": decimal_text(p["length_in"]),
                    "width": decimal_text(p["width_in"]),
                    "height": decimal_text(p["height_in"]),
                    "unitOfMeasure": "IN",
                }
            containers[key] = container
        containers[key]["packedItems"].append(
            {
                "itemSequenceNumber": int(line["item_sequence_number"]),
                "buyerProductIdentifier": line["asin"],
                "packedQuantity": {"amount": int(p["packed"]), "unitOfMeasure": "Each"},
            }
        )
    return {
        "purchaseOrderNumber": head["purchase_order_number"],
        "shipmentDetails": {
            "shippedDate": iso_time(head["shipped_at"]),
            "shipmentStatus": "SHIPPED",
        },
        "sellingParty": {"partyId": head["vendor_code"]},
        "shipFromParty": {"partyId": head["ship_from_party_id"]},
        "items": [
            {
                "itemSequenceNumber": int(seq),
                "buyerProductIdentifier": entry["line"]["asin"],
                "vendorProductIdentifier": entry["line"]["vendor_sku"],
                "shippedQuantity": {"amount": entry["quantity"], "unitOfMeasure": "Each"},
            }
            for seq, entry in sorted(shipped.items(), key=lambda kv: int(kv[0]))
        ],
        "containers": list(containers.values()),
    }


def status_update(confirmation: dict[str, Any]) -> dict[str, Any]:
    """The carrier picked the order up (AF/NS) at the ship-from warehouse."""
    containers = confirmation["containers"]
    warehouse = confirmation["shipFromParty"]["partyId"]
    return {
        "purchaseOrderNumber": confirmation["purchaseOrderNumber"],
        "sellingParty": confirmation["sellingParty"],
        "shipFromParty": confirmation["shipFromParty"],
        "statusUpdateDetails": {
            "trackingNumber": containers[0].get("trackingNumber")
            or containers[0]["containerIdentifier"],
            "statusCode": "AF",
            "reasonCode": "NS",
            "statusDateTime": confirmation["shipmentDetails"]["shippedDate"],
            "statusLocationAddress": {
                "name": f"Warehouse {warehouse}",
                "addressLine1": warehouse,
                "countryCode": "US",
            },
        },
    }


def ready_df_confirmations(conn: duckdb.DuckDBPyConnection) -> list[Document]:
    heads = records(
        conn.execute(
            f"""select o.* from ({DF_ORDERS}) o
                join ops.submissions ack on ack.channel = '{ACK_CHANNELS["DF"]}'
                 and ack.submission_key = o.purchase_order_number and ack.status = 'succeeded'
                where o.complete and not o.held order by o.purchase_order_number"""
        )
    )
    ids = sorted({fid for h in heads for fid in h["fulfilment_ids"]})
    lines, packages = fulfilment_details(conn, ids)
    docs = []
    for head in heads:
        po_lines = [ln for fid in sorted(head["fulfilment_ids"]) for ln in lines[fid]]
        po_packages = [p for fid in sorted(head["fulfilment_ids"]) for p in packages[fid]]
        body = df_confirmation(head, po_lines, po_packages)
        docs.append(
            Document(
                head["purchase_order_number"],
                body,
                head["vendor_code"],
                body["purchaseOrderNumber"],
            )
        )
    return docs


def confirm_df_shipments(
    conn: duckdb.DuckDBPyConnection, amazon: AmazonRegions, budget_seconds: float = 60.0
) -> SubmissionReport:
    report = SubmissionReport()
    docs = ready_df_confirmations(conn)
    state = ledger_state(conn, DF_CONFIRM_CHANNEL)
    send_and_poll(
        conn,
        DF_CONFIRM_CHANNEL,
        [d for d in docs if needs_sending(state.get(d.key), d.payload_hash, resend_changed=False)],
        amazon,
        lambda client, bodies: client.submit_df_shipment_confirmations(bodies),
        report,
        "df",
        budget_seconds,
    )
    confirmed = ledger_state(conn, DF_CONFIRM_CHANNEL)
    status_state = ledger_state(conn, DF_STATUS_CHANNEL)
    updates = [
        Document(d.key, status_update(d.body), d.vendor_code, d.purchase_order_number)
        for d in docs
        if confirmed.get(d.key, ("",))[0] == "succeeded"
    ]
    send_and_poll(
        conn,
        DF_STATUS_CHANNEL,
        [
            u
            for u in updates
            if needs_sending(status_state.get(u.key), u.payload_hash, resend_changed=False)
        ],
        amazon,
        lambda client, bodies: client.submit_df_shipment_status_updates(bodies),
        report,
        "df",
        budget_seconds,
    )
    return report


def df_detections_sql() -> str:
    return union_all(
        [
            detections_sql("DF"),
            PARTIALS,
            rejections_sql((DF_CONFIRM_CHANNEL, DF_STATUS_CHANNEL), "asn_rejected", "DF shipment"),
        ]
    )
