"""The metadata catalog: `GET /record/v1/metadata-catalog[/{type}]`.

Everything here is generated from the record types' field lists (records/fields.py), the same
lists request bodies are validated against, so what the catalog describes is exactly what the
sandbox accepts and returns.

Flavours, chosen by `Accept` (Oracle's "Working with Resource Metadata" pages):

* `/metadata-catalog` lists the record types, each with links to its metadata in
  `application/json`, `application/swagger+json` and `application/schema+json`; `?select=a,b`
  restricts the list. With `Accept: application/swagger+json` it is instead one OpenAPI 3.0.1
  document ("NetSuite REST Record API") for the selected (default: all) types.
* `/metadata-catalog/{type}` with `Accept: application/schema+json` is the JSON Schema of the
  record type (draft-06 hyper-schema, `x-ns-filterable` on the fields `q` can filter on,
  `x-ns-custom-field` on the account's custom fields). Selects to another record type the
  sandbox serves are `$ref`s to that type's metadata URL (NetSuite's schemas link to the
  referenced type's metadata the same way); selects to types it does not serve (subsidiary,
  currency, account...) are reference objects `{id, refName, externalId, links}`.
* `/metadata-catalog/{type}` with any other `Accept` (none, `application/json`, or
  `application/swagger+json`) is the OpenAPI 3.0.1 document for that one type. Oracle does not
  say what the plain-JSON flavour of one type holds; the sandbox serves the OpenAPI document,
  which is what NetSuite's per-type URL is fetched for by clients that send no `Accept`.

As in NetSuite, a select to a record type outside `select` is an object with no structure in
the OpenAPI document ("listing the referenced record in select avoids this").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from vendor_sandbox.netsuite.errors import NetSuiteProblem
from vendor_sandbox.netsuite.records import RECORD_TYPES, RecordType, record_type_for
from vendor_sandbox.netsuite.records.fields import Field, Kind, Sublist, Subrecord
from vendor_sandbox.netsuite.validation import (
    NAME_VALIDATION_HEADER,
    VALUE_VALIDATION_HEADER,
    WARNING_HEADER,
)

RECORD_PATH = "/services/rest/record/v1"
CATALOG_PATH = RECORD_PATH + "/metadata-catalog"
JSON = "application/json"
SWAGGER_JSON = "application/swagger+json"
SCHEMA_JSON = "application/schema+json"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft-06/hyper-schema#"
SINGULAR = "application/vnd.oracle.resource+json; type=singular"
COLLECTION = "application/vnd.oracle.resource+json; type=collection"
ERROR = "application/vnd.oracle.resource+json; type=error"

Reference = Callable[[Field], dict[str, Any]]


def catalog_url(base_url: str, record_type: str | None = None) -> str:
    url = f"{base_url}{CATALOG_PATH}"
    return url if record_type is None else f"{url}/{record_type}"


def selected_types(select: str | None) -> list[RecordType]:
    """`?select=customer,salesOrder` (case-insensitive); all record types when absent."""
    if not select:
        return list(RECORD_TYPES.values())
    chosen: list[RecordType] = []
    for name in (part.strip() for part in select.split(",")):
        found = record_type_for(name)
        if found is None:
            raise NetSuiteProblem(
                400,
                "INVALID_PARAMETER",
                f"Invalid select value: record type '{name}' does not exist.",
                query_param="select",
            )
        if found not in chosen:
            chosen.append(found)
    return chosen


def catalog(base_url: str, kinds: Iterable[RecordType]) -> dict[str, Any]:
    items = []
    for kind in kinds:
        href = catalog_url(base_url, kind.name)
        items.append(
            {
                "name": kind.name,
                "links": [
                    {"rel": "canonical", "href": href, "mediaType": JSON},
                    {"rel": "alternate", "href": href, "mediaType": SWAGGER_JSON},
                    {"rel": "alternate", "href": href, "mediaType": SCHEMA_JSON},
                    {"rel": "describes", "href": f"{base_url}{RECORD_PATH}/{kind.name}"},
                ],
            }
        )
    return {"links": [{"rel": "self", "href": catalog_url(base_url)}], "items": items}


# -- JSON Schema ---------------------------------------------------------------------------


def json_schema(kind: RecordType, base_url: str) -> dict[str, Any]:
    """The record type's JSON Schema (`Accept: application/schema+json`)."""

    def reference(select: Field) -> dict[str, Any]:
        if select.record_type is not None and select.record_type in RECORD_TYPES:
            return {"$ref": catalog_url(base_url, select.record_type)}
        return _reference_object(select.record_type, _LINKS)

    schema = _record_schema(kind, reference, _LINKS, _inline_collection)
    return {"$schema": JSON_SCHEMA_DIALECT, "$id": catalog_url(base_url, kind.name)} | schema


_LINK: dict[str, Any] = {
    "type": "object",
    "properties": {"rel": {"type": "string"}, "href": {"type": "string", "format": "uri"}},
}
_LINKS: dict[str, Any] = {"title": "Links", "type": "array", "readOnly": True, "items": _LINK}


