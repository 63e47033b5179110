"""Retail Procurement shipment confirmations (ASNs) built from fulfilments that pass the gate.

One ASN per NetSuite item fulfilment (shipmentIdentifier = the fulfilment's tranId), so each
batch of a PO gets its own cartons. Quantities are what was picked (the fulfilment lines), never
the ordered quantity; one carton per package with its SSCC, weight, dimensions and tracking
number; pallets (custpackage_pallet_sscc) list their cartons. Dates come from the fulfilment, so
the body of a given fulfilment is always the same bytes. The first confirmation is `Original`;
a later change to an accepted fulfilment is sent as `Replace` under the same identifier.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC
from decimal import Decimal
from typing import Any

import duckdb

from vendor_pipelines.fulfilment.gate import FULFILMENT_PROBLEMS, SHIPPED
from vendor_pipelines.fulfilment.submit import Document
from vendor_pipelines.orders.plans import ACK_CHANNELS

ASN_CHANNEL = "amazon.rp.shipmentConfirmation"
ASN_REPLACE_CHANNEL = "amazon.rp.shipmentConfirmation.replace"

# RP fulfilments ready to confirm: shipped, acknowledged on Amazon, nothing wrong with them.
READY = f"""
with shipped as ({SHIPPED})
select s.fulfilment_id, s.tranid, s.vendor_code, s.purchase_order_number, s.ship_to_party_id,
       s.created_at
from shipped s
join ops.submissions ack
    on ack.channel = '{ACK_CHANNELS["RP"]}' and ack.submission_key = s.purchase_order_number
   and ack.status = 'succeeded'
where s.program = 'RP'
  and s.fulfilment_id not in (select fulfilment_id from ({FULFILMENT_PROBLEMS}))
order by s.created_at, s.fulfilment_id
"""

LINES = """
select l.fulfilment_id, l.order_line, l.item_sequence_number, l.quantity,
       coalesce(pol.asin, l.asin) as asin, pol.vendor_sku, loc.amazon_party_id as ship_from
from raw.netsuite_item_fulfilment_lines l
join raw.netsuite_item_fulfilments f using (fulfilment_id)
join raw.amazon_purchase_order_lines pol
    on pol.purchase_order_number = f.purchase_order_number
   and pol.item_sequence_number = l.item_sequence_number
