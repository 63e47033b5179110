"""SuiteQL tables (records-catalog names, lower-case columns) built from the sandbox's records.

Values are native here (ids int, quantities float, booleans 'T'/'F'); the engine turns them into
strings on the way out, as NetSuite does. Custom fields (cust*) appear when a record has them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vendor_pipelines.sandbox.netsuite.records import Books, inventory_levels, transaction_types
from vendor_pipelines.sandbox.netsuite.records.base import ref_id

Row = dict[str, Any]


def _int(value: Any) -> int | None:
    found = ref_id(value)
    return int(found) if found is not None and str(found).lstrip("-").isdigit() else None


def _flag(value: Any) -> str:
    return "T" if value else "F"


def _custom(record: dict[str, Any], prefix: str) -> Row:
    out: Row = {}
    for key, value in record.items():
        if key.lower().startswith(prefix):
            out[key.lower()] = ref_id(value) if isinstance(value, dict) else value
    return out


def item_rows(books: Books) -> list[Row]:
    return [
        {
            "id": int(item["id"]),
            "itemid": item["itemId"],
            "displayname": item.get("displayName"),
            "itemtype": ref_id(item.get("itemType")),
            "upccode": item.get("upcCode"),
            "baseprice": item.get("basePrice"),
            "cost": item.get("cost"),
            "isinactive": _flag(item.get("isInactive")),
            "externalid": item.get("externalId"),
        }
        | _custom(item, "custitem")
        for item in books.all("inventoryItem")
    ]


def inventory_rows(books: Books) -> list[Row]:
    return [
        {
            "item": int(level["item"]),
            "location": int(level["location"]),
            "quantityonhand": level["quantityonhand"],
            "quantityavailable": level["quantityavailable"],
            "quantitycommitted": level["quantitycommitted"],
            "quantitybackordered": level["quantitybackordered"],
            "quantityonorder": 0,
            "quantityintransit": 0,
        }
        for level in inventory_levels(books)
    ]


def location_rows(books: Books) -> list[Row]:
    return [
        {
            "id": int(location["id"]),
            "name": location["name"],
            "isinactive": _flag(location.get("isInactive")),
            "externalid": location.get("externalId"),
        }
        | _custom(location, "custrecord")
        for location in books.all("location")
    ]


def customer_rows(books: Books) -> list[Row]:
    return [
        {
            "id": int(customer["id"]),
            "entityid": customer.get("entityId"),
            "companyname": customer.get("companyName"),
            "externalid": customer.get("externalId"),
            "isinactive": _flag(customer.get("isInactive")),
        }
        | _custom(customer, "custentity")
        for customer in books.all("customer")
    ]


# The account's currencies (Lists > Accounting > Currencies); id 1 is the base currency.
CURRENCIES = ((1, "USD", "US Dollar"), (2, "EUR", "Euro"), (3, "GBP", "British pound"))


def currency_id(symbol: str) -> int:
    return next(cid for cid, code, _ in CURRENCIES if code == symbol)


def currency_rows(books: Books) -> list[Row]:
    return [
        {"id": cid, "symbol": code, "name": name, "isbasecurrency": _flag(cid == 1)}
        for cid, code, name in CURRENCIES
    ]


def transaction_rows(books: Books) -> list[Row]:
    rows = []
    # A transaction is in its customer's currency unless it says otherwise.
    customer_currency = {str(c["id"]): _int(c.get("currency")) or 1 for c in books.all("customer")}
    for record_type in transaction_types():
        for record in books.all(record_type.name):
            remaining = record.get("amountRemaining")
            entity = _int(record.get("entity") or record.get("customer"))
            rows.append(
                {
                    "id": int(record["id"]),
                    "tranid": record.get("tranId"),
                    "type": record_type.transaction_code,
                    "externalid": record.get("externalId"),
                    "entity": entity,
                    "currency": _int(record.get("currency"))
                    or customer_currency.get(str(entity), 1),
                    # Item fulfilments have shipStatus (A/B/C) where other transactions have status.
                    "status": ref_id(record.get("status") or record.get("shipStatus")),
                    "trandate": record.get("tranDate"),
                    "foreigntotal": record.get("total"),
                    "taxtotal": record.get("taxTotal"),
                    "shippingcost": record.get("shippingCost"),
                    "discounttotal": record.get("discountTotal"),
                    "otherrefnum": record.get("otherRefNum"),
                    "memo": record.get("memo"),
                    "createdfrom": _int(record.get("createdFrom")),
                    "foreignamountremaining": remaining,
                    "foreignamountunpaid": remaining,
                    "createddate": record.get("createdDate"),
                    "lastmodifieddate": record.get("lastModifiedDate"),
                }
                | _custom(record, "custbody")
            )
    rows.sort(key=lambda row: row["id"])
    return rows


def transaction_line_rows(books: Books) -> list[Row]:
    rows = []
    for record_type in transaction_types():
        sublist = "line" if record_type.name == "journalEntry" else "item"
        for record in books.all(record_type.name):
            for sequence, line in enumerate(record.get(sublist, {}).get("items", []), start=1):
                location = line.get("location") or record.get("location")
                rows.append(
                    {
                        "transaction": int(record["id"]),
                        "id": int(line.get("line", sequence)),
                        "line": int(line.get("line", sequence)),
                        "linesequencenumber": sequence,
                        "mainline": "F",
                        "item": _int(line.get("item")),
                        "quantity": line.get("quantity"),
                        "rate": line.get("rate"),
                        "amount": line.get("amount"),
                        "netamount": line.get("amount"),
                        "location": _int(location),
                        "isclosed": _flag(line.get("isClosed")),
                        "quantityshiprecv": line.get("quantityFulfilled"),
                        "quantitybilled": line.get("quantityBilled"),
                        "orderline": line.get("orderLine"),
                        "account": _int(line.get("account")),
                        "debit": line.get("debit"),
                        "credit": line.get("credit"),
                        "memo": line.get("memo"),
                        "entity": _int(line.get("entity") or record.get("entity")),
                    }
                    | _custom(line, "custcol")
                )
    rows.sort(key=lambda row: (row["transaction"], row["linesequencenumber"]))
    return rows


@dataclass(frozen=True)
class Table:
    name: str
    columns: frozenset[str]
    rows: Callable[[Books], list[Row]]
    custom_prefix: str  # custom fields of this table are allowed even if no record has one


_ITEM = (
    "id itemid displayname itemtype upccode baseprice cost isinactive externalid "
    "custitem_amazon_asin"
)
_INVENTORY = (
    "item location quantityonhand quantityavailable quantitycommitted "
    "quantitybackordered quantityonorder quantityintransit"
)
_CURRENCY = "id symbol name isbasecurrency"
_LOCATION = "id name isinactive externalid custrecord_amazon_party_id"
_CUSTOMER = "id entityid companyname externalid isinactive custentity_amazon_vendor_code"
_TRANSACTION = (
    "id tranid type externalid entity status trandate foreigntotal otherrefnum memo "
    "taxtotal shippingcost discounttotal currency "
    "createdfrom foreignamountremaining foreignamountunpaid createddate "
    "lastmodifieddate"
)
_LINE = (
    "transaction id line linesequencenumber mainline item quantity rate amount netamount "
    "location isclosed quantityshiprecv quantitybilled orderline account debit credit memo "
    "entity"
)

TABLES: dict[str, Table] = {
    table.name: table
    for table in (
        Table("item", frozenset(_ITEM.split()), item_rows, "custitem"),
        Table("inventoryitemlocations", frozenset(_INVENTORY.split()), inventory_rows, "\0"),
        Table("aggregateitemlocation", frozenset(_INVENTORY.split()), inventory_rows, "\0"),
        Table("location", frozenset(_LOCATION.split()), location_rows, "custrecord"),
        Table("currency", frozenset(_CURRENCY.split()), currency_rows, "\0"),
        Table("customer", frozenset(_CUSTOMER.split()), customer_rows, "custentity"),
        Table("transaction", frozenset(_TRANSACTION.split()), transaction_rows, "custbody"),
        Table("transactionline", frozenset(_LINE.split()), transaction_line_rows, "custcol"),
    )
}
