"""The sandbox's books: records stored as JSON documents, and the base record behaviour.

Each record type is a `RecordType` subclass deciding how a body becomes a stored record
(`build`), how a PATCH changes it (`revise`) and which transforms it offers. Everything runs
inside one `store.transaction()` per request, so two processes upserting the same external id
serialise and never create two records.

Stored shape: body fields as NetSuite returns them (camelCase, references `{"id","refName"}`),
sublists as `{"items": [...]}`. Links are added only when a record is rendered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from vendor_sandbox.netsuite.errors import invalid_content, user_error
from vendor_sandbox.netsuite.records.fields import RECORD_BODY, RecordFields
from vendor_sandbox.store import SandboxStore

PREFIX = "netsuite."
Record = dict[str, Any]
READ_ONLY = frozenset({"id", "links", "refName", "createdDate", "lastModifiedDate"})


def money(value: Any) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def quantity(value: Any, path: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise invalid_content(f"Invalid number for quantity: {value!r}", path) from None
    return number


def ref_id(value: Any) -> str | None:
    """A reference as written by a client: `{"id": "7"}`, `"7"`, or `7`."""
    if value is None:
        return None
    if isinstance(value, dict):
        inner = value.get("id")
        return None if inner is None else str(inner)
    return str(value)


def enum_id(value: Any) -> str | None:
    """Enumerations are written `{"id": "B"}`, `{"refName": ...}` or a bare string."""
    if isinstance(value, dict):
        return value.get("id")
    return None if value is None else str(value)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class Books:
    """Store access for record types, used inside a store transaction."""

    def __init__(self, store: SandboxStore, options: dict[str, Any]) -> None:
        self.store = store
        self.options = options

    def get(self, record_type: str, record_id: str) -> Record | None:
        return self.store.get(PREFIX + record_type, str(record_id))

    def put(self, record_type: str, record: Record) -> None:
        record["lastModifiedDate"] = now_iso()
        self.store.put(PREFIX + record_type, str(record["id"]), record)
        if record.get("externalId"):
            self.store.put(
                f"{PREFIX}eid.{record_type}", str(record["externalId"]), {"id": record["id"]}
            )

    def delete(self, record_type: str, record: Record) -> None:
        self.store.delete(PREFIX + record_type, str(record["id"]))
        if record.get("externalId"):
            self.store.delete(f"{PREFIX}eid.{record_type}", str(record["externalId"]))

    def all(self, record_type: str) -> list[Record]:
        return self.store.all(PREFIX + record_type)

    def id_for_external(self, record_type: str, external_id: str) -> str | None:
        entry = self.store.get(f"{PREFIX}eid.{record_type}", external_id)
        return None if entry is None else str(entry["id"])

    def next_id(self, counter: str, start: int) -> str:
        return str(self.store.next_value(f"{PREFIX}id.{counter}", start))

    def require(self, record_type: str, value: Any, path: str, label: str) -> Record:
        """Resolve a reference or refuse the body the way NetSuite does."""
        record_id = ref_id(value)
        if record_id is None:
            raise user_error(f"Please enter value(s) for: {label}", path)
        record = self.get(record_type, record_id)
        if record is None:
            raise invalid_content(
                f"Invalid Field Value {record_id} for the following field: {path}", path
            )
        return record

    def stock(self, item_id: str, location_id: str) -> Record:
        key = f"{item_id}:{location_id}"
        return self.store.get(PREFIX + "stock", key) or {
            "item": item_id,
            "location": location_id,
            "quantityOnHand": 0,
        }

    def put_stock(self, entry: Record) -> None:
        self.store.put(PREFIX + "stock", f"{entry['item']}:{entry['location']}", entry)

    def all_stock(self) -> list[Record]:
        return self.store.all(PREFIX + "stock")


def reference(record: Record, name_field: str = "refName") -> dict[str, str]:
    return {"id": str(record["id"]), "refName": str(record.get(name_field) or record["id"])}


def custom_fields(body: dict[str, Any], prefixes: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k.lower().startswith(prefixes)}


Transform = Callable[[Books, Record, dict[str, Any]], Record]


class RecordType:
    """Default behaviour: keep the body's fields, merge keyed sublists; subclasses add rules."""

    name: str = ""
    title: str = ""  # what NetSuite calls it in the UI ("Sales Order")
    counter: str = ""
    counter_start: int = 1
    # Every field the record type has (records/fields.py): request bodies, `q` filters and
    # the metadata catalog are all checked against or generated from this one list.
    fields: RecordFields = RecordFields(body=RECORD_BODY)
    transaction_code: str | None = None  # SuiteQL `transaction.type` for transactions

    @property
    def sublists(self) -> dict[str, str | None]:
        """Stored sublists: name -> key field (None: lines are appended or replaced whole)."""
        return {s.name: s.key for s in self.fields.sublists if not s.computed}

    @property
    def transforms(self) -> dict[str, Transform]:
        return {}

    def new_id(self, books: Books) -> str:
        return books.next_id(self.counter or self.name, self.counter_start)

    def build(self, books: Books, body: dict[str, Any], record_id: str) -> Record:
        record: Record = {"id": record_id, "createdDate": now_iso()}
        # On a new record, null means "no value": nothing to store.
        record |= {
            k: v
            for k, v in body.items()
            if k not in READ_ONLY and k not in self.sublists and v is not None
        }
        for name, key in self.sublists.items():
            lines = _incoming_lines(body, name)
            record[name] = {"items": merge_lines([], lines or [], key, replace=True)}
        return record

    def revise(
        self, books: Books, record: Record, body: dict[str, Any], replace: set[str]
    ) -> Record:
        revised = dict(record)
        for k, v in body.items():
            if k in READ_ONLY or k in self.sublists:
                continue
            if v is None:
                revised.pop(k, None)  # null clears a body field
            else:
                revised[k] = v
        for name, key in self.sublists.items():
            if name not in body and name not in replace:
                continue
            lines = _incoming_lines(body, name) or []
            existing = record.get(name, {}).get("items", [])
            revised[name] = {"items": merge_lines(existing, lines, key, name in replace)}
        return revised

    def computed_sublists(self, books: Books, record: Record) -> dict[str, list[Record]]:
        """Sublists derived at read time (e.g. an item's stock by location)."""
        return {}


