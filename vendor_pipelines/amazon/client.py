"""`AmazonVendorClient`: the SP-API vendor operations over httpx, with LWA, rate limits, retries.

Usage::

    with AmazonVendorClient(endpoint, client_id, client_secret, refresh_token, token_url) as amz:
        for order in amz.iter_purchase_orders(changed_after=high_water_mark):
            ...
        sub = amz.submit_acknowledgements([ack])
        txn = amz.wait_for_transaction(sub, budget_seconds=600)

Every call: takes a token from the operation's bucket (published rate/burst), sends the LWA
access token in `x-amz-access-token`, retries 429/5xx/timeouts/dropped connections with jittered
exponential backoff within `RetryPolicy` (attempts and seconds), refreshes the access token once
if SP-API says it expired, and parses the body into the operation's pydantic model. Errors are
typed (`errors.py`) and carry Amazon's `errors[]`, the request id and the operation.
"""

from __future__ import annotations

import gzip
import logging
import platform
import queue
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from . import operations as ops
from .auth import LWA_TOKEN_URL, LwaCredentials, LwaTokenProvider
from .errors import (
    AmazonApiError,
    AmazonConfigurationError,
    AmazonResponseError,
    AmazonTransportError,
    ApiErrorDetail,
    ReportFailedError,
    ReportTimeoutError,
    TransactionFailedError,
    TransactionTimeoutError,
    error_for_status,
)
from .models import df_inventory, df_orders, df_payments, df_shipping, invoices, orders, reports
from .models import shipments as rp_shipments
from .models.common import AmzModel, TransactionReference, TransactionStatusCode, to_body
from .models.transactions import Transaction, TransactionStatus
from .ratelimit import RateLimit, RateLimiter
from .retry import RetryPolicy
from .windows import MAX_WINDOW, split_window, utc

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
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in first.get("loc", ()))
    where = ".".join(p for p in (prefix, loc) if p) or "<body>"
    return where, first.get("msg", "invalid")


