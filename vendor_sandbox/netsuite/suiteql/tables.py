"""SuiteQL tables (records-catalog names, lower-case columns) built from the sandbox's records.

Values are native here (ids int, quantities float, booleans 'T'/'F'); the engine turns them into
strings on the way out, as NetSuite does. Custom fields (cust*) appear when a record has them.

Each table also says how `BUILTIN.DF(column)` reads for its select columns (`Table.display`):
the referenced record's name (customer, item, location, currency, term), a transaction as "Sales
Order #SO1", a status as "Sales Order : Pending Fulfillment". A column with no rule shows its
value as it is (display text of a plain field is the field itself); a reference to a record the
sandbox does not keep (a GL account) is refused rather than shown as a made-up name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from vendor_sandbox.netsuite.records import (
    RECORD_TYPES,
    Books,
    inventory_levels,
    transaction_types,
)
from vendor_sandbox.netsuite.records.base import ref_id
from vendor_sandbox.netsuite.records.entities import ITEM_TYPES

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


# NetSuite's weight-unit list as SuiteQL gives it (the list id); BUILTIN.DF shows the name.
WEIGHT_UNIT_IDS = {"lb": "1", "oz": "2", "kg": "3", "g": "4"}
WEIGHT_UNIT_NAMES = {number: name for name, number in WEIGHT_UNIT_IDS.items()}


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
            "weight": item.get("weight"),
            "weightunit": WEIGHT_UNIT_IDS.get(str(ref_id(item.get("weightUnit")) or "")),
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
            "terms": _int(customer.get("terms")),
        }
        | _custom(customer, "custentity")
        for customer in books.all("customer")
    ]


def term_rows(books: Books) -> list[Row]:
    return [
        {
            "id": int(term["id"]),
            "name": term.get("name"),
            "datedriven": _flag(term.get("dateDriven")),
            "daysuntilnetdue": term.get("daysUntilNetDue"),
            "discountpercent": term.get("discountPercent"),
            "daysuntilexpiry": term.get("daysUntilExpiry"),
            "dayofmonthnetdue": term.get("dayOfMonthNetDue"),
            "duenextmonthifwithindays": term.get("dueNextMonthIfWithinDays"),
            "discountpercentdatedriven": term.get("discountPercentDateDriven"),
            "daydiscountexpires": term.get("dayDiscountExpires"),
            "preferred": _flag(term.get("preferred")),
            "isinactive": _flag(term.get("isInactive")),
            "externalid": term.get("externalId"),
        }
        for term in books.all("term")
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
                    "duedate": record.get("dueDate"),
                    "terms": _int(record.get("terms")),
                    "foreigntotal": record.get("total"),
                    "taxtotal": record.get("taxTotal"),
                    "taxrate": record.get("taxRate"),
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


class DisplayNames:
    """Display texts of the records a query refers to, read once per query."""

    def __init__(self, books: Books) -> None:
        self.books = books

    @cached_property
    def customers(self) -> dict[str, str]:
        return {
            str(c["id"]): str(c.get("entityId") or c.get("companyName") or c["id"])
            for c in self.books.all("customer")
        }

    @cached_property
    def items(self) -> dict[str, str]:
        return {str(i["id"]): str(i["itemId"]) for i in self.books.all("inventoryItem")}

    @cached_property
    def locations(self) -> dict[str, str]:
        return {str(loc["id"]): str(loc["name"]) for loc in self.books.all("location")}

    @cached_property
    def terms(self) -> dict[str, str]:
        return {str(t["id"]): str(t.get("name") or t["id"]) for t in self.books.all("term")}

    @cached_property
    def currencies(self) -> dict[str, str]:
        return {str(cid): name for cid, _, name in CURRENCIES}

    @cached_property
    def transactions(self) -> dict[str, tuple[str, str | None, str | None]]:
        """id -> (type title, tranid, status name)."""
        out = {}
        for record_type in transaction_types():
            for record in self.books.all(record_type.name):
                status = record.get("status") or record.get("shipStatus")
                name = status.get("refName") if isinstance(status, dict) else None
                out[str(record["id"])] = (record_type.title, record.get("tranId"), name)
        return out

    def transaction(self, value: Any) -> str | None:
        found = self.transactions.get(str(value))
        if found is None:
            return None
        title, tranid, _ = found
        return f"{title} #{tranid}" if tranid else title


DisplayRule = Callable[[DisplayNames, Row, Any], str | None]


def _named(source: str) -> DisplayRule:
    """A select column shown as the name of the record it refers to."""
    return lambda names, row, value: getattr(names, source).get(str(value))


def _status(names: DisplayNames, row: Row, value: Any) -> str | None:
    found = names.transactions.get(str(row.get("id")))
    if found is None or found[2] is None:
        return None
    return f"{found[0]} : {found[2]}"


_TYPE_TITLES = {t.transaction_code: t.title for t in RECORD_TYPES.values() if t.transaction_code}


def _type_title(names: DisplayNames, row: Row, value: Any) -> str | None:
    return _TYPE_TITLES.get(str(value))


def _transaction(names: DisplayNames, row: Row, value: Any) -> str | None:
    return names.transaction(value)


def _item_type(names: DisplayNames, row: Row, value: Any) -> str | None:
    return ITEM_TYPES.get(str(value))


def _weight_unit(names: DisplayNames, row: Row, value: Any) -> str | None:
    return WEIGHT_UNIT_NAMES.get(str(value))


@dataclass(frozen=True)
class Table:
    name: str
    columns: frozenset[str]
    rows: Callable[[Books], list[Row]]
    custom_prefix: str  # custom fields of this table are allowed even if no record has one
    display: Mapping[str, DisplayRule] = field(default_factory=dict)  # BUILTIN.DF by column
    # Select columns whose records the sandbox does not keep: BUILTIN.DF is refused on them.
    unnamed: frozenset[str] = frozenset()


_ITEM = (
    "id itemid displayname itemtype upccode baseprice cost isinactive externalid "
    "weight weightunit custitem_amazon_asin"
)
_INVENTORY = (
    "item location quantityonhand quantityavailable quantitycommitted "
    "quantitybackordered quantityonorder quantityintransit"
)
_CURRENCY = "id symbol name isbasecurrency"
_LOCATION = "id name isinactive externalid custrecord_amazon_party_id"
_CUSTOMER = "id entityid companyname externalid isinactive terms custentity_amazon_vendor_code"
_TERM = (
    "id name datedriven daysuntilnetdue discountpercent daysuntilexpiry dayofmonthnetdue "
    "duenextmonthifwithindays discountpercentdatedriven daydiscountexpires preferred isinactive "
    "externalid"
)
_TRANSACTION = (
    "id tranid type externalid entity status trandate duedate terms foreigntotal otherrefnum memo "
    "taxtotal taxrate shippingcost discounttotal currency "
    "createdfrom foreignamountremaining foreignamountunpaid createddate "
    "lastmodifieddate"
)
_LINE = (
    "transaction id line linesequencenumber mainline item quantity rate amount netamount "
    "location isclosed quantityshiprecv quantitybilled orderline account debit credit memo "
    "entity"
)

_STOCK_NAMES: dict[str, DisplayRule] = {"item": _named("items"), "location": _named("locations")}

TABLES: dict[str, Table] = {
    table.name: table
    for table in (
        Table(
            "item",
            frozenset(_ITEM.split()),
            item_rows,
            "custitem",
            display={"itemtype": _item_type, "weightunit": _weight_unit},
        ),
        Table(
            "inventoryitemlocations",
            frozenset(_INVENTORY.split()),
            inventory_rows,
            "\0",
            display=_STOCK_NAMES,
        ),
        Table(
            "aggregateitemlocation",
            frozenset(_INVENTORY.split()),
            inventory_rows,
            "\0",
            display=_STOCK_NAMES,
        ),
        Table("location", frozenset(_LOCATION.split()), location_rows, "custrecord"),
        Table("currency", frozenset(_CURRENCY.split()), currency_rows, "\0"),
        Table(
            "customer",
            frozenset(_CUSTOMER.split()),
            customer_rows,
            "custentity",
            display={"terms": _named("terms")},
        ),
        Table("term", frozenset(_TERM.split()), term_rows, "custrecord"),
        Table(
            "transaction",
            frozenset(_TRANSACTION.split()),
            transaction_rows,
            "custbody",
            display={
                "entity": _named("customers"),
                "currency": _named("currencies"),
                "terms": _named("terms"),
                "status": _status,
                "type": _type_title,
                "createdfrom": _transaction,
            },
        ),
        Table(
            "transactionline",
            frozenset(_LINE.split()),
            transaction_line_rows,
            "custcol",
            display={
                "transaction": _transaction,
                "item": _named("items"),
                "location": _named("locations"),
                "entity": _named("customers"),
            },
            unnamed=frozenset({"account"}),
        ),
    )
}