def _incoming_lines(body: dict[str, Any], name: str) -> list[dict[str, Any]] | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, dict):
        return list(value.get("items") or [])
    if isinstance(value, list):
        return value
    raise invalid_content(f"Invalid value for sublist {name}", name)


def merge_lines(
    existing: list[dict[str, Any]],
    incoming: list[dict[str, Any]],
    key: str | None,
    replace: bool,
) -> list[dict[str, Any]]:
    """NetSuite's sublist semantics.

    Keyed: incoming lines whose key matches update that line, others are added; with replace,
    existing lines not matched are removed. Not keyed: append, or with replace take the new set.
    New lines on a `line`-keyed sublist get the next free number unless they bring an unused one.
    """
    if key is None:
        return [dict(line) for line in incoming] if replace else existing + incoming
    by_key = {_key(line.get(key)): dict(line) for line in existing}
    kept: dict[str, dict[str, Any]] = {} if replace else dict(by_key)
    next_line = max([int(k) for k in by_key if k.isdigit()] + [0]) + 1
    for line in incoming:
        line_key = _key(line.get(key))
        if line_key and line_key in by_key:
            kept[line_key] = by_key[line_key] | {k: v for k, v in line.items() if k != key}
            continue
        new = dict(line)
        if key == "line":
            if not line_key or line_key in kept:
                new["line"] = next_line
            else:
                new["line"] = int(line_key)
            next_line = max(next_line, int(new["line"])) + 1
        kept[_key(new.get(key))] = new
    return list(kept.values())


def _key(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("id")
    return "" if value is None else str(value)