left join raw.netsuite_locations loc on loc.location_id = l.location_id
where l.fulfilment_id in (select unnest(?::varchar[])) and l.quantity > 0
order by l.fulfilment_id, l.line
"""

PACKAGES = """
select p.*, c.order_line, c.quantity as packed
from raw.netsuite_fulfilment_packages p
join fulfilment.package_contents c using (fulfilment_id, package_number)
where p.fulfilment_id in (select unnest(?::varchar[]))
order by p.fulfilment_id, p.package_number, c.order_line
"""


def records(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def fulfilment_details(
    conn: duckdb.DuckDBPyConnection, ids: list[str]
) -> tuple[dict[str, list[dict]], dict[str, list[dict]]]:
    """Lines and packed cartons per fulfilment, in two set-based reads."""
    lines: dict[str, list[dict]] = defaultdict(list)
    packages: dict[str, list[dict]] = defaultdict(list)
    for row in records(conn.execute(LINES, [ids])):
        lines[row["fulfilment_id"]].append(row)
    for row in records(conn.execute(PACKAGES, [ids])):
        packages[row["fulfilment_id"]].append(row)
    return lines, packages


def iso_time(value: Any) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def decimal_text(value: Any) -> str:
    return format(Decimal(str(value)).normalize(), "f")


def _eaches(amount: int) -> dict[str, Any]:
    return {"amount": int(amount), "unitOfMeasure": "Eaches"}


def asn_body(head: dict[str, Any], lines: list[dict], packages: list[dict]) -> dict[str, Any]:
    """A vendorShipments ShipmentConfirmation (type Original; `as_replace` flips it)."""
    po = head["purchase_order_number"]
    seq_by_line = {line["order_line"]: line["item_sequence_number"] for line in lines}
    cartons: dict[int, dict[str, Any]] = {}
    pallets: dict[str, list[str]] = defaultdict(list)
    total_weight = Decimal(0)
    for p in packages:
        number = p["package_number"]
        if number not in cartons:
            total_weight += Decimal(str(p["weight_lb"]))
            carton: dict[str, Any] = {
                "cartonIdentifiers": [
                    {
                        "containerIdentificationType": "SSCC",
                        "containerIdentificationNumber": p["sscc"],
                    }
                ],
                "cartonSequenceNumber": str(number),
                "weight": {"unitOfMeasure": "Lb", "value": decimal_text(p["weight_lb"])},
                "items": [],
            }
            if p["length_in"] is not None:
                carton["dimensions"] = {
                    "length": decimal_text(p["length_in"]),
                    "width": decimal_text(p["width_in"]),
                    "height": decimal_text(p["height_in"]),
                    "unitOfMeasure": "In",
                }
            if p["tracking_number"]:
                carton["trackingNumber"] = p["tracking_number"]
            cartons[number] = carton
            if p["pallet_sscc"]:
                pallets[p["pallet_sscc"]].append(str(number))
        cartons[number]["items"].append(
            {
                "itemReference": seq_by_line[p["order_line"]],
                "shippedQuantity": _eaches(p["packed"]),
                "itemDetails": {"purchaseOrderNumber": po},
            }
        )
    body: dict[str, Any] = {
        "shipmentIdentifier": head["tranid"],
        "shipmentConfirmationType": "Original",
        "shipmentType": "LessThanTruckLoad" if pallets else "SmallParcel",
        "shipmentStructure": "PalletizedAssortmentCase" if pallets else "LooseAssortmentCase",
        "shipmentConfirmationDate": iso_time(head["created_at"]),
        "shippedDate": iso_time(head["created_at"]),
        "sellingParty": {"partyId": head["vendor_code"]},
        "shipFromParty": {"partyId": lines[0]["ship_from"]},
        "shipToParty": {"partyId": head["ship_to_party_id"]},
        "shipmentMeasurements": {
            "grossShipmentWeight": {"unitOfMeasure": "Lb", "value": decimal_text(total_weight)},
            "cartonCount": len(cartons),
            "palletCount": len(pallets),
        },
        "shippedItems": [
            {
                "itemSequenceNumber": line["item_sequence_number"],
                "amazonProductIdentifier": line["asin"],
                "vendorProductIdentifier": line["vendor_sku"],
                "shippedQuantity": _eaches(line["quantity"]),
                "itemDetails": {"purchaseOrderNumber": po},
            }
            for line in lines
        ],
        "cartons": list(cartons.values()),
    }
    if pallets:
        body["pallets"] = [
            {
                "palletIdentifiers": [
                    {"containerIdentificationType": "SSCC", "containerIdentificationNumber": sscc}
                ],
                "cartonReferenceDetails": {
                    "cartonCount": len(numbers),
                    "cartonReferenceNumbers": numbers,
                },
            }
            for sscc, numbers in pallets.items()
        ]
    return body


def as_replace(body: dict[str, Any]) -> dict[str, Any]:
    return body | {"shipmentConfirmationType": "Replace"}


def ready_asns(conn: duckdb.DuckDBPyConnection) -> list[Document]:
    heads = records(conn.execute(READY))
    lines, packages = fulfilment_details(conn, [h["fulfilment_id"] for h in heads])
    return [
        Document(
            h["tranid"],
            asn_body(h, lines[h["fulfilment_id"]], packages[h["fulfilment_id"]]),
            h["vendor_code"],
            h["purchase_order_number"],
        )
        for h in heads
        if lines[h["fulfilment_id"]]
    ]
