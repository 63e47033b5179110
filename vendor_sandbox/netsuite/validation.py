"""Request-body validation as NetSuite does it, steered by two request headers.

* `X-NetSuite-PropertyNameValidation` (unknown field names; default `warning`);
* `X-NetSuite-PropertyValueValidation` (values of the wrong syntax: a string where a number,
  boolean or date goes, a select written in no known shape; default `error`: Oracle's "Error
  Handling in REST Web Services" page and the REST API Browser both give `error`, not
  `warning`, as this header's default).

Values are `ignore`, `warning` or `error`, in any case (the REST API Browser prints them
`Error`/`Warning`/`Ignore`, Oracle's help page lower-case). With `error` the request fails with
400 and one `o:errorDetails` entry per offending property, each with its `o:errorPath`. With
`warning` or `ignore` the offending property is left out and the rest of the body is applied.
Semantic errors (an id that does not exist) are not governed by these headers: the record
types refuse them whatever the headers say.

How a warning is conveyed: Oracle only says "warnings are returned in the response headers"
without naming the header. NetSuite's own OpenAPI metadata (as rendered by clients generated
from it) declares, on every 204 of a create, update or upsert, a response header
`X-NetSuite-PropertyValidation` ("the description of a property validation failure") beside the
general `X-NetSuite-Warning`. So the sandbox sends each property warning as one
`X-NetSuite-PropertyValidation` header line; `ignore` sends none. The text is ASCII (names are
JSON-quoted), as HTTP header values must be.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from vendor_sandbox.netsuite.errors import NetSuiteProblem, error_detail
from vendor_sandbox.netsuite.records.fields import (
    Field,
    Kind,
    RecordFields,
    Sublist,
    Subrecord,
)

NAME_VALIDATION_HEADER = "X-NetSuite-PropertyNameValidation"
VALUE_VALIDATION_HEADER = "X-NetSuite-PropertyValueValidation"
WARNING_HEADER = "X-NetSuite-PropertyValidation"
# What a collection or a resource carries for navigation only; harmless to send back.
_ENVELOPE = frozenset({"links", "count", "hasMore", "offset", "totalResults"})
_REFERENCE_KEYS = frozenset({"id", "refName", "externalId", "links"})
_ENUM_KEYS = frozenset({"id", "refName", "links"})
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Strictness(StrEnum):
    IGNORE = "ignore"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class ValidationPolicy:
    names: Strictness = Strictness.WARNING
    values: Strictness = Strictness.ERROR

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> ValidationPolicy:
        return cls(
            names=_strictness(headers, NAME_VALIDATION_HEADER, Strictness.WARNING),
            values=_strictness(headers, VALUE_VALIDATION_HEADER, Strictness.ERROR),
        )


def _strictness(headers: Mapping[str, str], name: str, default: Strictness) -> Strictness:
    raw = headers.get(name)
    if raw is None:
        return default
    try:
        return Strictness(raw.strip().lower())
    except ValueError:
        raise NetSuiteProblem(
            400,
            "INVALID_HEADER",
            f"Invalid value {raw!r} for header {name}: use ignore, warning or error.",
            header=name,
        ) from None


@dataclass(frozen=True)
class Finding:
    rule: Literal["name", "value"]
    path: str
    detail: str


@dataclass
class CheckedBody:
    """The body to apply (offending properties left out) and the warnings to send back."""

    body: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def check_body(
    record_type: str, fields: RecordFields, body: dict[str, Any], policy: ValidationPolicy
) -> CheckedBody:
    """Check a create/update/upsert/transform body against the record type's fields."""
    walk = _Walk(record_type)
    cleaned = walk.record(fields, body)
    strictness = {"name": policy.names, "value": policy.values}
    refused = [f for f in walk.findings if strictness[f.rule] is Strictness.ERROR]
    if refused:
        first = refused[0]
        raise NetSuiteProblem(
            400,
            "INVALID_CONTENT",
            first.detail,
            first.path,
            details=[error_detail(f.detail, "INVALID_CONTENT", f.path) for f in refused],
        )
    warnings = [
        f"{f.detail} It was ignored."
        for f in walk.findings
        if strictness[f.rule] is Strictness.WARNING
    ]
    return CheckedBody(cleaned, warnings)


