"""Validate JSON against Amazon's official SP-API models (Swagger 2.0) and report schemas.

This is the optional strict layer: the model files are not part of the repository, and are used
only when `VENDOR_PIPELINES_SPECS_DIR` names the folder holding them (CI sets it when Amazon's
models sit beside the checkout). Without them, `sdk_validation` checks the same payloads through
Amazon's official Python SDK. Swagger 2.0 schemas are JSON Schema draft-4 with `$ref`s into
`#/definitions`; we validate with jsonschema's Draft4Validator, add the `Decimal` string pattern
that the models state only in prose, and check `date-time` formats.

Used by tests (every sandbox response must validate) and by anyone replaying real payloads.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema import Draft4Validator, Draft7Validator, FormatChecker

DECIMAL_PATTERN = r"^-?(0|([1-9]\d*))(\.\d+)?([eE][+-]?\d+)?$"
INTERVAL_PATTERN = r"^\S+--\S+$"

REPORT_SCHEMAS = {
    "GET_VENDOR_SALES_REPORT": "vendorSalesReport.json",
    "GET_VENDOR_NET_PURE_PRODUCT_MARGIN_REPORT": "vendorNetPureProductMarginReport.json",
    "GET_VENDOR_INVENTORY_REPORT": "vendorInventoryReport.json",
    "GET_VENDOR_TRAFFIC_REPORT": "vendorTrafficReport.json",
    "GET_VENDOR_FORECASTING_REPORT": "vendorForecastingReport.json",
    "GET_VENDOR_REAL_TIME_SALES_REPORT": "vendorRealTimeSalesReport.json",
    "GET_VENDOR_REAL_TIME_INVENTORY_REPORT": "vendorRealTimeInventoryReport.json",
    "GET_VENDOR_REAL_TIME_TRAFFIC_REPORT": "vendorRealTimeTrafficReport.json",
    "GET_COUPON_PERFORMANCE_REPORT": "vendorCouponReport.json",
}


class SpecsMissing(FileNotFoundError):
    pass


SPECS_ENV = "VENDOR_PIPELINES_SPECS_DIR"


def specs_dir() -> Path:
    """The folder of Amazon's model files; only ever the one the environment names."""
    named = os.environ.get(SPECS_ENV)
    if not named:
        raise SpecsMissing(
            f"{SPECS_ENV} is not set: it names the folder of Amazon's official SP-API model "
            "files (selling-partner-api-models), which the repository does not ship"
        )
    path = Path(named)
    if not path.is_dir():
        raise SpecsMissing(f"{SPECS_ENV}={named} is not a folder of SP-API model files")
    return path


def specs_available() -> bool:
    try:
        specs_dir()
    except SpecsMissing:
        return False
    return True


@cache
def load_spec(name: str) -> dict[str, Any]:
    spec = json.loads((specs_dir() / name).read_text())
    definitions = spec.get("definitions", {})
    for def_name, schema in definitions.items():
        if def_name == "Decimal" and schema.get("type") == "string":
            schema["pattern"] = DECIMAL_PATTERN
        if def_name == "DateTimeInterval" and schema.get("type") == "string":
            schema["pattern"] = INTERVAL_PATTERN
    return spec


def _check_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if "T" not in value:
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _check_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value))


FORMATS = FormatChecker(formats=())
FORMATS.checks("date-time")(_check_datetime)
FORMATS.checks("date")(_check_date)


def _with_definitions(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "definitions": spec.get("definitions", {})}


@dataclass(frozen=True)
class SpecOperation:
    spec: str
    method: str
    path: str
    operation_id: str
    raw: dict[str, Any]

    def response_schema(self, status: int | str) -> dict[str, Any] | None:
        response = self.raw["responses"].get(str(status))
        if response is None or "schema" not in response:
            return None
        return _with_definitions(load_spec(self.spec), response["schema"])

    def body_schema(self) -> dict[str, Any] | None:
        for param in self.raw.get("parameters", []):
            if param.get("in") == "body":
                return _with_definitions(load_spec(self.spec), param["schema"])
        return None