def _inline_collection(
    kind: RecordType, sublist: Sublist, element: dict[str, Any], links: dict[str, Any]
) -> dict[str, Any]:
    return _collection(sublist, {"type": "array", "items": element}, links)


# -- OpenAPI 3.0 ---------------------------------------------------------------------------


def openapi(kinds: list[RecordType], base_url: str) -> dict[str, Any]:
    """One OpenAPI 3.0.1 document for `kinds` (`Accept: application/swagger+json`)."""
    names = {kind.name for kind in kinds}
    links = {"title": "Links", "type": "array", "readOnly": True, "items": _ref("nsLink")}

    def reference(select: Field) -> dict[str, Any]:
        if select.record_type in names:
            return _ref(str(select.record_type))
        # Outside `select`: a generic JSON object with no structure, as NetSuite declares it.
        return {"type": "object", "description": f"A reference to a {select.record_type}."}

    schemas: dict[str, Any] = {
        "nsLink": _LINK,
        "nsResource": _reference_object(None, links),
        "nsError": _ERROR_SCHEMA,
    }

    def collection(
        kind: RecordType, sublist: Sublist, element: dict[str, Any], links: dict[str, Any]
    ) -> dict[str, Any]:
        # Named as NetSuite names them: salesOrder-itemCollection, salesOrder-itemElement.
        stem = f"{kind.name}-{sublist.name}"
        schemas[f"{stem}Element"] = element
        schemas[f"{stem}Collection"] = _collection(
            sublist, {"type": "array", "items": _ref(f"{stem}Element")}, links
        )
        return _ref(f"{stem}Collection")

    paths: dict[str, Any] = {}
    for kind in kinds:
        schemas[kind.name] = _record_schema(kind, reference, links, collection)
        schemas[f"{kind.name}Collection"] = _collection(
            None, {"type": "array", "items": _ref("nsResource")}, links
        )
        paths |= _paths(kind, names)
    return {
        "openapi": "3.0.1",
        "info": {
            "title": "NetSuite REST Record API",
            "version": "v1",
            "description": "Record service of the vendor_pipelines NetSuite sandbox.",
        },
        "servers": [{"url": f"{base_url}{RECORD_PATH}"}],
        "tags": [{"name": kind.name, "description": kind.title} for kind in kinds],
        "paths": paths,
        "components": {"schemas": schemas},
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "o:errorCode": {"type": "string"},
        "o:errorDetails": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    key: {"type": "string"}
                    for key in (
                        "detail",
                        "o:errorCode",
                        "o:errorPath",
                        "o:errorQueryParam",
                        "o:errorHeader",
                    )
                },
            },
        },
    },
}


def _paths(kind: RecordType, selected: set[str]) -> dict[str, Any]:
    body = {"required": True, "content": {SINGULAR: {"schema": _ref(kind.name)}}}
    validation = [
        _header(NAME_VALIDATION_HEADER, "Warning"),
        _header(VALUE_VALIDATION_HEADER, "Error"),
    ]
    written = {
        "204": {
            "description": "Written; the record's URL is in Location.",
            "headers": {
                "Location": {"schema": {"type": "string"}},
                WARNING_HEADER: {
                    "description": "The description of a property validation warning.",
                    "schema": {"type": "string"},
                },
            },
        },
        "default": _ERROR_RESPONSE,
    }
    record_id = {
        "name": "id",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": "Internal identifier, or eid:<external id>.",
    }
    tag = [kind.name]
    paths: dict[str, Any] = {
        f"/{kind.name}": {
            "get": {
                "tags": tag,
                "summary": "Get list of records.",
                "parameters": [
                    _query("q", "string", "Search query used to filter results."),
                    _query("limit", "integer", "Page size, at most 1000 (default 1000)."),
                    _query("offset", "integer", "A multiple of limit (default 0)."),
                ],
                "responses": {
                    "200": {
                        "description": "The records' ids and links.",
                        "content": {COLLECTION: {"schema": _ref(f"{kind.name}Collection")}},
                    },
                    "default": _ERROR_RESPONSE,
                },
            },
            "post": {
                "tags": tag,
                "summary": "Insert record.",
                "parameters": validation,
                "requestBody": body,
                "responses": written,
            },
        },
        f"/{kind.name}/{{id}}": {
            "get": {
                "tags": tag,
                "summary": "Get record.",
                "parameters": [
                    record_id,
                    _query("expandSubResources", "boolean", "Inline sublists."),
                    _query("fields", "string", "Comma-separated body fields to return."),
                ],
                "responses": {
                    "200": {
                        "description": "The record.",
                        "content": {SINGULAR: {"schema": _ref(kind.name)}},
                    },
                    "default": _ERROR_RESPONSE,
                },
            },
            "patch": {
                "tags": tag,
                "summary": "Update record.",
                "parameters": [
                    record_id,
                    *validation,
                    _query("replace", "string", "Sublists whose lines are replaced."),
                ],
                "requestBody": body,
                "responses": written,
            },
            "put": {
                "tags": tag,
                "summary": "Insert or update record (by eid:<external id> only).",
                "parameters": [record_id, *validation],
                "requestBody": body,
                "responses": written,
            },
            "delete": {
                "tags": tag,
                "summary": "Remove record.",
                "parameters": [record_id],
                "responses": {"204": {"description": "Removed."}, "default": _ERROR_RESPONSE},
            },
        },
    }
    for target in kind.transforms:
        target_body = (
            _ref(target) if target in selected else {"type": "object", "description": target}
        )
        paths[f"/{kind.name}/{{id}}/!transform/{target}"] = {
            "post": {
                "tags": tag,
                "summary": f"Transform to {target}.",
                "parameters": [record_id, *validation],
                "requestBody": {"content": {SINGULAR: {"schema": target_body}}},
                "responses": written,
            }
        }
    return paths


