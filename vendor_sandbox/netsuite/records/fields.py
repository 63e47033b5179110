"""The fields of a sandbox record type: body fields, sublists (with their line fields), subrecords.

Each record type declares one `RecordFields` next to its behaviour, and everything that needs to
know a record's shape reads it from there, so they cannot drift apart:

* request bodies are checked against it (`validation.py`: X-NetSuite-PropertyNameValidation and
  X-NetSuite-PropertyValueValidation);
* `q` on a record collection filters on its body fields (`record_filter.py`, `x-ns-filterable`);
* the metadata catalog's JSON Schema and OpenAPI documents are generated from it (`metadata.py`).

Custom fields are the account's customisations (NetSuite lists them in the same catalogue,
flagged `x-ns-custom-field`), so they are declared here too: a misspelt `custbody_` field is as
unknown to NetSuite as a misspelt standard one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"  # YYYY-MM-DD
    DATETIME = "datetime"  # ISO 8601, returned in UTC with Z
    SELECT = "select"  # a reference to another record: {"id": "7"} (or the bare id)
    ENUM = "enum"  # a list value: {"id": "B"}, {"refName": ...} or the bare id


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    title: str
    read_only: bool = False
    record_type: str | None = None  # SELECT: the record type it refers to
    values: tuple[str, ...] = ()  # ENUM: the internal ids, where the sandbox knows them all
    custom: bool = False
    # How `q` compares the field when that differs from its JSON type (ids are strings in
    # bodies but numbers in filters: `id BETWEEN [1, 42]`).
    filter_as: Kind | None = None

    @property
    def filter_kind(self) -> Kind:
        return self.filter_as or self.kind


@dataclass(frozen=True)
class Sublist:
    name: str
    title: str
    key: str | None  # the line key (`line`, `doc`); None: lines are appended or replaced
    fields: tuple[Field, ...]
    # Derived at read time (an item's stock by location); never stored, never written.
    computed: bool = False

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class Subrecord:
    name: str
    title: str
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class RecordFields:
    body: tuple[Field, ...]
    sublists: tuple[Sublist, ...] = ()
    subrecords: tuple[Subrecord, ...] = ()
    _names: frozenset[str] = field(default=frozenset(), init=False, repr=False)

    def __post_init__(self) -> None:
        names = (
            [f.name for f in self.body]
            + [s.name for s in self.sublists]
            + [s.name for s in self.subrecords]
        )
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"fields declared twice: {duplicates}")
        object.__setattr__(self, "_names", frozenset(names))

    def field(self, name: str) -> Field | None:
        return next((f for f in self.body if f.name == name), None)

    def sublist(self, name: str) -> Sublist | None:
        return next((s for s in self.sublists if s.name == name), None)

    def subrecord(self, name: str) -> Subrecord | None:
        return next((s for s in self.subrecords if s.name == name), None)

    def filterable(self, name: str) -> Field | None:
        """The body field `q` may name, matched case-insensitively as N/query does."""
        lowered = name.lower()
        return next((f for f in self.body if f.name.lower() == lowered), None)

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def extend(
        self,
        body: tuple[Field, ...] = (),
        sublists: tuple[Sublist, ...] = (),
        subrecords: tuple[Subrecord, ...] = (),
    ) -> RecordFields:
        return RecordFields(
            self.body + body, self.sublists + sublists, self.subrecords + subrecords
        )


# -- field constructors, named after the JSON each one takes -------------------------------


def text(name: str, title: str, *, read_only: bool = False) -> Field:
    return Field(name, Kind.TEXT, title, read_only=read_only)


def integer(name: str, title: str, *, read_only: bool = False) -> Field:
    return Field(name, Kind.INTEGER, title, read_only=read_only)


def numeric(name: str, title: str, *, read_only: bool = False) -> Field:
    return Field(name, Kind.NUMBER, title, read_only=read_only)


def flag(name: str, title: str, *, read_only: bool = False) -> Field:
    return Field(name, Kind.BOOLEAN, title, read_only=read_only)


def day(name: str, title: str, *, read_only: bool = False) -> Field:
    return Field(name, Kind.DATE, title, read_only=read_only)


def moment(name: str, title: str, *, read_only: bool = False) -> Field:
    return Field(name, Kind.DATETIME, title, read_only=read_only)


def select(name: str, title: str, record_type: str, *, read_only: bool = False) -> Field:
    return Field(name, Kind.SELECT, title, read_only=read_only, record_type=record_type)


def enum(name: str, title: str, values: tuple[str, ...] = (), *, read_only: bool = False) -> Field:
    return Field(name, Kind.ENUM, title, read_only=read_only, values=values)


def custom(*fields: Field) -> tuple[Field, ...]:
    return tuple(replace(f, custom=True) for f in fields)


# -- fields every record, every transaction and every address has --------------------------

RECORD_BODY: tuple[Field, ...] = (
    Field("id", Kind.TEXT, "Internal ID", read_only=True, filter_as=Kind.INTEGER),
    text("externalId", "External ID"),
    text("refName", "Reference Name", read_only=True),
    moment("createdDate", "Date Created", read_only=True),
    moment("lastModifiedDate", "Date Last Modified", read_only=True),
    select("customForm", "Custom Form", "customForm"),
)

TRANSACTION_BODY: tuple[Field, ...] = (
    *RECORD_BODY,
    text("tranId", "Document Number"),
    day("tranDate", "Date"),
    text("memo", "Memo"),
    select("subsidiary", "Subsidiary", "subsidiary"),
    select("currency", "Currency", "currency"),
    select("department", "Department", "department"),
    select("class", "Class", "classification"),
    select("location", "Location", "location"),
    numeric("total", "Total", read_only=True),
)

# Transaction body fields the account defines (Customization > Lists, Records & Fields).
TRANSACTION_CUSTOM_BODY: tuple[Field, ...] = custom(
    text("custbody_amazon_vendor_code", "Amazon Vendor Code"),
    text("custbody_amazon_program", "Amazon Program (RP/DF)"),
    text("custbody_amazon_po", "Amazon PO Number"),
    text("custbody_item_fulfillment", "Item Fulfillment Billed"),
)

# The item line of a sales order, an invoice and a credit memo: what it sells, for how much,
# and where it is booked.
ITEM_LINE: tuple[Field, ...] = (
    select("item", "Item", "inventoryItem"),
    numeric("quantity", "Quantity"),
    numeric("rate", "Rate"),
    numeric("amount", "Amount"),
    text("description", "Description"),
    select("price", "Price Level", "priceLevel"),
    select("location", "Location", "location"),
    select("units", "Units", "unitsType"),
    select("taxCode", "Tax Code", "salesTaxItem"),
    select("department", "Department", "department"),
    select("class", "Class", "classification"),
)

# Transaction line (column) fields the account defines.
LINE_CUSTOM: tuple[Field, ...] = custom(
    text("custcol_amazon_item_sequence", "Amazon Item Sequence Number"),
    text("custcol_amazon_asin", "Amazon ASIN"),
)

ADDRESS_FIELDS: tuple[Field, ...] = (
    text("addressee", "Addressee"),
    text("attention", "Attention"),
    text("addr1", "Address 1"),
    text("addr2", "Address 2"),
    text("addr3", "Address 3"),
    text("city", "City"),
    text("state", "State"),
    text("zip", "Zip"),
    enum("country", "Country"),
    text("addrPhone", "Phone"),
    text("addrText", "Address", read_only=True),
    flag("override", "Override"),
)


def address(name: str, title: str) -> Subrecord:
    return Subrecord(name, title, ADDRESS_FIELDS)
