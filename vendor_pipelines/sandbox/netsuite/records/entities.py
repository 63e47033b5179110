"""Master data: customers, locations and inventory items (with stock by location)."""

from __future__ import annotations

from typing import Any

from vendor_pipelines.sandbox.netsuite.errors import user_error
from vendor_pipelines.sandbox.netsuite.records.base import Books, Record, RecordType


class Customer(RecordType):
    name = "customer"
    counter_start = 3000

    def build(self, books: Books, body: dict[str, Any], record_id: str) -> Record:
        if not (body.get("companyName") or body.get("entityId") or body.get("lastName")):
            raise user_error("Please enter value(s) for: Company Name", "companyName")
        record = super().build(books, body, record_id)
        record.setdefault("entityId", record.get("companyName") or record_id)
        record.setdefault("isInactive", False)
        record["refName"] = record["entityId"]
        return record


class Location(RecordType):
    name = "location"
    counter_start = 900

    def build(self, books: Books, body: dict[str, Any], record_id: str) -> Record:
        if not body.get("name"):
            raise user_error("Please enter value(s) for: Name", "name")
        record = super().build(books, body, record_id)
        record.setdefault("isInactive", False)
        record["refName"] = record["name"]
        return record


class InventoryItem(RecordType):
    name = "inventoryItem"
    counter_start = 90000

    def build(self, books: Books, body: dict[str, Any], record_id: str) -> Record:
        if not body.get("itemId"):
            raise user_error("Please enter value(s) for: Item Name/Number", "itemId")
        record = super().build(books, body, record_id)
        record.setdefault("isInactive", False)
        record.setdefault("itemType", {"id": "InvtPart", "refName": "Inventory Item"})
        record["refName"] = record["itemId"]
        return record

    def computed_sublists(self, books: Books, record: Record) -> dict[str, list[Record]]:
        levels = inventory_levels(books)
        lines = [
            {
                "location": {"id": level["location"]},
                "quantityOnHand": level["quantityonhand"],
                "quantityAvailable": level["quantityavailable"],
                "quantityCommitted": level["quantitycommitted"],
                "quantityBackOrdered": level["quantitybackordered"],
                "quantityOnOrder": 0,
            }
            for level in levels
            if level["item"] == str(record["id"])
        ]
        return {"locations": lines}


def inventory_levels(books: Books) -> list[dict[str, Any]]:
    """Stock per (item, location), with open sales-order demand committed against it.

    Committed = open, unfulfilled sales-order quantity at the location, up to what is on hand;
    the rest of that demand is backordered.
    """
    demand: dict[tuple[str, str], float] = {}
    for order in books.all("salesOrder"):
        if order.get("orderStatus", {}).get("id") != "B":
            continue
        for line in order.get("item", {}).get("items", []):
            location = (line.get("location") or order.get("location") or {}).get("id")
            if line.get("isClosed") or not location:
                continue
            remaining = float(line["quantity"]) - float(line.get("quantityFulfilled", 0))
            if remaining > 0:
                key = (str(line["item"]["id"]), str(location))
                demand[key] = demand.get(key, 0.0) + remaining
    levels = []
    for entry in books.all_stock():
        on_hand = float(entry["quantityOnHand"])
        wanted = demand.get((str(entry["item"]), str(entry["location"])), 0.0)
        committed = min(on_hand, wanted)
        levels.append(
            {
                "item": str(entry["item"]),
                "location": str(entry["location"]),
                "quantityonhand": on_hand,
                "quantitycommitted": committed,
                "quantityavailable": on_hand - committed,
                "quantitybackordered": max(0.0, wanted - on_hand),
            }
        )
    return levels
