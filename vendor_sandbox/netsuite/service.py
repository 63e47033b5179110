"""Record operations as the REST record service performs them, each in one store transaction."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from vendor_sandbox.netsuite.errors import (
    NetSuiteProblem,
    invalid_content,
    not_found,
    user_error,
)
from vendor_sandbox.netsuite.records import Books, Record, RecordType, record_type_for
from vendor_sandbox.netsuite.records.base import now_iso
from vendor_sandbox.store import SandboxStore

DUPLICATE = "Error while accessing a resource. This entity already exists."
_EXTERNAL_ID = re.compile(r"^[A-Za-z0-9_\-]+$")


def record_type(segment: str) -> RecordType:
    found = record_type_for(segment)
    if found is None:
        raise NetSuiteProblem(404, "NONEXISTENT_ID", f"Record type '{segment}' does not exist.")
    return found


class RecordService:
    def __init__(self, store: SandboxStore, options: dict[str, Any]) -> None:
        self.store = store
        self.options = options

    def books(self) -> Books:
        return Books(self.store, self.options)

    def _resolve(self, books: Books, kind: RecordType, segment: str) -> Record:
        record_id: str | None = segment
        if segment.startswith("eid:"):
            record_id = books.id_for_external(kind.name, segment[4:])
        record = books.get(kind.name, record_id) if record_id else None
        if record is None:
            raise not_found()
        return record

    def get(self, kind: RecordType, segment: str) -> tuple[Record, Books]:
        books = self.books()
        return self._resolve(books, kind, segment), books

    def find(self, kind: RecordType, matches: Callable[[Record], bool]) -> list[str]:
        """Ids of the records of a type that match, in internal-id order."""
        found = [str(record["id"]) for record in self.books().all(kind.name) if matches(record)]
        return sorted(found, key=lambda record_id: (len(record_id), record_id))

    def create(self, kind: RecordType, body: dict[str, Any]) -> str:
        with self.store.transaction():
            books = self.books()
            self._refuse_duplicate(books, kind, body.get("externalId"))
            record = kind.build(books, body, kind.new_id(books))
            books.put(kind.name, record)
            return str(record["id"])

    def upsert(self, kind: RecordType, external_id: str, body: dict[str, Any]) -> str:
        _check_external_id(external_id)
        body = {k: v for k, v in body.items() if k != "externalId"}
        with self.store.transaction():
            books = self.books()
            existing_id = books.id_for_external(kind.name, external_id)
            if existing_id is None:
                record = kind.build(books, body | {"externalId": external_id}, kind.new_id(books))
            else:
                current = books.get(kind.name, existing_id)
                assert current is not None
                # Upsert replaces the sublists it sends (keyed lines matched by key).
                replace = {name for name in kind.sublists if name in body}
                record = kind.revise(books, current, body, replace)
            books.put(kind.name, record)
            return str(record["id"])

    def patch(self, kind: RecordType, segment: str, body: dict[str, Any], replace: set[str]) -> str:
        unknown = replace - set(kind.sublists)
        if unknown:
            raise NetSuiteProblem(
                400, "INVALID_PARAMETER", f"Invalid replace value: {', '.join(sorted(unknown))}"
            )
        with self.store.transaction():
            books = self.books()
            current = self._resolve(books, kind, segment)
            new_external = body.get("externalId")
            if new_external and new_external != current.get("externalId"):
                self._refuse_duplicate(books, kind, new_external)
            record = kind.revise(books, current, body, replace)
            books.put(kind.name, record)
            return str(record["id"])

    def delete(self, kind: RecordType, segment: str) -> None:
        with self.store.transaction():
            books = self.books()
            books.delete(kind.name, self._resolve(books, kind, segment))

    def transform(
        self, source: RecordType, segment: str, target: RecordType, body: dict[str, Any]
    ) -> str:
        transform = source.transforms.get(target.name)
        if transform is None:
            raise NetSuiteProblem(
                400,
                "INVALID_REQUEST",
                f"Transformation from {source.name} to {target.name} is not supported.",
            )
        with self.store.transaction():
            books = self.books()
            origin = self._resolve(books, source, segment)
            self._refuse_duplicate(books, target, body.get("externalId"))
            draft = transform(books, origin, body)
            new_id = target.new_id(books)
            if draft.pop("_build_from_body", False):
                record = target.build(books, draft, new_id)
            else:
                record = {"id": new_id, "createdDate": now_iso()} | draft
            books.put(target.name, record)
            return str(record["id"])

    def _refuse_duplicate(self, books: Books, kind: RecordType, external_id: Any) -> None:
        if external_id is None:
            return
        _check_external_id(str(external_id))
        if books.id_for_external(kind.name, str(external_id)) is not None:
            raise user_error(DUPLICATE)


def _check_external_id(external_id: str) -> None:
    if not _EXTERNAL_ID.match(external_id):
        raise invalid_content(
            f"Invalid external ID {external_id!r}: use letters, digits, '_' and '-'.",
            "externalId",
        )


def render(
    kind: RecordType,
    record: Record,
    books: Books,
    base_url: str,
    *,
    expand: bool,
    fields: set[str] | None = None,
) -> dict[str, Any]:
    href = f"{base_url}/services/rest/record/v1/{kind.name.lower()}/{record['id']}"
    out: dict[str, Any] = {"links": [{"rel": "self", "href": href}]}
    sublists = {name: record.get(name, {}).get("items", []) for name in kind.sublists}
    sublists |= kind.computed_sublists(books, record)
    for key, value in record.items():
        if key in sublists or (fields and key not in fields and key != "id"):
            continue
        if value is None:
            continue  # NetSuite leaves empty fields out of what it returns
        out[key] = value
    if fields:
        return out
    for name, lines in sublists.items():
        out[name] = (
            sublist_body(f"{href}/{name}", lines)
            if expand
            else {"links": [{"rel": "self", "href": f"{href}/{name}"}]}
        )
    return out


def sublist_body(href: str, lines: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "links": [{"rel": "self", "href": href}],
        "items": [
            {"links": []} | {k: v for k, v in line.items() if v is not None} for line in lines
        ],
        "count": len(lines),
        "hasMore": False,
        "offset": 0,
        "totalResults": len(lines),
    }
