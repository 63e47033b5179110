"""Wire-level pieces of the Amazon sandbox: error shapes, request context, query parsing, paging.

Shared by every route module; nothing here knows about a particular API family.
"""

from __future__ import annotations

import base64
import functools
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

from vendor_pipelines.amazon.operations import Operation

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
    # The parameters the handler works with: the request's, or a resumed listing's.
    params: QueryParams | None = None
    listing: Listing | None = None

    @property
    def query(self) -> QueryParams:
        return self.params if self.params is not None else self.request.query_params


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
    # A later page of a listing continues the window its first page was checked with: with no
    # end date, "now" has moved on since, and Amazon does not refuse a token for that.
    continuing = ctx.listing is not None and ctx.listing.after is not None
    if not continuing and hi - lo > MAX_WINDOW + timedelta(seconds=1):
        raise bad_request(
            f"The date range between {after_name} and {before_name} must not exceed 7 days."
        )
    return lo, hi


# --- listings paged with nextToken ----------------------------------------------------------

# Not part of what a listing selects: the token itself, the page size (a client may change it
# from page to page) and the marketplace ids some clients add to every GET (Amazon ignores them).
NOT_FILTERS = frozenset({"nextToken", "limit", "MarketplaceId", "MarketplaceIds", "marketplaceIds"})

Filters = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Listing:
    """One paged listing: its operation, the filters of its first page, the last key sent.

    The token carries all three (opaque base64 JSON), so a token alone can continue with the
    first page's filters without any listing kept server-side: every process serving one state
    file continues any other's listing.
    """

    operation: str
    filters: Filters
    after: list[Any] | None = None  # sort key of the last record sent; None = first page

    def token(self, after: list[Any]) -> str:
        raw = json.dumps([self.operation, self.filters, after], separators=(",", ":"))
        return base64.b64encode(raw.encode()).decode()

    @classmethod
    def from_token(cls, token: str) -> Listing:
        try:
            operation, filters, after = json.loads(base64.b64decode(token.encode(), validate=True))
            return cls(str(operation), tuple((str(k), str(v)) for k, v in filters), list(after))
        except (ValueError, TypeError):
            raise bad_request("Invalid nextToken.", "The token is malformed.") from None


def listing_filters(params: QueryParams) -> Filters:
    return tuple(sorted((k, v) for k, v in params.multi_items() if k not in NOT_FILTERS))


def resume_listing(ctx: Ctx) -> None:
    """Before a list handler reads its parameters: which listing this page belongs to.

    A `nextToken` alone continues its listing with the first page's filters: Amazon's vendor
    tokens carry only a position, and the official SDK and the community client send the token
    by itself. The token sent with the very filters of the first page (what Amazon's examples
    and our own client do) is the same request. A token with *other* filters is refused: the
    position belongs to the first listing's order and selection, so applying it to another
    selection silently skips or repeats records, which is exactly the client bug a simulator
    should make loud rather than answer with plausible pages (Amazon documents the same refusal
    for the Reports API's getReports).
    """
    token = ctx.request.query_params.get("nextToken")
    sent = listing_filters(ctx.request.query_params)
    if not token:
        ctx.listing = Listing(ctx.key, sent)
        return
    listing = Listing.from_token(token)
    if listing.operation != ctx.key:
        raise bad_request("Invalid nextToken.", "The token was issued by another operation.")
    if sent and sent != listing.filters:
        raise bad_request(
            "Invalid nextToken.",
            "Send nextToken alone, or with the same filters as on the first page.",
        )
    if not sent:
        limit = [(k, v) for k, v in ctx.request.query_params.multi_items() if k == "limit"]
        ctx.params = QueryParams([*listing.filters, *limit, ("nextToken", token)])
    ctx.listing = listing


ListHandler = TypeVar("ListHandler", bound=Callable[..., Awaitable[Response]])


def paged(handler: ListHandler) -> ListHandler:
    """Mark a route handler as a listing paged with `nextToken` (see `resume_listing`)."""

    @functools.wraps(handler)
    async def resumed(self: Any, ctx: Ctx) -> Response:
        resume_listing(ctx)
        return await handler(self, ctx)

    return resumed  # type: ignore[return-value]


def paginate(
    ctx: Ctx,
    records: list[dict[str, Any]],
    sort_key: Callable[[dict[str, Any]], list[Any]],
    limit: int,
    descending: bool,
) -> tuple[list[dict[str, Any]], str | None]:
    """Keyset pagination: the token holds the sort key of the last record sent."""
    listing = ctx.listing
    if listing is None:
        raise RuntimeError(f"{ctx.key} pages records but its handler is not @paged")
    ordered = sorted(records, key=sort_key, reverse=descending)
    if listing.after is not None:
        last = listing.after
        if descending:
            ordered = [r for r in ordered if sort_key(r) < last]
        else:
            ordered = [r for r in ordered if sort_key(r) > last]
    page = ordered[:limit]
    next_token = None
    if len(ordered) > limit:
        next_token = listing.token(sort_key(page[-1]))
    return page, next_token


def page_body(field: str, page: list[dict[str, Any]], token: str | None) -> dict[str, Any]:
    """A list's answer: the page under `field`, and the next page's token when there is one."""
    body: dict[str, Any] = {field: page}
    if token:
        body["pagination"] = {"nextToken": token}
    return body


def by_creation(doc: dict[str, Any]) -> list[Any]:
    """The order in which stored purchase orders (RP and DF) are listed and paged."""
    return [doc["createdAt"], doc["order"]["purchaseOrderNumber"]]


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