def spec_operation(spec: str, method: str, path: str) -> SpecOperation:
    paths = load_spec(spec)["paths"]
    try:
        raw = paths[path][method.lower()]
    except KeyError:
        raise KeyError(f"{method} {path} is not an operation of {spec}") from None
    return SpecOperation(spec, method.upper(), path, raw["operationId"], raw)


def _errors(schema: dict[str, Any], instance: Any, validator=Draft4Validator) -> list[str]:
    found = sorted(
        validator(schema, format_checker=FORMATS).iter_errors(instance),
        key=lambda e: list(e.absolute_path),
    )
    return [f"{'.'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message}" for e in found]


def response_errors(spec: str, method: str, path: str, status: int, body: Any) -> list[str]:
    """Problems of `body` as the `status` response of an operation ([] = valid)."""
    op = spec_operation(spec, method, path)
    schema = op.response_schema(status)
    if schema is None:
        if str(status) not in op.raw["responses"]:
            return [f"status {status} is not declared for {op.operation_id}"]
        return [] if body in (None, b"", "", {}) else [f"{op.operation_id} {status} has no body"]
    return _errors(schema, body)


def request_errors(spec: str, method: str, path: str, body: Any) -> list[str]:
    op = spec_operation(spec, method, path)
    schema = op.body_schema()
    return [] if schema is None else _errors(schema, body)


def assert_valid_response(spec: str, method: str, path: str, status: int, body: Any) -> None:
    problems = response_errors(spec, method, path, status, body)
    if problems:
        raise jsonschema.ValidationError(
            f"{method} {path} -> {status} does not match {spec}: " + "; ".join(problems[:5])
        )


def report_document_errors(report_type: str, document: Any) -> list[str]:
    name = REPORT_SCHEMAS.get(report_type)
    if name is None:
        return [f"no schema for report type {report_type}"]
    schema = json.loads((specs_dir() / name).read_text())
    return _errors(schema, document, Draft7Validator)


@dataclass(frozen=True)
class Example:
    spec: str
    method: str
    path: str
    operation_id: str
    status: str
    source: str  # "examples" | "x-amzn-api-sandbox" | "x-amazon-spds-sandbox-behaviors"
    body: Any
    request: dict[str, Any] | None  # the sandbox request parameters, when from a sandbox entry


def iter_examples(spec: str) -> Iterator[Example]:
    """Every example response in a model: `examples` and both sandbox-behaviour spellings."""
    for path, item in load_spec(spec).get("paths", {}).items():
        for method, raw in item.items():
            if not isinstance(raw, dict) or "responses" not in raw:
                continue
            for status, response in raw["responses"].items():
                examples = response.get("examples") or {}
                if examples and not any("/" in key for key in examples):
                    # Some models put the body itself under `examples` (no media-type key).
                    examples = {"application/json": examples}
                for media, body in examples.items():
                    if "json" in media:
                        yield Example(
                            spec,
                            method.upper(),
                            path,
                            raw["operationId"],
                            status,
                            "examples",
                            copy.deepcopy(body),
                            None,
                        )
                # Sandbox examples: static ones, then the SPDS sandbox behaviours.
                sandboxes = (
                    (
                        "x-amzn-api-sandbox",
                        (response.get("x-amzn-api-sandbox") or {}).get("static", []),
                    ),
                    (
                        "x-amazon-spds-sandbox-behaviors",
                        response.get("x-amazon-spds-sandbox-behaviors", []) or [],
                    ),
                )
                for source, entries in sandboxes:
                    for entry in entries:
                        if "response" in entry:
                            yield Example(
                                spec,
                                method.upper(),
                                path,
                                raw["operationId"],
                                status,
                                source,
                                copy.deepcopy(entry["response"]),
                                entry.get("request"),
                            )


def iter_request_examples(spec: str) -> Iterator[tuple[str, str, str, Any]]:
    """(method, path, operationId, body) for every sandbox request that carries a body."""
    for ex in iter_examples(spec):
        if not ex.request:
            continue
        params = ex.request.get("parameters", {})
        body = params.get("body", {}).get("value") if isinstance(params, dict) else None
        if isinstance(body, dict) and body:
            yield ex.method, ex.path, ex.operation_id, body
