"""Validate JSON through Amazon's official Python SDK (`amzn-sp-api`, a test dependency).

The SDK's models are generated from the same published SP-API models, so they travel with the
repository's lock file and need no files outside it. The SDK itself is lenient (it drops fields
it does not know and coerces scalars with `str()` / `int()`), so a body is accepted only when it
deserializes with client-side validation on (required fields, enums) *and* serializes back to
the same JSON: an unknown field, a number where the model says string, or an object where it
says list is a problem, as it would be for a client generated from the model.

The stricter layer, JSON Schema against the model files themselves, is `spec_validation`
(used whenever `VENDOR_PIPELINES_SPECS_DIR` names them).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

# The SDK's API packages that hold the vendor operations (and reports, which vendors pull).
SDK_PACKAGES = ("vendor_", "reports_")


@dataclass(frozen=True)
class SdkOperation:
    method: str
    path: str  # template, as in the published model
    sdk_method: str  # the SDK's method name, e.g. get_purchase_orders
    models_module: str  # e.g. spapi.models.vendor_orders_v1
    response_type: str | None  # class name of the success body
    body_type: str | None  # class name of the request body

    def model(self, name: str) -> type | None:
        return getattr(importlib.import_module(self.models_module), name, None)


@functools.cache
def _configuration():
    """One SDK configuration for the process, made the SDK's default.

    Every generated model builds a `Configuration()` of its own unless a default is set, and
    each new one adds a log handler to the `spapi` and `urllib3` loggers, which are never
    removed: reading one listing page built ~15,000 models and left as many handlers, each
    later `addHandler` scanning them all (quadratic; a test worker validating many pages spent
    minutes there, and every urllib3 log line went to every handler). With a default, a model
    copies it instead."""
    from spapi import Configuration

    configuration = Configuration()
    configuration.client_side_validation = True
    configuration.access_token_cache = None  # no LWA: these clients never send a request
    Configuration.set_default(configuration)
    return configuration


def _api_client():
    from spapi import ApiClient

    return ApiClient(_configuration())


class _CallRecorder:
    """Stands in for the SDK's ApiClient to read what each generated method would call."""

    def __init__(self) -> None:
        self.client_side_validation = True
        self.last: tuple[str, str, dict[str, Any]] | None = None

    def call_api(self, resource_path: str, method: str, *args: Any, **kwargs: Any) -> None:
        self.last = (resource_path, method, kwargs)

    def select_header_accept(self, accepts: list[str]) -> str:
        return ",".join(accepts)

    def select_header_content_type(self, content_types: list[str]) -> str:
        return content_types[0] if content_types else "application/json"


@cache
def sdk_operations() -> dict[tuple[str, str], SdkOperation]:
    """Every vendor (and reports) operation of the SDK, keyed by (METHOD, path template).

    Read from the SDK's generated API classes themselves: each method is called once against a
    recorder, which tells its path, verb, response type and models module; the body type is in
    the generated docstring.
    """
    import spapi.api

    found: dict[tuple[str, str], SdkOperation] = {}
    for package in pkgutil.iter_modules(spapi.api.__path__):
        if not package.name.startswith(SDK_PACKAGES):
            continue
        pkg = importlib.import_module(f"spapi.api.{package.name}")
        for sub in pkgutil.iter_modules(pkg.__path__):
            module = importlib.import_module(f"spapi.api.{package.name}.{sub.name}")
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ == module.__name__ and cls.__name__.endswith("Api"):
                    found.update(_operations_of(cls))
    return found


def _operations_of(cls: type) -> dict[tuple[str, str], SdkOperation]:
    recorder = _CallRecorder()
    api = cls(recorder)
    out: dict[tuple[str, str], SdkOperation] = {}
    for name, method in inspect.getmembers(api, inspect.ismethod):
        if name.startswith("_") or name.endswith("_with_http_info"):
            continue
        required = [
            p
            for p in inspect.signature(method).parameters.values()
            if p.kind is p.POSITIONAL_OR_KEYWORD
        ]
        recorder.last = None
        method(*["x"] * len(required))
        if recorder.last is None:
            continue
        path, verb, kwargs = recorder.last
        body = re.search(r":param (\w+) body:", method.__doc__ or "")
        op = SdkOperation(
            verb.upper(),
            path,
            name,
            kwargs["api_models_module"],
            kwargs.get("response_type"),
            body.group(1) if body else None,
        )
        out[(op.method, op.path)] = op
    return out