class AmazonVendorClient:
    """Synchronous, thread-safe SP-API vendor client (Retail Procurement + Direct Fulfillment)."""

    def __init__(
        self,
        endpoint: str,
        lwa_client_id: str,
        lwa_client_secret: str,
        lwa_refresh_token: str,
        lwa_token_url: str = LWA_TOKEN_URL,
        *,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        rate_limits: dict[str, RateLimit] | None = None,
        rate_limit_headroom: int = 1,
        adapt_rate_limits: bool = True,
        user_agent: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not endpoint or not endpoint.startswith(("http://", "https://")):
            raise AmazonConfigurationError(f"SP-API endpoint must be an http(s) URL: {endpoint!r}")
        unknown = set(rate_limits or {}) - set(ops.OPERATIONS)
        if unknown:
            raise AmazonConfigurationError(f"unknown operations in rate_limits: {sorted(unknown)}")
        self.endpoint = endpoint.rstrip("/")
        self.retry = retry or RetryPolicy()
        self.stats = ClientStats()
        self._rng = random.Random()
        timeouts = httpx.Timeout(timeout, connect=connect_timeout)
        self._http = httpx.Client(
            base_url=self.endpoint,
            timeout=timeouts,
            transport=transport,
            headers={"user-agent": user_agent or _default_user_agent()},
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
        )
        # Document downloads are pre-signed URLs: a separate client that never sends our token.
        self._download = httpx.Client(timeout=timeouts, transport=transport, follow_redirects=True)
        self._lwa = LwaTokenProvider(
            LwaCredentials(lwa_client_id, lwa_client_secret, lwa_refresh_token, lwa_token_url),
            self._http,
        )
        self._limiter = RateLimiter(
            DEFAULT_RATE_LIMITS,
            rate_limits,
            headroom=rate_limit_headroom,
            adapt_to_header=adapt_rate_limits,
        )

    # --- lifecycle ------------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"AmazonVendorClient(endpoint={self.endpoint!r})"

    def __enter__(self) -> AmazonVendorClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()
        self._download.close()

    @property
    def rate_limiter(self) -> RateLimiter:
        return self._limiter

    # --- transport core -------------------------------------------------------------------

    def request(
        self,
        key: str,
        *,
        path_params: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
        body: Any = None,
    ) -> Any:
        """Send one operation (with rate limiting and retries); return the decoded JSON body."""
        op = ops.operation(key)
        path = op.url_path(**{k: _quote(v) for k, v in (path_params or {}).items()})
        query = {k: _enum(v) for k, v in (params or {}).items() if v is not None}
        json_body = to_body(body) if body is not None else None
        policy = self.retry
        started = time.monotonic()
        attempt = 0
        auth_retried = False
        while True:
            attempt += 1
            self._limiter.acquire(key)
            token = self._lwa.token()
            headers = {
                "x-amz-access-token": token,
                "x-amz-date": datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
            }
            self.stats.bump("requests")
            try:
                response = self._http.request(
                    op.method, path, params=query, json=json_body, headers=headers
                )
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                self.stats.bump("transport_errors")
                reason = type(exc).__name__
                retryable = policy.retry_timeouts or isinstance(exc, httpx.ConnectError)
                delay = policy.delay(attempt, self._rng)
                if (
                    not retryable
                    or attempt >= policy.max_attempts
                    or time.monotonic() - started + delay > policy.max_elapsed_seconds
                ):
                    log.warning("%s: giving up after %d attempts (%s)", key, attempt, reason)
                    raise AmazonTransportError(key, reason, attempt) from None
                log.info("%s: %s on attempt %d, retrying in %.2fs", key, reason, attempt, delay)
                self.stats.bump("retries")
                time.sleep(delay)
                continue

            status = response.status_code
            self.stats.count_response(status)
            request_id = response.headers.get("x-amzn-RequestId")
            if status < 400:
                self._limiter.observe_header(key, response.headers.get("x-amzn-RateLimit-Limit"))
                if not response.content:
                    return {}
                try:
                    return response.json()
                except ValueError:
                    raise AmazonResponseError(
                        key, "<body>", "response is not JSON", request_id
                    ) from None

            errors = _error_details(response)
            if status in (400, 404):
                self._limiter.observe_header(key, response.headers.get("x-amzn-RateLimit-Limit"))
            if status in (401, 403) and not auth_retried and _token_problem(response, errors):
                # Expired or revoked access token: fetch a new one once and resend.
                auth_retried = True
                self._lwa.invalidate(token)
                self.stats.bump("token_refreshes")
                log.info("%s: access token rejected (request id %s), refreshing", key, request_id)
                continue
            if status == 429:
                self._limiter.throttled(key)
            if status in policy.retry_statuses:
                delay = policy.delay(attempt, self._rng)
                if (
                    attempt < policy.max_attempts
                    and time.monotonic() - started + delay <= policy.max_elapsed_seconds
                ):
                    log.info(
                        "%s: HTTP %d %s (request id %s) on attempt %d, retrying in %.2fs",
                        key,
                        status,
                        errors[0].code if errors else "",
                        request_id,
                        attempt,
                        delay,
                    )
                    self.stats.bump("retries")
                    time.sleep(delay)
                    continue
            raise error_for_status(key, status, errors, request_id, attempt)

    def _call(
        self,
        key: str,
        model: type[M] | None = None,
        *,
        path_params: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
        body: Any = None,
    ) -> M:
        op = ops.operation(key)
        raw = self.request(key, path_params=path_params, params=params, body=body)
        return self._parse(op, raw, model or op.result_model)  # type: ignore[arg-type]

    def _parse(self, op: ops.Operation, raw: Any, model: type[M]) -> M:
        prefix = ""
        if op.wrapped:
            if not isinstance(raw, dict):
                raise AmazonResponseError(op.key, "<body>", "expected a JSON object")
            if raw.get("errors") and raw.get("payload") is None:
                errs = [ApiErrorDetail.from_json(e) for e in raw["errors"]]
                raise AmazonApiError(op.key, 200, errs)
            raw = raw.get("payload")
            prefix = "payload"
            if raw is None:
                raise AmazonResponseError(op.key, "payload", "missing")
        try:
            return model.model_validate(raw)
        except ValidationError as exc:
            where, problem = _validation_field(exc, prefix)
            raise AmazonResponseError(op.key, where, problem) from None

    def _page(
        self,
        key: str,
        list_field: str,
        item_model: type[M],
        params: dict[str, Any],
        on_invalid: Callable[[InvalidRecord], None] | None,
        page_model: type[BaseModel],
    ) -> tuple[list[M], str | None]:
        """One page of a list operation, validating record by record."""
        op = ops.operation(key)
        raw = self.request(key, params=params)
        container = raw.get("payload") if op.wrapped and isinstance(raw, dict) else raw
        prefix = "payload." if op.wrapped else ""
        if not isinstance(container, dict):
            raise AmazonResponseError(key, prefix.rstrip(".") or "<body>", "expected an object")
        records = container.get(list_field) or []
        if not isinstance(records, list):
            raise AmazonResponseError(key, f"{prefix}{list_field}", "expected an array")
        # Validate the page envelope (pagination etc.) without the records.
        try:
            envelope = page_model.model_validate({**container, list_field: []})
        except ValidationError as exc:
            where, problem = _validation_field(exc, prefix.rstrip("."))
            raise AmazonResponseError(key, where, problem) from None
        pagination = getattr(envelope, "pagination", None)
        next_token = getattr(pagination, "nextToken", None) if pagination else None
        if next_token is None:
            next_token = getattr(envelope, "nextToken", None)
        parsed: list[M] = []
        for index, record in enumerate(records):
            try:
                parsed.append(item_model.model_validate(record))
            except ValidationError as exc:
                where, problem = _validation_field(exc, f"{prefix}{list_field}.{index}")
                if on_invalid is None:
                    raise AmazonResponseError(key, where, problem) from None
                on_invalid(InvalidRecord(key, where, problem, record))
        return parsed, next_token or None

    def _paginate(
        self,
        key: str,
        list_field: str,
        item_model: type[M],
        page_model: type[BaseModel],
        params: dict[str, Any],
        on_invalid: Callable[[InvalidRecord], None] | None,
        stop: threading.Event | None = None,
    ) -> Iterator[M]:
        """Follow `nextToken`, resending the original filters with it (as Amazon's examples do)."""
        token: str | None = None
        while True:
            page_params = dict(params)
            if token:
                page_params["nextToken"] = token
            records, token = self._page(
                key, list_field, item_model, page_params, on_invalid, page_model
            )
            yield from records
            if not token or (stop is not None and stop.is_set()):
                return

    def _windowed(
        self,
        key: str,
        list_field: str,
        item_model: type[M],
        page_model: type[BaseModel],
        base_params: dict[str, Any],
        after_name: str,
        before_name: str,
        start: datetime,
        end: datetime,
        identity: Callable[[M], str],
        on_invalid: Callable[[InvalidRecord], None] | None,
        window: timedelta,
        max_workers: int,
    ) -> Iterator[M]:
        windows = split_window(start, end, window)

        def params_for(lo: datetime, hi: datetime) -> dict[str, Any]:
            return {**base_params, after_name: _fmt_time(lo), before_name: _fmt_time(hi)}

        seen: set[str] = set()
        if max_workers <= 1 or len(windows) == 1:
            for lo, hi in windows:
                for record in self._paginate(
                    key, list_field, item_model, page_model, params_for(lo, hi), on_invalid
                ):
                    ident = identity(record)
                    if ident not in seen:  # window edges are inclusive on both sides
                        seen.add(ident)
                        yield record
            return
        yield from self._parallel_windows(
            [params_for(lo, hi) for lo, hi in windows],
            lambda p, stop: self._paginate(
                key, list_field, item_model, page_model, p, on_invalid, stop
            ),
            identity,
            max_workers,
        )

    def _parallel_windows(
        self,
        param_sets: list[dict[str, Any]],
        pager: Callable[[dict[str, Any], threading.Event], Iterable[M]],
        identity: Callable[[M], str],
        max_workers: int,
    ) -> Iterator[M]:
        """Page several windows at once (sharing the rate limiter); yield as records arrive."""
        out: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=1000)
        stop = threading.Event()

        def work(p: dict[str, Any]) -> None:
            try:
                for record in pager(p, stop):
                    if stop.is_set():
                        return
                    out.put(("record", record))
            except BaseException as exc:  # handed to the consumer thread
                out.put(("error", exc))
            finally:
                out.put(("done", None))

        pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="spapi-window")
        try:
            for p in param_sets:
                pool.submit(work, p)
            remaining = len(param_sets)
            seen: set[str] = set()
            while remaining:
                kind, value = out.get()
                if kind == "done":
                    remaining -= 1
                elif kind == "error":
                    raise value
                else:
                    ident = identity(value)
                    if ident not in seen:
                        seen.add(ident)
                        yield value
        finally:
            stop.set()
            # Unblock workers stuck on a full queue, then wait for them.
            while True:
                try:
                    out.get_nowait()
                except queue.Empty:
                    break
            pool.shutdown(wait=True, cancel_futures=True)

    def _submit(
        self,
        key: str,
        body: Any,
        api: Literal["rp", "df"],
        path_params: dict[str, str] | None = None,
    ) -> Submission:
        op = ops.operation(key)
        if op.request_model is not None and not isinstance(body, BaseModel):
            # Validate plain dicts locally so a bad field is named before Amazon sees it.
            body = op.request_model.model_validate(body)
        ref = self._call(key, TransactionReference, path_params=path_params, body=body)
        if not ref.transactionId:
            raise AmazonResponseError(key, "transactionId", "missing from the 202 response")
        log.info("%s accepted: transaction %s", key, ref.transactionId)
        return Submission(ref.transactionId, api, key)

    # --- Retail Procurement: orders -------------------------------------------------------

    def get_purchase_orders(
        self,
        *,
        limit: int | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        changed_after: datetime | None = None,
        changed_before: datetime | None = None,
        sort_order: str | None = None,
        next_token: str | None = None,
        include_details: bool | None = None,
        po_item_state: str | None = None,
        is_po_changed: bool | None = None,
        purchase_order_state: str | None = None,
        ordering_vendor_code: str | None = None,
    ) -> orders.OrderList:
        """One page of getPurchaseOrders (range ≤ 7 days; see `iter_purchase_orders`)."""
        params = {
            "limit": limit,
            "createdAfter": _fmt_time(created_after),
            "createdBefore": _fmt_time(created_before),
            "changedAfter": _fmt_time(changed_after),
            "changedBefore": _fmt_time(changed_before),
            "sortOrder": sort_order,
            "nextToken": next_token,
            "includeDetails": _flag(include_details),
            "poItemState": po_item_state,
            "isPOChanged": _flag(is_po_changed),
            "purchaseOrderState": purchase_order_state,
            "orderingVendorCode": ordering_vendor_code,
        }
        return self._call("orders.getPurchaseOrders", params=params)

    def iter_purchase_orders(
        self,
        *,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        changed_after: datetime | None = None,
        changed_before: datetime | None = None,
        limit: int = 100,
        sort_order: str | None = None,
        include_details: bool | None = None,
        po_item_state: str | None = None,
        is_po_changed: bool | None = None,
        purchase_order_state: str | None = None,
        ordering_vendor_code: str | None = None,
        window: timedelta = MAX_WINDOW,
        max_workers: int = 1,
        on_invalid: Callable[[InvalidRecord], None] | None = None,
    ) -> Iterator[orders.Order]:
        """Every PO created (or, without a created range, changed) in the range, all pages.

        Ranges longer than `window` (≤ 7 days) are split; an open end means "now". With
        `max_workers > 1` windows are paged concurrently under the same rate limit (order of
        results is then not guaranteed). Records that do not match the model raise
        `AmazonResponseError`, or go to `on_invalid` and are skipped when it is given.
        """
        base = {
            "limit": limit,
            "sortOrder": sort_order,
            "includeDetails": _flag(include_details),
            "poItemState": po_item_state,
            "isPOChanged": _flag(is_po_changed),
            "purchaseOrderState": purchase_order_state,
            "orderingVendorCode": ordering_vendor_code,
        }
        now = datetime.now(UTC)
        if created_after is not None or (created_before is None and changed_after is None):
            if changed_after is not None:
                base["changedAfter"] = _fmt_time(changed_after)
                base["changedBefore"] = _fmt_time(changed_before or now)
            start = created_after or (now - MAX_WINDOW)
            names = ("createdAfter", "createdBefore")
            end = created_before or now
        else:
            if created_before is not None:
                raise AmazonConfigurationError("created_before needs created_after")
            start, end = changed_after, changed_before or now  # type: ignore[assignment]
            names = ("changedAfter", "changedBefore")
        return self._windowed(
            "orders.getPurchaseOrders",
            "orders",
            orders.Order,
            orders.OrderList,
            base,
            names[0],
            names[1],
            start,  # type: ignore[arg-type]
            end,
            lambda o: o.purchaseOrderNumber,
            on_invalid,
            window,
            max_workers,
        )

    def get_purchase_order(self, purchase_order_number: str) -> orders.Order:
        return self._call(
            "orders.getPurchaseOrder",
            path_params={"purchaseOrderNumber": purchase_order_number},
        )

    def submit_acknowledgements(
        self,
        acknowledgements: list[orders.OrderAcknowledgement] | orders.SubmitAcknowledgementRequest,
    ) -> Submission:
        """submitAcknowledgement (1P): 202 + transaction id; validation happens asynchronously."""
        body = _request_body(
            acknowledgements, orders.SubmitAcknowledgementRequest, "acknowledgements"
        )
        return self._submit(
            "orders.submitAcknowledgement",
            _as_model(orders.SubmitAcknowledgementRequest, body),
            "rp",
        )

    def get_purchase_orders_status(
        self,
        *,
        limit: int | None = None,
        sort_order: str | None = None,
        next_token: str | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        updated_after: datetime | None = None,
        updated_before: datetime | None = None,
        purchase_order_number: str | None = None,
        purchase_order_status: str | None = None,
        item_confirmation_status: str | None = None,
        item_receive_status: str | None = None,
        ordering_vendor_code: str | None = None,
        ship_to_party_id: str | None = None,
    ) -> orders.OrderListStatus:
        params = {
            "limit": limit,
            "sortOrder": sort_order,
            "nextToken": next_token,
            "createdAfter": _fmt_time(created_after),
            "createdBefore": _fmt_time(created_before),
            "updatedAfter": _fmt_time(updated_after),
            "updatedBefore": _fmt_time(updated_before),
            "purchaseOrderNumber": purchase_order_number,
            "purchaseOrderStatus": purchase_order_status,
            "itemConfirmationStatus": item_confirmation_status,
            "itemReceiveStatus": item_receive_status,
            "orderingVendorCode": ordering_vendor_code,
            "shipToPartyId": ship_to_party_id,
        }
        return self._call("orders.getPurchaseOrdersStatus", params=params)

    def iter_purchase_orders_status(
        self,
        *,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        updated_after: datetime | None = None,
        updated_before: datetime | None = None,
        limit: int = 100,
        sort_order: str | None = None,
        purchase_order_number: str | None = None,
        purchase_order_status: str | None = None,
        item_confirmation_status: str | None = None,
        item_receive_status: str | None = None,
        ordering_vendor_code: str | None = None,
        ship_to_party_id: str | None = None,
        window: timedelta = MAX_WINDOW,
        max_workers: int = 1,
        on_invalid: Callable[[InvalidRecord], None] | None = None,
    ) -> Iterator[orders.OrderStatus]:
        """Every PO status in the created (or, without one, updated) range, split by 7 days."""
        base = {
            "limit": limit,
            "sortOrder": sort_order,
            "purchaseOrderNumber": purchase_order_number,
            "purchaseOrderStatus": purchase_order_status,
            "itemConfirmationStatus": item_confirmation_status,
            "itemReceiveStatus": item_receive_status,
            "orderingVendorCode": ordering_vendor_code,
            "shipToPartyId": ship_to_party_id,
        }
        now = datetime.now(UTC)
        if updated_after is not None and created_after is None:
            start, end = updated_after, updated_before or now
            names = ("updatedAfter", "updatedBefore")
        else:
            if updated_after is not None:
                base["updatedAfter"] = _fmt_time(updated_after)
                base["updatedBefore"] = _fmt_time(updated_before or now)
            start, end = created_after or now - MAX_WINDOW, created_before or now
            names = ("createdAfter", "createdBefore")
        return self._windowed(
            "orders.getPurchaseOrdersStatus",
            "ordersStatus",
            orders.OrderStatus,
            orders.OrderListStatus,
            base,
            names[0],
            names[1],
            start,
            end,
            lambda s: s.purchaseOrderNumber,
            on_invalid,
            window,
            max_workers,
        )

    # --- Retail Procurement: shipments, invoices, transaction status ----------------------

    def submit_shipment_confirmations(
        self,
        confirmations: list[rp_shipments.ShipmentConfirmation]
        | rp_shipments.SubmitShipmentConfirmationsRequest,
    ) -> Submission:
        """SubmitShipmentConfirmations: the ASN (cartons with SSCC, pallets) for 1P POs."""
        body = _request_body(
            confirmations, rp_shipments.SubmitShipmentConfirmationsRequest, "shipmentConfirmations"
        )
        return self._submit(
            "shipments.SubmitShipmentConfirmations",
            _as_model(rp_shipments.SubmitShipmentConfirmationsRequest, body),
            "rp",
        )

    def submit_shipments(
        self, shipments: list[rp_shipments.Shipment] | rp_shipments.SubmitShipments
    ) -> Submission:
        """SubmitShipments: transport (routing) requests, Collect or Prepaid freight."""
        body = _request_body(shipments, rp_shipments.SubmitShipments, "shipments")
        return self._submit(
            "shipments.SubmitShipments", _as_model(rp_shipments.SubmitShipments, body), "rp"
        )

    def get_shipment_details(self, **filters: Any) -> rp_shipments.ShipmentDetails:
        """One page of GetShipmentDetails; filters use the model's query names
        (`createdAfter`, `vendorShipmentIdentifier`, `buyerWarehouseCode`, `nextToken`, ...)."""
        params = {k: (_fmt_time(v) if isinstance(v, datetime) else v) for k, v in filters.items()}
        return self._call("shipments.GetShipmentDetails", params=params)

    def iter_shipment_details(
        self, on_invalid: Callable[[InvalidRecord], None] | None = None, **filters: Any
    ) -> Iterator[rp_shipments.Shipment]:
        params = {k: (_fmt_time(v) if isinstance(v, datetime) else v) for k, v in filters.items()}
        return self._paginate(
            "shipments.GetShipmentDetails",
            "shipments",
            rp_shipments.Shipment,
            rp_shipments.ShipmentDetails,
            params,
            on_invalid,
        )

    def get_shipment_labels(self, **filters: Any) -> rp_shipments.TransportationLabels:
        params = {k: (_fmt_time(v) if isinstance(v, datetime) else v) for k, v in filters.items()}
        return self._call("shipments.GetShipmentLabels", params=params)

    def submit_invoices(
        self, invoice_list: list[invoices.Invoice] | invoices.SubmitInvoicesRequest
    ) -> Submission:
        """submitInvoices (1P): invoices and credit notes."""
        body = _request_body(invoice_list, invoices.SubmitInvoicesRequest, "invoices")
        return self._submit(
            "invoices.submitInvoices", _as_model(invoices.SubmitInvoicesRequest, body), "rp"
        )

    def get_transaction(self, transaction_id: str) -> Transaction:
        """getTransaction (1P transaction status)."""
        status = self._call(
            "transactions.getTransaction",
            TransactionStatus,
            path_params={"transactionId": transaction_id},
        )
        return _transaction(status, "transactions.getTransaction")

    # --- Direct Fulfillment ---------------------------------------------------------------

    def get_df_orders(
        self,
        *,
        created_after: datetime,
        created_before: datetime,
        ship_from_party_id: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        sort_order: str | None = None,
        next_token: str | None = None,
        include_details: bool | None = None,
    ) -> df_orders.DfOrderList:
        """One page of DF getOrders (2021-12-28)."""
        params = {
            "createdAfter": _fmt_time(created_after),
            "createdBefore": _fmt_time(created_before),
            "shipFromPartyId": ship_from_party_id,
            "status": status,
            "limit": limit,
            "sortOrder": sort_order,
            "nextToken": next_token,
            "includeDetails": _flag(include_details),
        }
        return self._call("dfOrders.getOrders", params=params)

    def iter_df_orders(
        self,
        *,
        created_after: datetime,
        created_before: datetime | None = None,
        ship_from_party_id: str | None = None,
        status: str | None = None,
        limit: int = 100,
        sort_order: str | None = None,
        include_details: bool | None = None,
        window: timedelta = MAX_WINDOW,
        max_workers: int = 1,
        on_invalid: Callable[[InvalidRecord], None] | None = None,
    ) -> Iterator[df_orders.DfOrder]:
        base = {
            "shipFromPartyId": ship_from_party_id,
            "status": status,
            "limit": limit,
            "sortOrder": sort_order,
            "includeDetails": _flag(include_details),
        }
        return self._windowed(
            "dfOrders.getOrders",
            "orders",
            df_orders.DfOrder,
            df_orders.DfOrderList,
            base,
            "createdAfter",
            "createdBefore",
            created_after,
            created_before or datetime.now(UTC),
            lambda o: o.purchaseOrderNumber,
            on_invalid,
            window,
            max_workers,
        )

    def get_df_order(self, purchase_order_number: str) -> df_orders.DfOrder:
        return self._call(
            "dfOrders.getOrder", path_params={"purchaseOrderNumber": purchase_order_number}
        )

    def submit_df_acknowledgements(
        self,
        acknowledgements: list[df_orders.OrderAcknowledgementItem]
        | df_orders.SubmitAcknowledgementRequest,
    ) -> Submission:
        """DF submitAcknowledgement (2021-12-28): the whole order, every line, code "00" = ok."""
        body = _request_body(
            acknowledgements, df_orders.SubmitAcknowledgementRequest, "orderAcknowledgements"
        )
        return self._submit(
            "dfOrders.submitAcknowledgement",
            _as_model(df_orders.SubmitAcknowledgementRequest, body),
            "df",
        )

    def submit_df_shipment_confirmations(
        self,
        confirmations: list[df_shipping.ShipmentConfirmation]
        | df_shipping.SubmitShipmentConfirmationsRequest,
    ) -> Submission:
        body = _request_body(
            confirmations, df_shipping.SubmitShipmentConfirmationsRequest, "shipmentConfirmations"
        )
        return self._submit(
            "dfShipping.submitShipmentConfirmations",
            _as_model(df_shipping.SubmitShipmentConfirmationsRequest, body),
            "df",
        )

    def submit_df_shipment_status_updates(
        self,
        updates: list[df_shipping.ShipmentStatusUpdate]
        | df_shipping.SubmitShipmentStatusUpdatesRequest,
    ) -> Submission:
        body = _request_body(
            updates, df_shipping.SubmitShipmentStatusUpdatesRequest, "shipmentStatusUpdates"
        )
        return self._submit(
            "dfShipping.submitShipmentStatusUpdates",
            _as_model(df_shipping.SubmitShipmentStatusUpdatesRequest, body),
            "df",
        )

    def submit_df_shipping_label_requests(
        self,
        requests: list[df_shipping.ShippingLabelRequest] | df_shipping.SubmitShippingLabelsRequest,
    ) -> Submission:
        body = _request_body(
            requests, df_shipping.SubmitShippingLabelsRequest, "shippingLabelRequests"
        )
        return self._submit(
            "dfShipping.submitShippingLabelRequest",
            _as_model(df_shipping.SubmitShippingLabelsRequest, body),
            "df",
        )

    def create_df_shipping_labels(
        self,
        purchase_order_number: str,
        request: df_shipping.CreateShippingLabelsRequest | dict[str, Any],
    ) -> df_shipping.ShippingLabel:
        """createShippingLabels (2021-12-28): synchronous, 200 with the label."""
        return self._call(
            "dfShipping.createShippingLabels",
            path_params={"purchaseOrderNumber": purchase_order_number},
            body=_as_model(df_shipping.CreateShippingLabelsRequest, request),
        )

    def get_df_shipping_label(self, purchase_order_number: str) -> df_shipping.ShippingLabel:
        return self._call(
            "dfShipping.getShippingLabel",
            path_params={"purchaseOrderNumber": purchase_order_number},
        )

    def iter_df_shipping_labels(
        self,
        *,
        created_after: datetime,
        created_before: datetime | None = None,
        ship_from_party_id: str | None = None,
        limit: int = 100,
        on_invalid: Callable[[InvalidRecord], None] | None = None,
    ) -> Iterator[df_shipping.ShippingLabel]:
        return self._windowed(
            "dfShipping.getShippingLabels",
            "shippingLabels",
            df_shipping.ShippingLabel,
            df_shipping.ShippingLabelList,
            {"shipFromPartyId": ship_from_party_id, "limit": limit},
            "createdAfter",
            "createdBefore",
            created_after,
            created_before or datetime.now(UTC),
            lambda label: label.purchaseOrderNumber,
            on_invalid,
            MAX_WINDOW,
            1,
        )

    def get_df_packing_slip(self, purchase_order_number: str) -> df_shipping.PackingSlip:
        return self._call(
            "dfShipping.getPackingSlip",
            path_params={"purchaseOrderNumber": purchase_order_number},
        )

    def submit_df_inventory_update(
        self,
        warehouse_id: str,
        inventory: df_inventory.InventoryUpdate | dict[str, Any],
    ) -> Submission:
        """submitInventoryUpdate: one call per warehouse; `isFullUpdate` = complete snapshot."""
        update = _as_model(df_inventory.InventoryUpdate, inventory)
        return self._submit(
            "dfInventory.submitInventoryUpdate",
            df_inventory.SubmitInventoryUpdateRequest(inventory=update),
            "df",
            path_params={"warehouseId": warehouse_id},
        )

    def submit_df_invoices(
        self,
        invoice_list: list[df_payments.InvoiceDetail] | df_payments.SubmitInvoiceRequest,
    ) -> Submission:
        """DF submitInvoice (payments v1)."""
        body = _request_body(invoice_list, df_payments.SubmitInvoiceRequest, "invoices")
        return self._submit(
            "dfPayments.submitInvoice", _as_model(df_payments.SubmitInvoiceRequest, body), "df"
        )

    def get_df_transaction(self, transaction_id: str) -> Transaction:
        """DF getTransactionStatus (2021-12-28)."""
        status = self._call(
            "dfTransactions.getTransactionStatus",
            TransactionStatus,
            path_params={"transactionId": transaction_id},
        )
        return _transaction(status, "dfTransactions.getTransactionStatus")

    # --- transactions: polling ------------------------------------------------------------

    def wait_for_transaction(
        self,
        submission: Submission | str,
        *,
        api: Literal["rp", "df"] | None = None,
        budget_seconds: float = 900.0,
        poll_interval: float = 2.0,
        max_poll_interval: float = 30.0,
        raise_on_failure: bool = False,
    ) -> Transaction:
        """Poll until the transaction leaves `Processing` or the budget is spent.

        Returns the final `Transaction` (`status` Success or Failure, `error_list` = Amazon's
        errors). `raise_on_failure=True` raises `TransactionFailedError` instead of returning a
        failure; a budget overrun raises `TransactionTimeoutError` (Amazon's guides say a
        transaction still Processing after 15-30 min may be treated as accepted: the caller
        decides).
        """
        if isinstance(submission, Submission):
            transaction_id, which = submission.transaction_id, api or submission.api
        else:
            transaction_id, which = submission, api or "rp"
        getter = self.get_transaction if which == "rp" else self.get_df_transaction
        started = time.monotonic()
        interval = poll_interval
        while True:
            txn = getter(transaction_id)
            if txn.status != TransactionStatusCode.Processing:
                if txn.status == TransactionStatusCode.Failure and raise_on_failure:
                    raise TransactionFailedError(
                        transaction_id,
                        [ApiErrorDetail(e.code, e.message, e.details) for e in txn.error_list],
                    )
                return txn
            elapsed = time.monotonic() - started
            if elapsed + interval > budget_seconds:
                raise TransactionTimeoutError(transaction_id, elapsed)
            time.sleep(interval)
            interval = min(max_poll_interval, interval * 1.5)

    def wait_for_transactions(
        self, submissions: Iterable[Submission], *, budget_seconds: float = 900.0, **kwargs: Any
    ) -> dict[str, Transaction]:
        """Wait for several submissions within one shared budget."""
        started = time.monotonic()
        results: dict[str, Transaction] = {}
        for sub in submissions:
            left = max(0.0, budget_seconds - (time.monotonic() - started))
            results[sub.transaction_id] = self.wait_for_transaction(
                sub, budget_seconds=left, **kwargs
            )
        return results

    # --- Reports --------------------------------------------------------------------------

    def create_report(
        self,
        report_type: str,
        marketplace_ids: list[str],
        *,
        data_start_time: datetime | None = None,
        data_end_time: datetime | None = None,
        report_options: dict[str, str] | None = None,
    ) -> str:
        """createReport → reportId (processing is asynchronous)."""
        spec = reports.CreateReportSpecification(
            reportType=report_type,
            marketplaceIds=marketplace_ids,
            dataStartTime=data_start_time,
            dataEndTime=data_end_time,
            reportOptions=report_options,
        )
        return self._call("reports.createReport", body=spec).reportId

    def get_report(self, report_id: str) -> reports.Report:
        return self._call("reports.getReport", path_params={"reportId": report_id})

    def get_reports(self, **filters: Any) -> reports.GetReportsResponse:
        params = {
            k: (",".join(v) if isinstance(v, list | tuple) else v) for k, v in filters.items()
        }
        return self._call("reports.getReports", params=params)

    def wait_for_report(
        self,
        report_id: str,
        *,
        budget_seconds: float = 1800.0,
        poll_interval: float = 2.0,
        max_poll_interval: float = 60.0,
    ) -> reports.Report:
        """Poll getReport until DONE; FATAL/CANCELLED raise `ReportFailedError`."""
        started = time.monotonic()
        interval = poll_interval
        while True:
            report = self.get_report(report_id)
            status = report.processingStatus
            if status == reports.ProcessingStatus.DONE:
                return report
            if status in (reports.ProcessingStatus.FATAL, reports.ProcessingStatus.CANCELLED):
                details = None
                if report.reportDocumentId:
                    try:
                        doc = self.download_report_document(
                            self.get_report_document(report.reportDocumentId)
                        )
                        details = _error_details_text(doc)
                    except Exception:  # the error document is a courtesy
                        details = None
                raise ReportFailedError(report_id, status.value, details)
            elapsed = time.monotonic() - started
            if elapsed + interval > budget_seconds:
                raise ReportTimeoutError(report_id, status.value, elapsed)
            time.sleep(interval)
            interval = min(max_poll_interval, interval * 1.5)

    def get_report_document(self, report_document_id: str) -> reports.ReportDocument:
        return self._call(
            "reports.getReportDocument", path_params={"reportDocumentId": report_document_id}
        )

    def download_report_document(self, document: reports.ReportDocument) -> bytes:
        """GET the pre-signed URL (no SP-API token) and gunzip when `compressionAlgorithm` says."""
        policy = self.retry
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._download.get(document.url)
                if response.status_code < 500:
                    break
                reason = f"HTTP {response.status_code}"
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                reason = type(exc).__name__
            delay = policy.delay(attempt, self._rng)
            if (
                attempt >= policy.max_attempts
                or time.monotonic() - started + delay > policy.max_elapsed_seconds
            ):
                raise AmazonTransportError("reports.download", reason, attempt)
            time.sleep(delay)
        if response.status_code >= 400:
            raise AmazonApiError(
                "reports.download",
                response.status_code,
                [ApiErrorDetail("DownloadFailed", response.text[:200])],
            )
        content = response.content
        # With Content-Encoding: gzip httpx has already decoded the body: check the magic bytes.
        gzipped = document.compressionAlgorithm == reports.CompressionAlgorithm.GZIP
        if gzipped and content[:2] == b"\x1f\x8b":
            content = gzip.decompress(content)
        return content

    def fetch_report(
        self,
        report_type: str,
        marketplace_ids: list[str],
        *,
        data_start_time: datetime | None = None,
        data_end_time: datetime | None = None,
        report_options: dict[str, str] | None = None,
        budget_seconds: float = 1800.0,
        poll_interval: float = 2.0,
    ) -> AmzModel | dict[str, Any]:
        """create → wait → download → parse: a typed vendor report document.

        Sales and Net PPM documents come back as `VendorSalesReport` /
        `VendorNetPureProductMarginReport`; other report types as the decoded JSON.
        """
        report_id = self.create_report(
            report_type,
            marketplace_ids,
            data_start_time=data_start_time,
            data_end_time=data_end_time,
            report_options=report_options,
        )
        report = self.wait_for_report(
            report_id, budget_seconds=budget_seconds, poll_interval=poll_interval
        )
        assert report.reportDocumentId is not None
        raw = self.download_report_document(self.get_report_document(report.reportDocumentId))
        return parse_report_document(report_type, raw, report_id)


# --- helpers --------------------------------------------------------------------------------


def parse_report_document(report_type: str, raw: bytes, report_id: str = "?") -> Any:
    import json

    try:
        body = json.loads(raw)
    except ValueError:
        raise AmazonResponseError("reports.download", "<document>", "not JSON") from None
    details = _error_details_text(raw) if isinstance(body, dict) else None
    if details:
        raise ReportFailedError(report_id, "DONE", details)
    model = reports.REPORT_DOCUMENT_MODELS.get(report_type)
    if model is None:
        return body
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        where, problem = _validation_field(exc)
        raise AmazonResponseError("reports.download", where, problem) from None


def _error_details_text(raw: bytes) -> str | None:
    import json

    try:
        body = json.loads(raw)
    except ValueError:
        return None
    if isinstance(body, dict) and "errorDetails" in body:
        return str(body["errorDetails"])
    return None


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
