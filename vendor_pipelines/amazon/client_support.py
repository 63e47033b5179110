"""Value types and pure helpers shared by the `AmazonVendorClient` mixins.

Kept apart from the
client classes so every mixin module can import them without a cycle.
"""

from __future__ import annotations

import json
import logging
import platform
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from . import operations as ops
from .errors import AmazonResponseError, ApiErrorDetail
from .models.common import to_body
from .models.transactions import Transaction, TransactionStatus
from .ratelimit import RateLimit
from .windows import utc

log = logging.getLogger("vendor_pipelines.amazon")

M = TypeVar("M", bound=BaseModel)

DEFAULT_RATE_LIMITS: dict[str, RateLimit] = {
    key: RateLimit(op.rate, op.burst) for key, op in ops.OPERATIONS.items()
}


@dataclass(frozen=True)
class Submission:
    """What an asynchronous submit returns: poll `transaction_id` on the matching status API."""

    transaction_id: str
    api: Literal["rp", "df"]
    operation: str


@dataclass
class InvalidRecord:
    """A list record that did not match its model; passed to `on_invalid` callbacks."""

    operation: str
    field: str
    problem: str
    raw: Any


@dataclass
class ClientStats:
    requests: int = 0  # HTTP attempts sent
    responses: dict[int, int] = field(default_factory=dict)
    transport_errors: int = 0
    retries: int = 0
    token_refreshes: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count_response(self, status: int) -> None:
        with self._lock:
            self.responses[status] = self.responses.get(status, 0) + 1

    def bump(self, name: str) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + 1)


def _fmt_time(value: datetime | None) -> str | None:
    if value is None:
        return None
    return utc(value).isoformat().replace("+00:00", "Z")


def _flag(value: bool | None) -> str | None:
    return None if value is None else ("true" if value else "false")


def _enum(value: Any) -> Any:
    return getattr(value, "value", value)


def _validation_field(exc: ValidationError, prefix: str = "") -> tuple[str, str]:
    """(where, what is wrong) of a model's first complaint, the offending value included.

    The value matters to the person who reads a quarantine reason: "Input should be a valid
    integer" does not say whether Amazon sent 1.5, "abc" or nothing at all.
    """
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in first.get("loc", ()))
    where = ".".join(p for p in (prefix, loc) if p) or "<body>"
    problem = first.get("msg", "invalid")
    value = first.get("input")
    if first.get("type") != "missing" and isinstance(value, str | int | float | bool):
        problem = f"{problem}, not {json.dumps(value)}"
    return where, problem


def _transaction(status: TransactionStatus, key: str) -> Transaction:
    if status.transactionStatus is None:
        raise AmazonResponseError(key, "transactionStatus", "missing")
    return status.transactionStatus


def _request_body(value: Any, model: type[M], list_field: str) -> M:
    """A request model from a model, a full request dict, or just the list of documents."""
    if isinstance(value, model):
        return value
    if isinstance(value, dict) and list_field in value:
        return model.model_validate(value)
    return model.model_validate({list_field: to_body(value)})


def _as_model(model: type[M], value: Any) -> M:
    if isinstance(value, model):
        return value
    return model.model_validate(to_body(value) if not isinstance(value, dict) else value)


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(str(value), safe="")


def _error_details(response: httpx.Response) -> list[ApiErrorDetail]:
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()[:200]
        return [ApiErrorDetail(f"HTTP{response.status_code}", text or response.reason_phrase)]
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, dict):  # DF 2021-12-28 ErrorList nested by mistake
            errors = errors.get("errors")
        if isinstance(errors, list):
            return [ApiErrorDetail.from_json(e) for e in errors]
        if "message" in body or "Message" in body:
            return [
                ApiErrorDetail(
                    str(body.get("code", f"HTTP{response.status_code}")),
                    str(body.get("message", body.get("Message"))),
                )
            ]
    return [ApiErrorDetail(f"HTTP{response.status_code}", response.reason_phrase)]


def _token_problem(response: httpx.Response, errors: list[ApiErrorDetail]) -> bool:
    error_type = response.headers.get("x-amzn-ErrorType", "")
    if error_type.startswith(("ExpiredToken", "InvalidToken", "UnrecognizedClient")):
        return True
    text = " ".join(f"{e.code} {e.message} {e.details or ''}" for e in errors).lower()
    return any(word in text for word in ("expired", "revoked", "malformed", "invalid token"))


def _default_user_agent() -> str:
    return (
        f"vendor-pipelines/0.1 (Language=Python/{platform.python_version()}; "
        f"Platform={platform.system()})"
    )