_ERROR_RESPONSE: dict[str, Any] = {
    "description": "Error response.",
    "content": {ERROR: {"schema": _ref("nsError")}},
}


def _query(name: str, kind: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": {"type": kind}}


def _header(name: str, default: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "schema": {"type": "string", "enum": ["Error", "Warning", "Ignore"], "default": default},
    }


# -- shared by both flavours ---------------------------------------------------------------

Collection = Callable[[RecordType, Sublist, dict[str, Any], dict[str, Any]], dict[str, Any]]


def _record_schema(
    kind: RecordType, reference: Reference, links: dict[str, Any], collection: Collection
) -> dict[str, Any]:
    properties: dict[str, Any] = {"links": links}
    for body_field in kind.fields.body:
        # Every body field is one N/query can filter on (record_filter.py reads the same list).
        properties[body_field.name] = _field_schema(body_field, reference) | {
            "x-ns-filterable": True
        }
    for sublist in kind.fields.sublists:
        element = _object(sublist.fields, reference, links)
        properties[sublist.name] = collection(kind, sublist, element, links)
    for subrecord in kind.fields.subrecords:
        properties[subrecord.name] = _subrecord_schema(subrecord, reference, links)
    return {"title": kind.title, "type": "object", "properties": properties}


def _object(
    fields: tuple[Field, ...], reference: Reference, links: dict[str, Any]
) -> dict[str, Any]:
    properties = {"links": links} | {f.name: _field_schema(f, reference) for f in fields}
    return {"type": "object", "properties": properties}


def _subrecord_schema(
    subrecord: Subrecord, reference: Reference, links: dict[str, Any]
) -> dict[str, Any]:
    return {"title": subrecord.title, "nullable": True} | _object(
        subrecord.fields, reference, links
    )


def _collection(
    sublist: Sublist | None, items: dict[str, Any], links: dict[str, Any]
) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "links": links,
            "items": items,
            "count": {"type": "integer", "format": "int64"},
            "hasMore": {"type": "boolean"},
            "offset": {"type": "integer", "format": "int64"},
            "totalResults": {"type": "integer", "format": "int64"},
        },
    }
    if sublist is not None:
        keyed = f"keyed by {sublist.key}" if sublist.key else "not keyed (lines are appended)"
        schema = {"title": sublist.title, "description": f"Sublist, {keyed}."} | schema
        if sublist.computed:
            schema["readOnly"] = True
    return schema


_SCALARS: dict[Kind, dict[str, Any]] = {
    Kind.TEXT: {"type": "string"},
    Kind.INTEGER: {"type": "integer", "format": "int64"},
    Kind.NUMBER: {"type": "number", "format": "double"},
    Kind.BOOLEAN: {"type": "boolean"},
    Kind.DATE: {"type": "string", "format": "date"},
    Kind.DATETIME: {"type": "string", "format": "date-time"},
}


def _field_schema(field: Field, reference: Reference) -> dict[str, Any]:
    if field.kind is Kind.SELECT:
        shape = reference(field)
    elif field.kind is Kind.ENUM:
        internal_id: dict[str, Any] = {"type": "string"}
        if field.values:
            internal_id["enum"] = list(field.values)
        shape = {
            "type": "object",
            "properties": {"id": internal_id, "refName": {"type": "string"}},
        }
    else:
        shape = dict(_SCALARS[field.kind])
    schema: dict[str, Any] = {"title": field.title} | shape
    if field.read_only:
        schema["readOnly"] = True
    else:
        schema["nullable"] = True
    if field.custom:
        schema["x-ns-custom-field"] = True
    return schema


def _reference_object(record_type: str | None, links: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "id": {"title": "Internal identifier", "type": "string"},
            "refName": {"title": "Reference Name", "type": "string"},
            "externalId": {"title": "External identifier", "type": "string"},
            "links": links,
        },
    }
    if record_type:
        schema["description"] = f"A reference to a {record_type} record."
    return schema
