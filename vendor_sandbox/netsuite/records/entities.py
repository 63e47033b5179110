"""Master data: customers, locations and inventory items (with stock by location)."""

from __future__ import annotations

from typing import Any

from vendor_sandbox.netsuite.errors import user_error
from vendor_sandbox.netsuite.records.base import Books, Record, RecordType
from vendor_sandbox.netsuite.records.fields import (
    RECORD_BODY,
    RecordFields,
    Sublist,
    address,
    custom,
    enum,
    flag,
    numeric,
    select,
    text,
)

CUSTOMER_FIELDS = RecordFields(
    body=(
        *RECORD_BODY,
        text("entityId", "Customer ID"),
        text("companyName", "Company Name"),
        flag("isPerson", "Individual"),
        text("firstName", "First Name"),
        text("lastName", "Last Name"),
        text("email", "Email"),
        text("phone", "Phone"),
        select("currency", "Currency", "currency"),
        select("subsidiary", "Primary Subsidiary", "subsidiary"),
        select("terms", "Terms", "term"),
        select("category", "Category", "customerCategory"),
        numeric("creditLimit", "Credit Limit"),
        flag("isInactive", "Inactive"),
        *custom(text("custentity_amazon_vendor_code", "Amazon Vendor Code")),
    ),
    subrecords=(address("defaultAddress", "Default Address"),),
)

LOCATION_FIELDS = RecordFields(
    body=(
        *RECORD_BODY,
        text("name", "Name"),
        select("subsidiary", "Subsidiary", "subsidiary"),
        select("parent", "Sub-Location Of", "location"),
        flag("makeInventoryAvailable", "Make Inventory Available"),
        flag("isInactive", "Inactive"),
        # The Amazon ship-from party id (warehouse code) this location ships as.
        *custom(text("custrecord_amazon_party_id", "Amazon Party ID")),
    ),
    subrecords=(address("mainAddress", "Address"),),
)

ITEM_TYPES = {"InvtPart": "Inventory Item"}

INVENTORY_ITEM_FIELDS = RecordFields(
    body=(
        *RECORD_BODY,
        text("itemId", "Item Name/Number"),
        text("displayName", "Display Name/Code"),
        text("description", "Description"),
        text("upcCode", "UPC Code"),
        enum("itemType", "Item Type", tuple(ITEM_TYPES), read_only=True),
        select("subsidiary", "Subsidiary", "subsidiary"),
        numeric("cost", "Purchase Price"),
        # The sandbox's stand-in for the base price level of the item's price sublist.
        numeric("basePrice", "Base Price"),
        numeric("weight", "Item Weight"),
        enum("weightUnit", "Weight Unit", ("lb", "oz", "kg", "g")),
        flag("isInactive", "Inactive"),
        *custom(text("custitem_amazon_asin", "Amazon ASIN")),
    ),
    sublists=(
        Sublist(
            "locations",
            "Locations",
            key="location",
            computed=True,
            fields=(
                select("location", "Location", "location", read_only=True),
                numeric("quantityOnHand", "On Hand", read_only=True),
                numeric("quantityAvailable", "Available", read_only=True),
                numeric("quantityCommitted", "Committed", read_only=True),
                numeric("quantityBackOrdered", "Back Ordered", read_only=True),
                numeric("quantityOnOrder", "On Order", read_only=True),
            ),
        ),
    ),
)


class Customer(RecordType):
    name = "customer"
    title = "Customer"
    counter_start = 3000
    fields = CUSTOMER_FIELDS

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
    title = "Location"
    counter_start = 900
    fields = LOCATION_FIELDS

    def build(self, books: Books, body: dict[str, Any], record_id: str) -> Record:
        if not body.get("name"):
            raise user_error("Please enter value(s) for: Name", "name")
        record = super().build(books, body, record_id)
        record.setdefault("isInactive", False)
        record["refName"] = record["name"]
        return record


class InventoryItem(RecordType):
    name = "inventoryItem"
    title = "Inventory Item"
    counter_start = 90000
    fields = INVENTORY_ITEM_FIELDS

    def build(self, books: Books, body: dict[str, Any], record_id: str) -> Record:
        if not body.get("itemId"):
            raise user_error("Please enter value(s) for: Item Name/Number", "itemId")
        record = super().build(books, body, record_id)
        record.setdefault("isInactive", False)
        record["itemType"] = {"id": "InvtPart", "refName": ITEM_TYPES["InvtPart"]}
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
