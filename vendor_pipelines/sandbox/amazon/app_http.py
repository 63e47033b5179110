"""Wire-level pieces of the Amazon sandbox: error shapes, request context, query parsing, paging.

Shared by every route module; nothing here knows about a particular API family.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from vendor_pipelines.amazon.operations import Operation
from vendor_pipelines.amazon.ratelimit import RateLimit

from .state import parse_time

QUOTA_EXCEEDED = {
    "errors": [
        {
            "code": "QuotaExceeded",
            "message": "You exceeded your quota for the requested resource.",
            "details": "",
        }
    ]
}
INTERNAL_FAILURE = {
    "code": "InternalFailure",
    "message": "We encountered an internal error. Please try again.",
    "details": "",
}
SERVICE_UNAVAILABLE = {
    "code": "ServiceUnavailable",
    "message": "Service temporarily unavailable. Please try again later.",
    "details": "",
}
MAX_WINDOW = timedelta(days=7)
MAX_BODY = 10 * 1024 * 1024
EXTRA_OPERATIONS = {
    "dfSandbox.generateOrderScenarios": RateLimit(5, 15),
    "dfSandbox.getOrderScenarios": RateLimit(5, 15),
}


def amazon_error_body(status: int) -> dict[str, Any]:
    """How an injected fault looks on the wire."""
    if status == 429:
        return json.loads(json.dumps(QUOTA_EXCEEDED))
    return {"errors": [dict(SERVICE_UNAVAILABLE if status == 503 else INTERNAL_FAILURE)]}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: str = "",
        extra: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.errors = [{"code": code, "message": message, "details": details}] + (extra or [])
        self.headers = headers or {}


def bad_request(message: str, details: str = "") -> ApiError:
    return ApiError(400, "InvalidInput", message, details)


@dataclass
class Ctx:
    request: Request
    op: Operation | None
    key: str
    path_params: dict[str, str]
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    rate: float | None = None

    @property
    def query(self):
        return self.request.query_params


Handler = Callable[[Ctx], Awaitable[Response]]


# --- parameter parsing ------------------------------------------------------------------------


def q_int(ctx: Ctx, name: str, low: int, high: int, default: int) -> int:
    raw = ctx.query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(
            f"Invalid value for parameter {name}: {raw!r} is not an integer."
        ) from None
    if not low <= value <= high:
        raise bad_request(f"Invalid value for parameter {name}: must be between {low} and {high}.")
    return value


def q_time(ctx: Ctx, name: str, required: bool = False) -> datetime | None:
    raw = ctx.query.get(name)
    if raw is None or raw == "":
        if required:
            raise bad_request(f"Missing required parameter {name}.")
        return None
    try:
        value = datetime.fromisoformat(raw.strip().replace(" ", "+"))
    except ValueError:
        raise bad_request(
            f"Invalid value for parameter {name}: {raw!r} is not an ISO-8601 date-time."
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def q_enum(ctx: Ctx, name: str, allowed: tuple[str, ...]) -> str | None:
    raw = ctx.query.get(name)
    if raw is None:
        return None
    if raw not in allowed:
        raise bad_request(
            f"Invalid value for parameter {name}: {raw!r}; valid values: {', '.join(allowed)}."
        )
    return raw


def q_bool(ctx: Ctx, name: str, default: bool) -> bool:
    raw = ctx.query.get(name)
    if raw is None:
        return default
    if raw.lower() not in ("true", "false"):
        raise bad_request(f"Invalid value for parameter {name}: {raw!r} is not true or false.")
    return raw.lower() == "true"


def window(
    ctx: Ctx, after_name: str, before_name: str, *, required: bool = False
) -> tuple[datetime | None, datetime | None]:
    after = q_time(ctx, after_name, required)
    before = q_time(ctx, before_name, required)
    if after is None and before is None:
        return None, None
    now = datetime.now(UTC)
    lo = after or (before - MAX_WINDOW)  # type: ignore[operator]
    hi = before or now
    if hi < lo:
        raise bad_request(f"{before_name} must be after {after_name}.")
    if hi - lo > MAX_WINDOW + timedelta(seconds=1):
        raise bad_request(
            f"The date range between {after_name} and {before_name} must not exceed 7 days."
        )
    return lo, hi


def encode_token(position: list[Any], fingerprint: str) -> str:
    raw = json.dumps([position, fingerprint], separators=(",", ":")).encode()
    return base64.b64encode(raw).decode()


def decode_token(token: str, fingerprint: str) -> list[Any]:
    try:
        position, seen = json.loads(base64.b64decode(token.encode(), validate=True))
    except (ValueError, TypeError):
        raise bad_request("Invalid nextToken.", "The token is malformed.") from None
    if seen != fingerprint:
        raise bad_request(
            "Invalid nextToken.", "Send the same filters with nextToken as on the first page."
        )
    return position


def paginate(
    ctx: Ctx,
    records: list[dict[str, Any]],
    sort_key: Callable[[dict[str, Any]], list[Any]],
    limit: int,
    descending: bool,
) -> tuple[list[dict[str, Any]], str | None]:
    """Keyset pagination: the token holds the sort key of the last record sent."""
    skip = {"nextToken", "limit", "MarketplaceId", "MarketplaceIds", "marketplaceIds"}
    filters = sorted((k, v) for k, v in ctx.query.multi_items() if k not in skip)
    fingerprint = hashlib.sha256(json.dumps([ctx.key, filters]).encode()).hexdigest()[:16]
    ordered = sorted(records, key=sort_key, reverse=descending)
    token = ctx.query.get("nextToken")
    if token:
        last = decode_token(token, fingerprint)
        if descending:
            ordered = [r for r in ordered if sort_key(r) < last]
        else:
            ordered = [r for r in ordered if sort_key(r) > last]
    page = ordered[:limit]
    next_token = None
    if len(ordered) > limit:
        next_token = encode_token(sort_key(page[-1]), fingerprint)
    return page, next_token


def _s3_error(status: int, code: str, message: str) -> Response:
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
        f"<Message>{message}</Message></Error>"
    )
    return Response(body, status, media_type="application/xml")


def _between(value: str | None, after: datetime | None, before: datetime | None) -> bool:
    moment = parse_time(value)
    if moment is None:
        return False
    if after is not None and moment < after:
        return False
    return not (before is not None and moment > before)


def _loc(parts: tuple[Any, ...]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
