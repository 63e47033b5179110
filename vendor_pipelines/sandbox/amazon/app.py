"""The Amazon SP-API (vendor) simulator as an ASGI app: same paths, bodies and error shapes.

`create_app(world, store, faults)` serves, on one host:

* Retail Procurement: orders, acknowledgements, order status, shipment confirmations (ASN),
  transport requests and shipment details, invoices, transaction status (v1, `payload` wrapper);
* Direct Fulfillment 2021-12-28 orders and shipping (no wrapper, `ErrorList` errors), DF
  inventory and payments (v1), DF transaction status (2021-12-28 and v1), and the DF sandbox
  test-data API (`generateOrderScenarios`);
* Reports 2021-06-30 (createReport/getReport/getReportDocument, pre-signed gzip documents);
* Login with Amazon at `POST /auth/o2/token` (accepts only the embedded sandbox credentials);
* `/_sandbox/...` helpers: document downloads, `advance` (new orders), `received` (inspection).

Per request, like the real service: route -> access token (`x-amz-access-token`, 403 when
missing/expired/invalid) -> usage-plan token bucket per operation (429 `QuotaExceeded`) ->
parameter/body validation (400 `InvalidInput` naming the field) -> handler. Submissions answer
202 with a transaction id; `rules.py` decides their asynchronous outcome. State lives in the
store (collections `amazon.*`), so several processes serving one state file agree.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from pydantic import BaseModel, ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from vendor_pipelines.amazon.models import df_inventory as dfi
from vendor_pipelines.amazon.models import df_orders as dfo
from vendor_pipelines.amazon.models import df_payments as dfp
from vendor_pipelines.amazon.models import df_shipping as dfs
from vendor_pipelines.amazon.models import invoices as inv
from vendor_pipelines.amazon.models import orders as rpo
from vendor_pipelines.amazon.models import reports as rep
from vendor_pipelines.amazon.models import shipments as rps
from vendor_pipelines.amazon.operations import OPERATIONS, Operation
from vendor_pipelines.amazon.ratelimit import RateLimit, TokenBucket
from vendor_pipelines.sandbox.faults import DroppedConnection, FaultInjectionMiddleware, FaultPlan
from vendor_pipelines.sandbox.store import SandboxStore
from vendor_pipelines.sandbox.world import World

from . import reports as report_docs
from . import rules
from .generator import iso
from .state import (
    ASNS,
    DF_LABELS,
    REPORTS,
    TRANSPORT,
    AmazonSandboxState,
    now_utc,
    parse_time,
)

log = logging.getLogger(__name__)

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


# --- the application --------------------------------------------------------------------------


class AmazonSandboxApp:
    def __init__(
        self,
        world: World,
        store: SandboxStore,
        *,
        rate_limits: dict[str, RateLimit | tuple[float, int]] | None = None,
        enforce_rate_limits: bool = True,
        resolution_delay: float = 0.0,
        report_delay: float = 0.0,
        token_lifetime: float = 3600.0,
        fixtures_dir: str | Path | None = None,
        generate: bool = True,
        anchor: datetime | None = None,
        document_url_lifetime: float = 300.0,
    ) -> None:
        self.world = world
        self.state = AmazonSandboxState(
            store, world, resolution_delay=resolution_delay, report_delay=report_delay
        )
        self.state.ensure_seeded(
            generate=generate,
            fixtures_dir=Path(fixtures_dir) if fixtures_dir else None,
            anchor=anchor,
        )
        self.token_lifetime = token_lifetime
        self.enforce_rate_limits = enforce_rate_limits
        self.document_url_lifetime = document_url_lifetime
        limits: dict[str, RateLimit] = {
            k: RateLimit(o.rate, o.burst) for k, o in OPERATIONS.items()
        }
        limits.update(EXTRA_OPERATIONS)
        for key, value in (rate_limits or {}).items():
            limits[key] = value if isinstance(value, RateLimit) else RateLimit(*value)
        self.limits = limits
        self.buckets = {k: TokenBucket(v.rate, v.burst) for k, v in limits.items()}
        self.signing_key = self._signing_key(store)
        self.routes = self._routes()
        self.requests_served: dict[str, int] = {}
        self.throttled: dict[str, int] = {}

    @staticmethod
    def _signing_key(store: SandboxStore) -> bytes:
        with store.transaction():
            key = store.get_meta("amazon.signing_key")
            if key is None:
                key = uuid.uuid4().hex
                store.set_meta("amazon.signing_key", key)
        return key.encode()

    # --- routing -------------------------------------------------------------------------

    def _routes(self) -> list[tuple[str, re.Pattern[str], str, Handler]]:
        handlers: dict[str, Handler] = {
            "orders.getPurchaseOrders": self.get_purchase_orders,
            "orders.getPurchaseOrder": self.get_purchase_order,
            "orders.submitAcknowledgement": self.submit_rp_acknowledgement,
            "orders.getPurchaseOrdersStatus": self.get_purchase_orders_status,
            "shipments.SubmitShipmentConfirmations": self.submit_rp_shipment_confirmations,
            "shipments.SubmitShipments": self.submit_rp_shipments,
            "shipments.GetShipmentDetails": self.get_shipment_details,
            "shipments.GetShipmentLabels": self.get_shipment_labels,
            "invoices.submitInvoices": self.submit_rp_invoices,
            "transactions.getTransaction": self.get_rp_transaction,
            "dfOrders.getOrders": self.get_df_orders,
            "dfOrders.getOrder": self.get_df_order,
            "dfOrders.submitAcknowledgement": self.submit_df_acknowledgement,
            "dfShipping.getShippingLabels": self.get_df_labels,
            "dfShipping.submitShippingLabelRequest": self.submit_df_label_request,
            "dfShipping.getShippingLabel": self.get_df_label,
            "dfShipping.createShippingLabels": self.create_df_labels,
            "dfShipping.submitShipmentConfirmations": self.submit_df_confirmations,
            "dfShipping.submitShipmentStatusUpdates": self.submit_df_status_updates,
            "dfShipping.getPackingSlips": self.get_df_packing_slips,
            "dfShipping.getPackingSlip": self.get_df_packing_slip,
            "dfInventory.submitInventoryUpdate": self.submit_df_inventory,
            "dfPayments.submitInvoice": self.submit_df_invoices,
            "dfTransactions.getTransactionStatus": self.get_df_transaction,
            "dfTransactionsV1.getTransactionStatus": self.get_df_transaction_v1,
            "reports.createReport": self.create_report,
            "reports.getReports": self.get_reports,
            "reports.getReport": self.get_report,
            "reports.cancelReport": self.cancel_report,
            "reports.getReportDocument": self.get_report_document,
        }
        table = []
        for key, op in OPERATIONS.items():
            pattern = re.compile(
                "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(op.path)) + "$"
            )
            table.append((op.method, pattern, key, handlers[key]))
        base = "/vendor/directFulfillment/sandbox/2021-10-28"
        table.append(
            (
                "POST",
                re.compile(f"^{base}/orders$"),
                "dfSandbox.generateOrderScenarios",
                self.generate_order_scenarios,
            )
        )
        table.append(
            (
                "GET",
                re.compile(f"^{base}/transactions/(?P<transactionId>[^/]+)$"),
                "dfSandbox.getOrderScenarios",
                self.get_order_scenarios,
            )
        )
        return table

    async def dispatch(self, request: Request) -> Response:
        path = request.url.path
        method = request.method
        if path == "/auth/o2/token":
            return await self.lwa_token(request)
        if path.startswith("/_sandbox/"):
            return await self.sandbox_admin(request)
        matched = None
        path_matched = False
        for route_method, pattern, key, handler in self.routes:
            found = pattern.match(path)
            if found:
                path_matched = True
                if route_method == method:
                    matched = (key, handler, found.groupdict())
                    break
        if matched is None:
            # API Gateway answers unknown routes (and wrong verbs) like this.
            body = {
                "errors": [
                    {
                        "code": "MissingAuthenticationToken"
                        if not path_matched
                        else "Unauthorized",
                        "message": "Access to requested resource is denied.",
                        "details": "",
                    }
                ]
            }
            return JSONResponse(
                body,
                403,
                headers={
                    "x-amzn-RequestId": str(uuid.uuid4()),
                    "x-amzn-ErrorType": "MissingAuthenticationTokenException",
                },
            )
        key, handler, params = matched
        ctx = Ctx(request, OPERATIONS.get(key), key, params)
        ctx.rate = self.limits[key].rate
        try:
            self.authenticate(request)
            self.throttle(ctx)
            response = await handler(ctx)
        except ApiError as exc:
            response = self.error_response(ctx, exc)
        except Exception:  # a sandbox bug must look like Amazon's 500, and be logged
            log.exception("sandbox handler %s failed", key)
            response = self.error_response(
                ctx, ApiError(500, INTERNAL_FAILURE["code"], INTERNAL_FAILURE["message"])
            )
        self.requests_served[key] = self.requests_served.get(key, 0) + 1
        return response

    def respond(self, ctx: Ctx, status: int, body: Any) -> Response:
        headers = {"x-amzn-RequestId": ctx.request_id}
        if ctx.rate is not None and (200 <= status < 300 or status in (400, 404)):
            headers["x-amzn-RateLimit-Limit"] = str(float(ctx.rate))
        return JSONResponse(body, status, headers=headers)

    def error_response(self, ctx: Ctx, exc: ApiError) -> Response:
        response = self.respond(ctx, exc.status, {"errors": exc.errors})
        for name, value in exc.headers.items():
            response.headers[name] = value
        return response

    # --- cross-cutting: auth and usage plans -----------------------------------------------

    def authenticate(self, request: Request) -> None:
        token = request.headers.get("x-amz-access-token")
        if not token:
            raise ApiError(
                403,
                "Unauthorized",
                "Access to requested resource is denied.",
                "The request has no access token.",
                headers={"x-amzn-ErrorType": "AccessDeniedException"},
            )
        expires = self.state.token_expiry(token)
        if expires is None:
            raise ApiError(
                403,
                "Unauthorized",
                "Access to requested resource is denied.",
                "The access token you provided is revoked, malformed or invalid.",
                headers={"x-amzn-ErrorType": "InvalidTokenException"},
            )
        if time.time() >= expires:
            raise ApiError(
                403,
                "Unauthorized",
                "Access to requested resource is denied.",
                "The access token you provided has expired.",
                headers={"x-amzn-ErrorType": "ExpiredTokenException"},
            )

    def throttle(self, ctx: Ctx) -> None:
        if not self.enforce_rate_limits:
            return
        bucket = self.buckets[ctx.key]
        if not bucket.acquire(timeout=0):
            self.throttled[ctx.key] = self.throttled.get(ctx.key, 0) + 1
            ctx.rate = None  # no x-amzn-RateLimit-Limit on 429
            raise ApiError(429, **QUOTA_EXCEEDED["errors"][0])

    async def lwa_token(self, request: Request) -> Response:
        from vendor_pipelines.sandbox.embedded import (
            SANDBOX_LWA_CLIENT_ID,
            SANDBOX_LWA_CLIENT_SECRET,
            SANDBOX_LWA_REFRESH_TOKEN,
        )

        if request.method != "POST":
            return JSONResponse({"error": "invalid_request", "error_description": "Use POST."}, 405)
        raw = await request.body()
        content_type = request.headers.get("content-type", "")
        try:
            if "json" in content_type:
                form = {k: str(v) for k, v in json.loads(raw or b"{}").items()}
            else:
                form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()}
        except (ValueError, AttributeError, UnicodeDecodeError):
            form = {}

        def lwa_error(status: int, error: str, description: str) -> Response:
            return JSONResponse({"error": error, "error_description": description}, status)

        grant = form.get("grant_type")
        if not grant:
            return lwa_error(
                400, "invalid_request", "The request is missing a required parameter : grant_type"
            )
        if grant != "refresh_token":
            return lwa_error(
                400,
                "unsupported_grant_type",
                f"The authorization grant type {grant} is not supported",
            )
        for name in ("refresh_token", "client_id", "client_secret"):
            if not form.get(name):
                return lwa_error(
                    400, "invalid_request", f"The request is missing a required parameter : {name}"
                )
        client_ok = hmac.compare_digest(form["client_id"], SANDBOX_LWA_CLIENT_ID) and (
            hmac.compare_digest(form["client_secret"], SANDBOX_LWA_CLIENT_SECRET)
        )
        if not client_ok:
            return lwa_error(401, "invalid_client", "Client authentication failed")
        if not hmac.compare_digest(form["refresh_token"], SANDBOX_LWA_REFRESH_TOKEN):
            return lwa_error(
                400, "invalid_grant", "The request has an invalid grant parameter : refresh_token"
            )
        token = self.state.issue_token(self.token_lifetime)
        return JSONResponse(
            {
                "access_token": token,
                "refresh_token": form["refresh_token"],
                "token_type": "bearer",
                "expires_in": int(self.token_lifetime)
                if self.token_lifetime >= 1
                else (self.token_lifetime),
            }
        )

    # --- bodies ----------------------------------------------------------------------------

    async def json_body(self, ctx: Ctx) -> dict[str, Any]:
        content_type = ctx.request.headers.get("content-type", "application/json")
        if "json" not in content_type:
            raise ApiError(
                415, "InvalidInput", "Unsupported content type; use application/json.", content_type
            )
        raw = await ctx.request.body()
        if len(raw) > MAX_BODY:
            raise ApiError(413, "InvalidInput", "The request body is too large.")
        try:
            body = json.loads(raw or b"")
        except ValueError as exc:
            raise bad_request("The request body is not valid JSON.", str(exc)) from None
        if not isinstance(body, dict):
            raise bad_request("The request body must be a JSON object.")
        return body

    async def parse(self, ctx: Ctx, model: type[BaseModel]) -> tuple[Any, dict[str, Any]]:
        body = await self.json_body(ctx)
        try:
            return model.model_validate(body), body
        except ValidationError as exc:
            validation = exc
            problems = []
            for error in exc.errors()[:10]:
                loc = _loc(error.get("loc", ()))
                problems.append(
                    {
                        "code": "InvalidInput",
                        "message": f"{loc}: {error.get('msg', 'invalid')}" if loc else error["msg"],
                        "details": f"Invalid or missing value for {loc or 'the request body'}.",
                    }
                )
            first = problems[0]
            raise ApiError(
                400, first["code"], first["message"], first["details"], problems[1:]
            ) from validation

    def accepted(self, ctx: Ctx, txn: dict[str, Any]) -> Response:
        ref = {"transactionId": txn["transactionId"]}
        body = {"payload": ref} if ctx.op is not None and ctx.op.wrapped else ref
        return self.respond(ctx, 202, body)

    # --- Retail Procurement ----------------------------------------------------------------

    def _rp_view(self, doc: dict[str, Any], details: bool) -> dict[str, Any]:
        order = doc["order"]
        if not details:
            return {
                "purchaseOrderNumber": order["purchaseOrderNumber"],
                "purchaseOrderState": order["purchaseOrderState"],
            }
        return order

    async def get_purchase_orders(self, ctx: Ctx) -> Response:
        limit = q_int(ctx, "limit", 1, 100, 100)
        created = window(ctx, "createdAfter", "createdBefore")
        changed = window(ctx, "changedAfter", "changedBefore")
        sort = q_enum(ctx, "sortOrder", ("ASC", "DESC")) or "ASC"
        details = q_bool(ctx, "includeDetails", True)
        item_state = q_enum(ctx, "poItemState", ("Cancelled",))
        changed_only = q_bool(ctx, "isPOChanged", False)
        po_state = q_enum(ctx, "purchaseOrderState", ("New", "Acknowledged", "Closed"))
        vendor = ctx.query.get("orderingVendorCode")
        if created == (None, None) and changed == (None, None):
            created = (datetime.now(UTC) - MAX_WINDOW, datetime.now(UTC))
        selected = []
        for doc in self.state.rp_orders().values():
            if created[0] is not None and not _between(doc["createdAt"], *created):
                continue
            if changed[0] is not None and not _between(doc["changedAt"], *changed):
                continue
            order = doc["order"]
            if po_state and order["purchaseOrderState"] != po_state:
                continue
            if vendor and doc["vendor"] != vendor:
                continue
            if changed_only and not order["orderDetails"].get("purchaseOrderChangedDate"):
                continue
            if item_state and not any(line["cancelled"] for line in doc["lines"].values()):
                continue
            selected.append(doc)
        page, token = paginate(
            ctx,
            selected,
            lambda d: [d["createdAt"], d["order"]["purchaseOrderNumber"]],
            limit,
            sort == "DESC",
        )
        payload: dict[str, Any] = {"orders": [self._rp_view(d, details) for d in page]}
        if token:
            payload["pagination"] = {"nextToken": token}
        return self.respond(ctx, 200, {"payload": payload})

    async def get_purchase_order(self, ctx: Ctx) -> Response:
        po = ctx.path_params["purchaseOrderNumber"]
        doc = self.state.rp_orders().get(po)
        if doc is None:
            raise ApiError(404, "ResourceNotFound", f"Purchase order {po} was not found.", po)
        return self.respond(ctx, 200, {"payload": doc["order"]})

    def _status_view(self, doc: dict[str, Any]) -> dict[str, Any]:
        order = doc["order"]
        details = order["orderDetails"]
        items = []
        for item in details["items"]:
            line = doc["lines"][item["itemSequenceNumber"]]
            each = {"amount": 0, "unitOfMeasure": "Eaches", "unitSize": 1}
            quantity_details = [
                {
                    "updatedDate": details.get("purchaseOrderChangedDate")
                    or details["purchaseOrderDate"],
                    "orderedQuantity": item["orderedQuantity"],
                    "cancelledQuantity": {**each, "amount": line["cancelled"]},
                }
            ]
            status = rules.confirmation_status(line)
            if line["received"] == 0:
                receive = "NOT_RECEIVED"
            elif line["received"] < line["accepted"] + line["backordered"]:
                receive = "PARTIALLY_RECEIVED"
            else:
                receive = "RECEIVED"
            entry: dict[str, Any] = {
                "itemSequenceNumber": item["itemSequenceNumber"],
                "buyerProductIdentifier": item.get("amazonProductIdentifier"),
                "vendorProductIdentifier": item.get("vendorProductIdentifier"),
                "netCost": item.get("netCost"),
                "listPrice": item.get("listPrice"),
                "orderedQuantity": {
                    "orderedQuantity": item["orderedQuantity"],
                    "orderedQuantityDetails": quantity_details,
                },
                "acknowledgementStatus": {
                    "confirmationStatus": status,
                    "acceptedQuantity": {**each, "amount": line["accepted"] + line["backordered"]},
                    "rejectedQuantity": {**each, "amount": line["rejected"]},
                    "acknowledgementStatusDetails": [
                        {
                            "acknowledgementDate": h["date"],
                            "acceptedQuantity": {**each, "amount": h["accepted"]},
                            "rejectedQuantity": {**each, "amount": h["rejected"]},
                        }
                        for h in line["ackHistory"]
                    ],
                },
                "receivingStatus": {
                    "receiveStatus": receive,
                    "receivedQuantity": {**each, "amount": line["received"]},
                },
            }
            if line["lastReceiveDate"]:
                entry["receivingStatus"]["lastReceiveDate"] = line["lastReceiveDate"]
            items.append({k: v for k, v in entry.items() if v is not None})
        return {
            "purchaseOrderNumber": order["purchaseOrderNumber"],
            "purchaseOrderStatus": "CLOSED" if order["purchaseOrderState"] == "Closed" else "OPEN",
            "purchaseOrderDate": details["purchaseOrderDate"],
            "lastUpdatedDate": doc["lastUpdated"],
            "sellingParty": {"partyId": doc["vendor"]},
            "shipToParty": {"partyId": details.get("shipToParty", {}).get("partyId", "")},
            "itemStatus": items,
        }

    async def get_purchase_orders_status(self, ctx: Ctx) -> Response:
        limit = q_int(ctx, "limit", 1, 100, 100)
        sort = q_enum(ctx, "sortOrder", ("ASC", "DESC")) or "ASC"
        created = window(ctx, "createdAfter", "createdBefore")
        updated = window(ctx, "updatedAfter", "updatedBefore")
        po = ctx.query.get("purchaseOrderNumber")
        po_status = q_enum(ctx, "purchaseOrderStatus", ("OPEN", "CLOSED"))
        confirmation = q_enum(
            ctx,
            "itemConfirmationStatus",
            ("ACCEPTED", "PARTIALLY_ACCEPTED", "REJECTED", "UNCONFIRMED"),
        )
        receive = q_enum(
            ctx, "itemReceiveStatus", ("NOT_RECEIVED", "PARTIALLY_RECEIVED", "RECEIVED")
        )
        vendor = ctx.query.get("orderingVendorCode")
        ship_to = ctx.query.get("shipToPartyId")
        if created == (None, None) and updated == (None, None) and not po:
            created = (datetime.now(UTC) - MAX_WINDOW, datetime.now(UTC))
        selected = []
        for doc in self.state.rp_orders().values():
            order = doc["order"]
            if po and order["purchaseOrderNumber"] != po:
                continue
            if created[0] is not None and not _between(doc["createdAt"], *created):
                continue
            if updated[0] is not None and not _between(doc["lastUpdated"], *updated):
                continue
            if vendor and doc["vendor"] != vendor:
                continue
            closed = order["purchaseOrderState"] == "Closed"
            if po_status and (po_status == "CLOSED") != closed:
                continue
            fc = order["orderDetails"].get("shipToParty", {}).get("partyId")
            if ship_to and fc != ship_to:
                continue
            if confirmation or receive:
                view = self._status_view(doc)
                if confirmation and not any(
                    i["acknowledgementStatus"]["confirmationStatus"] == confirmation
                    for i in view["itemStatus"]
                ):
                    continue
                if receive and not any(
                    i["receivingStatus"]["receiveStatus"] == receive for i in view["itemStatus"]
                ):
                    continue
            selected.append(doc)
        docs, token = paginate(
            ctx,
            selected,
            lambda d: [d["createdAt"], d["order"]["purchaseOrderNumber"]],
            limit,
            sort == "DESC",
        )
        page = [self._status_view(d) for d in docs]
        payload: dict[str, Any] = {"ordersStatus": page}
        if token:
            payload["pagination"] = {"nextToken": token}
        return self.respond(ctx, 200, {"payload": payload})

    async def _submit(
        self,
        ctx: Ctx,
        model: type[BaseModel],
        kind: str,
        api: str,
        refs: Callable[[Any, dict[str, Any]], list[tuple[str, dict[str, Any], list[str]]]],
        evaluate: Callable[[Any, dict[str, Any]], rules.Evaluation],
        salt: str = "",
    ) -> Response:
        request, raw = await self.parse(ctx, model)
        txn = rules.submit(
            self.state,
            kind,
            api,
            raw,
            refs(request, raw),
            lambda: evaluate(request, raw),
            ctx.request_id,
            salt,
        )
        return self.accepted(ctx, txn)

    async def submit_rp_acknowledgement(self, ctx: Ctx) -> Response:
        return await self._submit(
            ctx,
            rpo.SubmitAcknowledgementRequest,
            "rp_acknowledgements",
            "rp",
            lambda r, raw: [
                (a["purchaseOrderNumber"], a, [a["purchaseOrderNumber"]])
                for a in raw.get("acknowledgements", [])
            ],
            lambda r, raw: rules.evaluate_rp_acknowledgements(self.state, r),
        )

    async def submit_rp_shipment_confirmations(self, ctx: Ctx) -> Response:
        def refs(request: rps.SubmitShipmentConfirmationsRequest, raw: dict[str, Any]):
            out = []
            for conf, body in zip(
                request.shipmentConfirmations or [],
                raw.get("shipmentConfirmations", []),
                strict=False,
            ):
                pos = _asn_purchase_orders(conf)
                out.append((conf.shipmentIdentifier, body, pos))
            return out

        return await self._submit(
            ctx,
            rps.SubmitShipmentConfirmationsRequest,
            "rp_shipment_confirmations",
            "rp",
            refs,
            lambda r, raw: rules.evaluate_rp_shipment_confirmations(self.state, r),
        )

    async def submit_rp_shipments(self, ctx: Ctx) -> Response:
        return await self._submit(
            ctx,
            rps.SubmitShipments,
            "rp_shipments",
            "rp",
            lambda r, raw: [
                (
                    s.get("vendorShipmentIdentifier", ""),
                    s,
                    [p.get("purchaseOrderNumber", "") for p in s.get("purchaseOrders", [])],
                )
                for s in raw.get("shipments", [])
            ],
            lambda r, raw: rules.evaluate_rp_shipments(self.state, r),
        )

    async def submit_rp_invoices(self, ctx: Ctx) -> Response:
        return await self._submit(
            ctx,
            inv.SubmitInvoicesRequest,
            "rp_invoices",
            "rp",
            lambda r, raw: [
                (
                    i.get("id", ""),
                    i,
                    [
                        it.get("purchaseOrderNumber")
                        for it in i.get("items", [])
                        if it.get("purchaseOrderNumber")
                    ],
                )
                for i in raw.get("invoices", [])
            ],
            lambda r, raw: rules.evaluate_rp_invoices(self.state, r, raw),
        )

    def _shipment_view(self, record: dict[str, Any]) -> dict[str, Any]:
        conf = record["body"]
        when = record["confirmedAt"]
        orders = self.state.rp_orders()
        purchase_orders = []
        for po, lines in record["quantities"].items():
            doc = orders.get(po)
            items = []
            for seq, qty in lines.items():
                item = (
                    next(
                        (
                            i
                            for i in doc["order"]["orderDetails"]["items"]
                            if i["itemSequenceNumber"] == seq
                        ),
                        {},
                    )
                    if doc
                    else {}
                )
                items.append(
                    {
                        "itemSequenceNumber": seq,
                        "buyerProductIdentifier": item.get("amazonProductIdentifier"),
                        "vendorProductIdentifier": item.get("vendorProductIdentifier"),
                        "shippedQuantity": {
                            "amount": qty,
                            "unitOfMeasure": "Eaches",
                            "unitSize": 1,
                        },
                    }
                )
            entry: dict[str, Any] = {
                "purchaseOrderNumber": po,
                "items": [{k: v for k, v in i.items() if v is not None} for i in items],
            }
            if doc:
                entry["purchaseOrderDate"] = doc["createdAt"]
            purchase_orders.append(entry)
        containers = []
        for carton in conf.get("cartons", []):
            container: dict[str, Any] = {
                "containerType": "carton",
                "containerSequenceNumber": carton["cartonSequenceNumber"],
                "containerIdentifiers": carton.get("cartonIdentifiers", []),
                "packedItems": [
                    {
                        "itemSequenceNumber": i["itemReference"],
                        "packedQuantity": i["shippedQuantity"],
                    }
                    for i in carton.get("items", [])
                ],
            }
            for name in ("trackingNumber", "weight", "dimensions"):
                if name in carton:
                    container[name] = carton[name]
            containers.append(container)
        for pallet in conf.get("pallets", []):
            container = {
                "containerType": "pallet",
                "containerIdentifiers": pallet.get("palletIdentifiers", []),
            }
            for name in ("tier", "block", "weight", "dimensions"):
                if name in pallet:
                    container[name] = pallet[name]
            containers.append(container)
        transport = conf.get("transportationDetails", {})
        details: dict[str, Any] = {}
        if conf.get("shipmentType"):
            details["shipMode"] = conf["shipmentType"]
        for name in ("transportationMode", "billOfLadingNumber"):
            if transport.get(name):
                details[name] = transport[name]
        for name in ("shippedDate", "estimatedDeliveryDate"):
            if conf.get(name):
                details[name] = conf[name]
        if transport.get("carrierScac") or transport.get("carrierShipmentReferenceNumber"):
            details["carrierDetails"] = {
                k: v
                for k, v in {
                    "code": transport.get("carrierScac"),
                    "shipmentReferenceNumber": transport.get("carrierShipmentReferenceNumber"),
                }.items()
                if v
            }
        view: dict[str, Any] = {
            "vendorShipmentIdentifier": record["shipmentIdentifier"],
            "transactionType": "New",
            "transactionDate": when,
            "currentShipmentStatus": "Shipped",
            "currentshipmentStatusDate": when,
            "shipmentStatusDetails": [{"shipmentStatus": "Shipped", "shipmentStatusDate": when}],
            "shipmentCreateDate": when,
            "shipmentConfirmDate": when,
            "sellingParty": conf["sellingParty"],
            "shipFromParty": conf["shipFromParty"],
            "shipToParty": conf["shipToParty"],
            "purchaseOrders": purchase_orders,
        }
        if containers:
            view["containers"] = containers
        if details:
            view["transportationDetails"] = details
        return view

    async def get_shipment_details(self, ctx: Ctx) -> Response:
        limit = q_int(ctx, "limit", 1, 50, 50)
        sort = q_enum(ctx, "sortOrder", ("ASC", "DESC")) or "ASC"
        created = (q_time(ctx, "createdAfter"), q_time(ctx, "createdBefore"))
        confirmed = (q_time(ctx, "shipmentConfirmedAfter"), q_time(ctx, "shipmentConfirmedBefore"))
        status = ctx.query.get("currentShipmentStatus")
        vsi = ctx.query.get("vendorShipmentIdentifier")
        buyer_wh = ctx.query.get("buyerWarehouseCode")
        seller_wh = ctx.query.get("sellerWarehouseCode")
        views = [self._shipment_view(r) for r in self.state.store.all(ASNS)]
        for record in self.state.store.all(TRANSPORT):
            body = dict(record["body"])
            body.setdefault("currentShipmentStatus", record.get("status") or "Created")
            body.setdefault("shipmentCreateDate", record["createdAt"])
            views.append(body)
        selected = []
        for view in views:
            stamp = view.get("shipmentCreateDate") or view.get("transactionDate")
            if (created[0] or created[1]) and not _between(stamp, *created):
                continue
            if (confirmed[0] or confirmed[1]) and not _between(
                view.get("shipmentConfirmDate"), *confirmed
            ):
                continue
            if status and view.get("currentShipmentStatus") != status:
                continue
            if vsi and view["vendorShipmentIdentifier"] != vsi:
                continue
            if buyer_wh and view["shipToParty"]["partyId"] != buyer_wh:
                continue
            if seller_wh and seller_wh not in (
                view["sellingParty"]["partyId"],
                view["shipFromParty"]["partyId"],
            ):
                continue
            selected.append(view)
        page, token = paginate(
            ctx,
            selected,
            lambda v: [v.get("shipmentCreateDate") or "", v["vendorShipmentIdentifier"]],
            limit,
            sort == "DESC",
        )
        payload: dict[str, Any] = {"shipments": page}
        if token:
            payload["pagination"] = {"nextToken": token}
        return self.respond(ctx, 200, {"payload": payload})

    async def get_shipment_labels(self, ctx: Ctx) -> Response:
        q_int(ctx, "limit", 1, 50, 50)
        return self.respond(ctx, 200, {"payload": {"transportLabels": []}})

    def _transaction(self, ctx: Ctx, api: str) -> dict[str, Any]:
        tid = ctx.path_params["transactionId"]
        doc = self.state.transaction(tid)
        if doc is None or doc["api"] != api:
            raise ApiError(404, "ResourceNotFound", f"Transaction {tid} was not found.", tid)
        return doc

    async def get_rp_transaction(self, ctx: Ctx) -> Response:
        doc = self._transaction(ctx, "rp")
        status = self.state.transaction_status(doc)
        body: dict[str, Any] = {"transactionId": doc["transactionId"], "status": status}
        if status == "Failure":
            body["errors"] = doc["errors"]
        return self.respond(ctx, 200, {"payload": {"transactionStatus": body}})

    # --- Direct Fulfillment ----------------------------------------------------------------

    async def get_df_orders(self, ctx: Ctx) -> Response:
        created = window(ctx, "createdAfter", "createdBefore", required=True)
        ship_from = ctx.query.get("shipFromPartyId")
        status = q_enum(ctx, "status", ("NEW", "SHIPPED", "ACCEPTED", "CANCELLED"))
        limit = q_int(ctx, "limit", 1, 100, 100)
        sort = q_enum(ctx, "sortOrder", ("ASC", "DESC")) or "ASC"
        details = q_bool(ctx, "includeDetails", True)
        selected = []
        for doc in self.state.df_orders().values():
            if not _between(doc["createdAt"], *created):
                continue
            if ship_from and doc["shipFrom"] != ship_from:
                continue
            if status and doc["order"]["orderDetails"]["orderStatus"] != status:
                continue
            selected.append(doc)
        page, token = paginate(
            ctx,
            selected,
            lambda d: [d["createdAt"], d["order"]["purchaseOrderNumber"]],
            limit,
            sort == "DESC",
        )
        orders = [
            d["order"] if details else {"purchaseOrderNumber": d["order"]["purchaseOrderNumber"]}
            for d in page
        ]
        body: dict[str, Any] = {"orders": orders}
        if token:
            body["pagination"] = {"nextToken": token}
        return self.respond(ctx, 200, body)

    def _df_doc(self, ctx: Ctx) -> dict[str, Any]:
        po = ctx.path_params["purchaseOrderNumber"]
        if not re.fullmatch(r"[a-zA-Z0-9]+", po):
            raise bad_request("Invalid purchaseOrderNumber.", po)
        doc = self.state.df_orders().get(po)
        if doc is None:
            raise ApiError(404, "ResourceNotFound", f"Order {po} was not found.", po)
        return doc

    async def get_df_order(self, ctx: Ctx) -> Response:
        return self.respond(ctx, 200, self._df_doc(ctx)["order"])

    async def submit_df_acknowledgement(self, ctx: Ctx) -> Response:
        return await self._submit(
            ctx,
            dfo.SubmitAcknowledgementRequest,
            "df_acknowledgements",
            "df",
            lambda r, raw: [
                (a["purchaseOrderNumber"], a, [a["purchaseOrderNumber"]])
                for a in raw.get("orderAcknowledgements", [])
            ],
            lambda r, raw: rules.evaluate_df_acknowledgements(self.state, r),
        )

    async def submit_df_confirmations(self, ctx: Ctx) -> Response:
        return await self._submit(
            ctx,
            dfs.SubmitShipmentConfirmationsRequest,
            "df_shipment_confirmations",
            "df",
            lambda r, raw: [
                (c["purchaseOrderNumber"], c, [c["purchaseOrderNumber"]])
                for c in raw.get("shipmentConfirmations", [])
            ],
            lambda r, raw: rules.evaluate_df_shipment_confirmations(self.state, r),
        )

    async def submit_df_status_updates(self, ctx: Ctx) -> Response:
        return await self._submit(
            ctx,
            dfs.SubmitShipmentStatusUpdatesRequest,
            "df_shipment_status_updates",
            "df",
            lambda r, raw: [
                (u["purchaseOrderNumber"], u, [u["purchaseOrderNumber"]])
                for u in raw.get("shipmentStatusUpdates", [])
            ],
            lambda r, raw: rules.evaluate_df_status_updates(self.state, r),
        )

    async def submit_df_label_request(self, ctx: Ctx) -> Response:
        return await self._submit(
            ctx,
            dfs.SubmitShippingLabelsRequest,
            "df_shipping_label_requests",
            "df",
            lambda r, raw: [
                (s["purchaseOrderNumber"], s, [s["purchaseOrderNumber"]])
                for s in raw.get("shippingLabelRequests", [])
            ],
            lambda r, raw: rules.evaluate_df_label_requests(self.state, r),
        )

    async def create_df_labels(self, ctx: Ctx) -> Response:
        request, _ = await self.parse(ctx, dfs.CreateShippingLabelsRequest)
        doc = self._df_doc(ctx)
        problems = rules._df_party_errors(
            doc,
            request.sellingParty.partyId,
            request.shipFromParty.partyId,
            doc["order"]["purchaseOrderNumber"],
        )
        if doc["order"]["orderDetails"]["orderStatus"] not in ("ACCEPTED", "SHIPPED"):
            problems.append(
                rules.err(
                    "InvalidInput",
                    "The order must be acknowledged before labels are created.",
                    doc["order"]["purchaseOrderNumber"],
                )
            )
        if problems:
            first = problems[0]
            raise ApiError(400, first["code"], first["message"], first["details"], problems[1:])
        label = rules.make_label(doc, request.containers)
        with self.state.write():
            rules.store_label(
                self.state, self.state.df_orders()[doc["order"]["purchaseOrderNumber"]], label
            )
        return self.respond(ctx, 200, label)

    async def get_df_label(self, ctx: Ctx) -> Response:
        po = ctx.path_params["purchaseOrderNumber"]
        record = self.state.store.get(DF_LABELS, po)
        if record is None:
            raise ApiError(404, "ResourceNotFound", f"No shipping label for order {po}.", po)
        return self.respond(ctx, 200, record["label"])

    async def get_df_labels(self, ctx: Ctx) -> Response:
        created = window(ctx, "createdAfter", "createdBefore", required=True)
        ship_from = ctx.query.get("shipFromPartyId")
        limit = q_int(ctx, "limit", 1, 100, 100)
        sort = q_enum(ctx, "sortOrder", ("ASC", "DESC")) or "ASC"
        selected = [
            r
            for r in self.state.store.all(DF_LABELS)
            if _between(r["createdAt"], *created) and (not ship_from or r["shipFrom"] == ship_from)
        ]
        page, token = paginate(
            ctx,
            selected,
            lambda r: [r["createdAt"], r["label"]["purchaseOrderNumber"]],
            limit,
            sort == "DESC",
        )
        body: dict[str, Any] = {"shippingLabels": [r["label"] for r in page]}
        if token:
            body["pagination"] = {"nextToken": token}
        return self.respond(ctx, 200, body)

    @staticmethod
    def _packing_slip(doc: dict[str, Any]) -> dict[str, Any]:
        po = doc["order"]["purchaseOrderNumber"]
        pdf = (
            b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n% packing slip "
            + po.encode()
            + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
        )
        return {
            "purchaseOrderNumber": po,
            "content": base64.b64encode(pdf).decode(),
            "contentType": "application/pdf",
        }

    @staticmethod
    def _has_slip(doc: dict[str, Any]) -> bool:
        details = doc["order"]["orderDetails"]
        return bool(details["shipmentDetails"].get("isPslipRequired")) and details[
            "orderStatus"
        ] in ("ACCEPTED", "SHIPPED")

    async def get_df_packing_slip(self, ctx: Ctx) -> Response:
        doc = self._df_doc(ctx)
        if not self._has_slip(doc):
            raise ApiError(
                404,
                "ResourceNotFound",
                "No packing slip for this order.",
                doc["order"]["purchaseOrderNumber"],
            )
        return self.respond(ctx, 200, self._packing_slip(doc))

    async def get_df_packing_slips(self, ctx: Ctx) -> Response:
        created = window(ctx, "createdAfter", "createdBefore", required=True)
        ship_from = ctx.query.get("shipFromPartyId")
        limit = q_int(ctx, "limit", 1, 100, 100)
        sort = q_enum(ctx, "sortOrder", ("ASC", "DESC")) or "ASC"
        selected = [
            d
            for d in self.state.df_orders().values()
            if self._has_slip(d)
            and _between(d["createdAt"], *created)
            and (not ship_from or d["shipFrom"] == ship_from)
        ]
        page, token = paginate(
            ctx,
            selected,
            lambda d: [d["createdAt"], d["order"]["purchaseOrderNumber"]],
            limit,
            sort == "DESC",
        )
        body: dict[str, Any] = {"packingSlips": [self._packing_slip(d) for d in page]}
        if token:
            body["pagination"] = {"nextToken": token}
        return self.respond(ctx, 200, body)

    async def submit_df_inventory(self, ctx: Ctx) -> Response:
        warehouse = ctx.path_params["warehouseId"]
        return await self._submit(
            ctx,
            dfi.SubmitInventoryUpdateRequest,
            "df_inventory_updates",
            "df",
            lambda r, raw: [(warehouse, raw.get("inventory", {}), [])],
            lambda r, raw: rules.evaluate_df_inventory(self.state, warehouse, r),
            salt=warehouse,
        )

    async def submit_df_invoices(self, ctx: Ctx) -> Response:
        return await self._submit(
            ctx,
            dfp.SubmitInvoiceRequest,
            "df_invoices",
            "df",
            lambda r, raw: [
                (
                    i.get("invoiceNumber", ""),
                    i,
                    [
                        it.get("purchaseOrderNumber")
                        for it in i.get("items", [])
                        if it.get("purchaseOrderNumber")
                    ],
                )
                for i in raw.get("invoices", [])
            ],
            lambda r, raw: rules.evaluate_df_invoices(self.state, r, raw),
        )

    async def get_df_transaction(self, ctx: Ctx) -> Response:
        doc = self._transaction(ctx, "df")
        status = self.state.transaction_status(doc)
        body: dict[str, Any] = {"transactionId": doc["transactionId"], "status": status}
        if status == "Failure":
            body["errors"] = {"errors": doc["errors"]}  # 2021-12-28: ErrorList is an object
        return self.respond(ctx, 200, {"transactionStatus": body})

    async def get_df_transaction_v1(self, ctx: Ctx) -> Response:
        doc = self._transaction(ctx, "df")
        status = self.state.transaction_status(doc)
        body: dict[str, Any] = {"transactionId": doc["transactionId"], "status": status}
        if status == "Failure":
            body["errors"] = doc["errors"]
        return self.respond(ctx, 200, {"payload": {"transactionStatus": body}})

    async def generate_order_scenarios(self, ctx: Ctx) -> Response:
        from .generator import generate_orders

        body = await self.json_body(ctx)
        requested = body.get("orders")
        if not isinstance(requested, list) or not requested:
            raise bad_request("orders: a non-empty array is required.")
        vendors = {v.vendor_code for v in self.world.vendors}
        warehouses = {w.party_id for w in self.world.warehouses}
        created: list[dict[str, Any]] = []
        with self.state.write():
            used = set(self.state.rp_orders()) | set(self.state.df_orders())
            for index, spec in enumerate(requested):
                selling = (spec.get("sellingParty") or {}).get("partyId")
                ship_from = (spec.get("shipFromParty") or {}).get("partyId")
                if selling not in vendors or ship_from not in warehouses:
                    raise bad_request(
                        f"orders.{index}: unknown sellingParty or shipFromParty.",
                        f"{selling} / {ship_from}",
                    )
                batch = generate_orders(
                    self.world,
                    now_utc(),
                    days=1,
                    used_numbers=used,
                    salt=f"scenario:{len(used)}:{index}",
                )
                order = batch.df_orders[0] if batch.df_orders else None
                if order is None:
                    raise bad_request("The world generates no DF orders (df_orders_per_day=0).")
                order["orderDetails"]["sellingParty"] = {"partyId": selling}
                order["orderDetails"]["shipFromParty"] = {"partyId": ship_from}
                order["orderDetails"]["orderStatus"] = "NEW"
                order["orderDetails"]["orderDate"] = iso(now_utc())
                created.append(order)
            self.state._insert(type(batch)(df_orders=created))
            txn = self.state.new_transaction("scenario", "df_order_scenarios", [])
            txn["orders"] = [o["purchaseOrderNumber"] for o in created]
            self.state.store.put("amazon.transactions", txn["transactionId"], txn)
        return self.respond(ctx, 202, {"transactionId": txn["transactionId"]})

    async def get_order_scenarios(self, ctx: Ctx) -> Response:
        doc = self._transaction(ctx, "scenario")
        return self.respond(
            ctx,
            200,
            {
                "transactionStatus": {
                    "transactionId": doc["transactionId"],
                    "status": "SUCCESS",
                    "testCaseData": {
                        "scenarios": [
                            {
                                "scenarioId": "SCENARIO_1",
                                "orders": [{"orderId": po} for po in doc.get("orders", [])],
                            }
                        ]
                    },
                }
            },
        )

    # --- Reports ---------------------------------------------------------------------------

    async def create_report(self, ctx: Ctx) -> Response:
        spec, raw = await self.parse(ctx, rep.CreateReportSpecification)
        if spec.reportType not in report_docs.KNOWN_TYPES:
            raise bad_request(f"Invalid reportType {spec.reportType}.", spec.reportType)
        if not spec.marketplaceIds:
            raise bad_request("marketplaceIds must not be empty.")
        unknown = [m for m in spec.marketplaceIds if m not in report_docs.MARKETPLACES]
        if unknown:
            raise bad_request(f"Invalid marketplaceIds: {', '.join(unknown)}.")
        if isinstance(raw.get("reportOptions"), list):
            raise bad_request("reportOptions must be an object.")
        report_id = str(50_000 + self.state.store.next_value("amazon.report_id"))
        now = datetime.now(UTC)
        record = {
            "reportId": report_id,
            "reportType": spec.reportType,
            "marketplaceIds": spec.marketplaceIds,
            "createdTime": iso(now),
            "createdEpoch": time.time(),
            "spec": {
                "reportType": spec.reportType,
                "marketplaceIds": spec.marketplaceIds,
                "reportOptions": raw.get("reportOptions") or {},
                "dataStartTime": iso(spec.dataStartTime) if spec.dataStartTime else None,
                "dataEndTime": iso(spec.dataEndTime) if spec.dataEndTime else None,
            },
            "cancelled": False,
        }
        try:
            report_docs.build_document(self.world, record["spec"], date.today())
            record["outcome"] = "DONE"
            record["errorDetails"] = None
        except report_docs.ReportRejected as exc:
            record["outcome"] = "FATAL"
            record["errorDetails"] = str(exc)
        record["documentId"] = f"amzn1.spdoc.1.4.na.{uuid.uuid4()}"
        self.state.store.put(REPORTS, report_id, record)
        return self.respond(ctx, 202, {"reportId": report_id})

    def _report_view(self, record: dict[str, Any]) -> dict[str, Any]:
        elapsed = time.time() - record["createdEpoch"]
        delay = self.state.report_delay
        view: dict[str, Any] = {
            "reportId": record["reportId"],
            "reportType": record["reportType"],
            "marketplaceIds": record["marketplaceIds"],
            "createdTime": record["createdTime"],
        }
        for name in ("dataStartTime", "dataEndTime"):
            if record["spec"].get(name):
                view[name] = record["spec"][name]
        created = parse_time(record["createdTime"])
        assert created is not None
        if record["cancelled"]:
            view["processingStatus"] = "CANCELLED"
        elif elapsed < delay / 3:
            view["processingStatus"] = "IN_QUEUE"
        elif elapsed < delay:
            view["processingStatus"] = "IN_PROGRESS"
            view["processingStartTime"] = iso(created + timedelta(seconds=delay / 3))
        else:
            view["processingStatus"] = record["outcome"]
            view["processingStartTime"] = iso(created + timedelta(seconds=delay / 3))
            view["processingEndTime"] = iso(created + timedelta(seconds=delay))
            view["reportDocumentId"] = record["documentId"]
        return view

    def _report(self, ctx: Ctx) -> dict[str, Any]:
        rid = ctx.path_params["reportId"]
        record = self.state.store.get(REPORTS, rid)
        if record is None:
            raise ApiError(404, "NotFound", f"Report {rid} was not found.", rid)
        return record

    async def get_report(self, ctx: Ctx) -> Response:
        return self.respond(ctx, 200, self._report_view(self._report(ctx)))

    async def cancel_report(self, ctx: Ctx) -> Response:
        record = self._report(ctx)
        if self._report_view(record)["processingStatus"] != "IN_QUEUE":
            raise bad_request("Only reports that are IN_QUEUE can be cancelled.")
        record["cancelled"] = True
        self.state.store.put(REPORTS, record["reportId"], record)
        return self.respond(ctx, 200, None)

    async def get_reports(self, ctx: Ctx) -> Response:
        if ctx.query.get("nextToken") and len(ctx.query) > 1:
            raise bad_request("nextToken must be sent alone.")
        types = ctx.query.get("reportTypes")
        statuses = ctx.query.get("processingStatuses")
        page_size = q_int(ctx, "pageSize", 1, 100, 10)
        wanted_types = set(types.split(",")) if types else None
        wanted_status = set(statuses.split(",")) if statuses else None
        if wanted_types is None and not ctx.query.get("nextToken"):
            raise bad_request("reportTypes is required unless nextToken is given.")
        views = [self._report_view(r) for r in self.state.store.all(REPORTS)]
        views = [
            v
            for v in views
            if (wanted_types is None or v["reportType"] in wanted_types)
            and (wanted_status is None or v["processingStatus"] in wanted_status)
        ]
        views.sort(key=lambda v: (v["createdTime"], v["reportId"]), reverse=True)
        start = 0
        if ctx.query.get("nextToken"):
            try:
                start = int(base64.b64decode(ctx.query["nextToken"]).decode())
            except ValueError:
                raise bad_request("Invalid nextToken.") from None
        page = views[start : start + page_size]
        body: dict[str, Any] = {"reports": page}
        if start + page_size < len(views):
            body["nextToken"] = base64.b64encode(str(start + page_size).encode()).decode()
        return self.respond(ctx, 200, body)

    def _sign(self, document_id: str, expires: int, encoding: str) -> str:
        message = f"{document_id}:{expires}:{encoding}".encode()
        return hmac.new(self.signing_key, message, hashlib.sha256).hexdigest()

    async def get_report_document(self, ctx: Ctx) -> Response:
        document_id = ctx.path_params["reportDocumentId"]
        record = next(
            (r for r in self.state.store.all(REPORTS) if r["documentId"] == document_id), None
        )
        if record is None or "reportDocumentId" not in self._report_view(record):
            raise ApiError(404, "NotFound", f"Report document {document_id} was not found.")
        encoding = "gzip" if q_bool(ctx, "enableContentEncodingUrlHeader", False) else ""
        expires = int(time.time() + self.document_url_lifetime)
        base = str(ctx.request.base_url).rstrip("/")
        url = (
            f"{base}/_sandbox/documents/{document_id}?X-Amz-Expires={expires}"
            f"&ce={encoding}&X-Amz-Signature={self._sign(document_id, expires, encoding)}"
        )
        return self.respond(
            ctx,
            200,
            {
                "reportDocumentId": document_id,
                "url": url,
                "compressionAlgorithm": "GZIP",
            },
        )

    # --- sandbox-only helpers --------------------------------------------------------------

    async def sandbox_admin(self, request: Request) -> Response:
        path = request.url.path
        if path.startswith("/_sandbox/documents/") and request.method == "GET":
            return self.download_document(request, path.rsplit("/", 1)[-1])
        if path == "/_sandbox/health":
            return JSONResponse({"ok": True, "anchor": iso(self.state.anchor)})
        if path == "/_sandbox/advance" and request.method == "POST":
            days = int(request.query_params.get("days", "1"))
            batch = self.state.advance(days)
            return JSONResponse(
                {"rpOrders": len(batch.rp_orders), "dfOrders": len(batch.df_orders)}
            )
        if path == "/_sandbox/received" and request.method == "GET":
            entries = self.state.received(
                request.query_params.get("kind"), request.query_params.get("ref")
            )
            return JSONResponse({"received": entries})
        return JSONResponse({"error": "not found"}, 404)

    def download_document(self, request: Request, document_id: str) -> Response:
        query = request.query_params
        try:
            expires = int(query.get("X-Amz-Expires", "0"))
        except ValueError:
            expires = 0
        encoding = query.get("ce", "")
        signature = query.get("X-Amz-Signature", "")
        if not hmac.compare_digest(signature, self._sign(document_id, expires, encoding)):
            return _s3_error(
                403, "SignatureDoesNotMatch", "The request signature we calculated does not match."
            )
        if time.time() > expires:
            return _s3_error(403, "AccessDenied", "Request has expired")
        record = next(
            (r for r in self.state.store.all(REPORTS) if r["documentId"] == document_id), None
        )
        if record is None:
            return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
        if record["outcome"] == "FATAL":
            document: dict[str, Any] = {"errorDetails": record["errorDetails"]}
        else:
            document = report_docs.build_document(
                self.world, record["spec"], parse_time(record["createdTime"]).date()
            )
        payload = gzip.compress(json.dumps(document).encode(), mtime=0)
        headers = {"content-type": "application/octet-stream"}
        if encoding == "gzip":
            headers["content-encoding"] = "gzip"
        return Response(payload, 200, headers=headers)


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


def _asn_purchase_orders(conf: rps.ShipmentConfirmation) -> list[str]:
    pos = set()
    for item in conf.shippedItems:
        if item.itemDetails and item.itemDetails.purchaseOrderNumber:
            pos.add(item.itemDetails.purchaseOrderNumber)
    for container in list(conf.cartons or []) + list(conf.pallets or []):
        for ci in container.items or []:
            if ci.itemDetails and ci.itemDetails.purchaseOrderNumber:
                pos.add(ci.itemDetails.purchaseOrderNumber)
    return sorted(pos)


class _DropConnections:
    """Turn an injected DroppedConnection into a real connection drop.

    Raising before the response starts would make uvicorn answer 500; instead we start a
    response that promises a body and never finish it, so the client sees the connection close
    mid-response, exactly like a network drop.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        try:
            await self.app(scope, receive, send)
        except DroppedConnection:
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", b"512"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b'{"payload":', "more_body": True})


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "returned without completing response" not in record.getMessage()