def sdk_operation(method: str, path: str) -> SdkOperation | None:
    return sdk_operations().get((method.upper(), path))


def model_problems(models_module: str, type_name: str, body: Any) -> list[str]:
    """Problems of `body` as an instance of the SDK model `type_name` ([] = accepted)."""
    client = _api_client()
    client.api_models_module = models_module
    try:
        instance = client._ApiClient__deserialize(body, type_name)
    except (ValueError, TypeError, AttributeError) as error:
        return [f"<root>: {type_name} refused it: {error}"]
    except Exception as error:  # the SDK's ApiException for unparsable dates
        return [f"<root>: {type_name} refused it: {getattr(error, 'reason', error)}"]
    return _differences(body, client.sanitize_for_serialization(instance), "")


def response_problems(method: str, path: str, status: int, body: Any) -> list[str]:
    """Problems of `body` as the `status` response of an operation, by the SDK's models.

    Success bodies are read as the operation's response type; error bodies as the model's
    `ErrorList` where it has one (the v1 APIs put `errors` in the response type itself).
    """
    op = sdk_operation(method, path)
    if op is None:
        return []  # the SDK has no model for it: only the JSON-schema layer can judge it
    if body in (None, b"", ""):
        return [] if op.response_type is None or status >= 300 else ["empty body"]
    type_name = op.response_type
    if status >= 400 and op.model("ErrorList") is not None:
        type_name = "ErrorList"
    if type_name is None:
        return [f"{op.sdk_method} {status} has no body in the SDK"]
    return model_problems(op.models_module, type_name, body)


def request_problems(method: str, path: str, body: Any) -> list[str]:
    """Problems of a request body by the SDK's model of the operation's body."""
    op = sdk_operation(method, path)
    if op is None or op.body_type is None:
        return []
    return model_problems(op.models_module, op.body_type, body)


def _same_scalar(original: Any, rebuilt: Any) -> bool:
    if type(original) is type(rebuilt) and original == rebuilt:
        return True
    if isinstance(original, str) and isinstance(rebuilt, str):
        # date-time fields come back in Python's isoformat spelling of the same instant
        for parse in (datetime.fromisoformat, date.fromisoformat):
            try:
                return parse(original) == parse(rebuilt)
            except ValueError:
                continue
        return False
    # JSON has one number type: 5 and 5.0 are the same number
    numbers = (int, float)
    return (
        isinstance(original, numbers)
        and isinstance(rebuilt, numbers)
        and not isinstance(original, bool)
        and not isinstance(rebuilt, bool)
        and original == rebuilt
    )


def _differences(original: Any, rebuilt: Any, where: str) -> list[str]:
    here = where or "<root>"
    if isinstance(original, dict):
        if not isinstance(rebuilt, dict):
            return [f"{here}: an object where the model has {type(rebuilt).__name__}"]
        out: list[str] = []
        for key, value in original.items():
            child = f"{where}.{key}" if where else key
            if key not in rebuilt:
                if value is not None:
                    out.append(f"{child}: not a field of the model")
                continue
            out += _differences(value, rebuilt[key], child)
        return out
    if isinstance(original, list):
        if not isinstance(rebuilt, list) or len(rebuilt) != len(original):
            return [f"{here}: a list where the model has {type(rebuilt).__name__}"]
        out = []
        for i, (a, b) in enumerate(zip(original, rebuilt, strict=True)):
            out += _differences(a, b, f"{where}.{i}" if where else str(i))
        return out
    if _same_scalar(original, rebuilt):
        return []
    return [f"{here}: {original!r} is not what the model holds ({rebuilt!r})"]