class _Walk:
    """One pass over a body: collects findings and builds the body without the offenders."""

    def __init__(self, record_type: str) -> None:
        self.record_type = record_type
        self.findings: list[Finding] = []

    def _unknown(self, name: str, path: str, where: str) -> None:
        self.findings.append(
            Finding("name", path, f"Invalid field name {_quoted(name)}: {where} has no such field.")
        )

    def _bad_value(self, name: str, path: str, expected: str, value: Any) -> None:
        self.findings.append(
            Finding(
                "value",
                path,
                f"Invalid value for field {_quoted(name)}: expected {expected}, "
                f"got {_json_type(value)}.",
            )
        )

    def record(self, fields: RecordFields, body: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in body.items():
            if name == "links":
                continue
            if (body_field := fields.field(name)) is not None:
                if (kept := self._scalar(body_field, value, name)) is not _LEFT_OUT:
                    out[name] = kept
            elif (sublist := fields.sublist(name)) is not None:
                if sublist.computed:
                    continue  # derived at read time (stock by location): nothing to write
                lines = self._sublist(sublist, value, name)
                if lines is not _LEFT_OUT:
                    out[name] = lines
            elif (subrecord := fields.subrecord(name)) is not None:
                inner = self._subrecord(subrecord, value, name)
                if inner is not _LEFT_OUT:
                    out[name] = inner
            else:
                self._unknown(name, name, self.record_type)
        return out

    def _scalar(self, body_field: Field, value: Any, path: str) -> Any:
        """The value as stored (selects and enumerations in their object form), or _LEFT_OUT."""
        if value is None:
            return None  # null clears a field (PATCH) or leaves it empty (POST)
        expected = _syntax_error(body_field, value)
        if expected is None:
            return _stored_form(body_field, value)
        self._bad_value(body_field.name, path, expected, value)
        return _LEFT_OUT

    def _sublist(self, sublist: Sublist, value: Any, path: str) -> Any:
        where = f"the {sublist.name} sublist of {self.record_type}"
        if value is None:
            return None  # with ?replace=<sublist>: remove every line
        if not isinstance(value, dict):
            self._bad_value(sublist.name, path, 'a sublist object {"items": [...]}', value)
            return _LEFT_OUT
        out: dict[str, Any] = {}
        for key, inner in value.items():
            if key in _ENVELOPE:
                continue
            if key != "items":
                self._unknown(key, f"{path}.{key}", where)
                continue
            if not isinstance(inner, list):
                self._bad_value("items", f"{path}.items", "an array of lines", inner)
                continue
            out["items"] = [
                cleaned
                for i, line in enumerate(inner)
                if (cleaned := self._line(sublist, line, f"{path}.items[{i}]", where))
                is not _LEFT_OUT
            ]
        return out

    def _line(self, sublist: Sublist, line: Any, path: str, where: str) -> Any:
        if not isinstance(line, dict):
            self._bad_value(sublist.name, path, "a line object", line)
            return _LEFT_OUT
        out: dict[str, Any] = {}
        for name, value in line.items():
            if name == "links":
                continue
            line_field = sublist.field(name)
            if line_field is None:
                self._unknown(name, f"{path}.{name}", where)
            elif (kept := self._scalar(line_field, value, f"{path}.{name}")) is not _LEFT_OUT:
                out[name] = kept
        return out

    def _subrecord(self, subrecord: Subrecord, value: Any, path: str) -> Any:
        if value is None:
            return None
        if not isinstance(value, dict):
            self._bad_value(subrecord.name, path, "a subrecord object", value)
            return _LEFT_OUT
        where = f"the {subrecord.name} subrecord of {self.record_type}"
        out: dict[str, Any] = {}
        for name, inner in value.items():
            if name == "links":
                continue
            inner_field = subrecord.field(name)
            if inner_field is None:
                self._unknown(name, f"{path}.{name}", where)
            # The sandbox replaces a subrecord whole, so a null inside it is simply "no value".
            elif inner is not None:
                kept = self._scalar(inner_field, inner, f"{path}.{name}")
                if kept is not _LEFT_OUT:
                    out[name] = kept
        return out


_LEFT_OUT: Any = object()


def _syntax_error(body_field: Field, value: Any) -> str | None:
    """What the field expected, when `value` is not of its JSON syntax; None when it is."""
    kind = body_field.kind
    if kind is Kind.TEXT:
        # Text takes a JSON string; a number is written as its digits (a PO number typed as 123).
        return None if isinstance(value, str) or _is_number(value) else "text"
    if kind is Kind.INTEGER:
        whole = _is_number(value) and float(value).is_integer()
        return None if whole else "a whole number"
    if kind is Kind.NUMBER:
        return None if _is_number(value) else "a number"
    if kind is Kind.BOOLEAN:
        return None if isinstance(value, bool) else "true or false"
    if kind is Kind.DATE:
        return None if _is_date(value) else "a date (YYYY-MM-DD)"
    if kind is Kind.DATETIME:
        return None if _is_datetime(value) else "a date-time (ISO 8601)"
    if kind is Kind.SELECT:
        return None if _is_reference(value) else 'a reference such as {"id": "7"}'
    return None if _is_enum(value) else 'an enumeration value such as {"id": "B"}'


def _stored_form(body_field: Field, value: Any) -> Any:
    """References and enumerations are kept as NetSuite returns them: objects with a string id.

    Writes may use the bare id (`"location": "1"`, `"orderStatus": "B"`) or a numeric one
    (`{"id": 7}`); reads always answer `{"id": "7", ...}` (IDs are strings in REST).
    """
    if body_field.kind not in (Kind.SELECT, Kind.ENUM):
        return value
    if isinstance(value, dict):
        kept = {k: v for k, v in value.items() if k != "links"}
        if "id" in kept:
            kept["id"] = str(kept["id"])
        return kept
    return {"id": str(value)}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_id(value: Any) -> bool:
    return (isinstance(value, str) and value.strip() != "") or (
        isinstance(value, int) and not isinstance(value, bool)
    )


def _is_reference(value: Any) -> bool:
    if isinstance(value, dict):
        return "id" in value and _is_id(value["id"]) and set(value) <= _REFERENCE_KEYS
    return _is_id(value)


def _is_enum(value: Any) -> bool:
    if isinstance(value, dict):
        keys = set(value) & {"id", "refName"}
        return (
            bool(keys) and all(isinstance(value[k], str) for k in keys) and set(value) <= _ENUM_KEYS
        )
    return isinstance(value, str)


def _is_date(value: Any) -> bool:
    if not isinstance(value, str) or not _DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_datetime(value: Any) -> bool:
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "null"


def _quoted(name: str) -> str:
    return json.dumps(name)  # ASCII-only, so it can travel in a response header