logging.getLogger("uvicorn.error").addFilter(_QuietDrops())


def create_app(
    world: World,
    store: SandboxStore,
    faults: FaultPlan | None = None,
    **options: Any,
):
    """The simulator as an ASGI app (Starlette), optionally behind fault injection.

    Options: `rate_limits` ({operation key: RateLimit or (rate, burst)}), `enforce_rate_limits`,
    `resolution_delay` (seconds a transaction stays Processing), `report_delay`,
    `token_lifetime` (LWA `expires_in`), `fixtures_dir` (scenario JSON files), `generate`
    (seed generated orders, default True), `anchor` (datetime the generated data ends at),
    `document_url_lifetime`. The returned app has `.sandbox` (the `AmazonSandboxApp`) and
    `.state` (the `AmazonSandboxState`) for tests; `.faults` is the fault middleware, if any.
    """
    sandbox = AmazonSandboxApp(world, store, **options)
    starlette = Starlette(
        routes=[
            Route(
                "/{path:path}",
                sandbox.dispatch,
                methods=["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"],
            )
        ]
    )
    app: Any = starlette
    fault_layer = None
    if faults is not None and faults.active:
        fault_layer = FaultInjectionMiddleware(
            starlette, faults, amazon_error_body, exempt_paths=("/auth/", "/_sandbox/")
        )
        app = fault_layer
    wrapped = _DropConnections(app)
    wrapped.sandbox = sandbox  # type: ignore[attr-defined]
    wrapped.state = sandbox.state  # type: ignore[attr-defined]
    wrapped.faults = fault_layer  # type: ignore[attr-defined]
    return wrapped


__all__ = ["QUOTA_EXCEEDED", "AmazonSandboxApp", "amazon_error_body", "create_app"]
