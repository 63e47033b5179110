"""The Amazon SP-API (vendor) simulator as an ASGI app: same paths, bodies and error shapes.

`create_app(world, store, faults)` serves, on one host:

* Retail Procurement: orders, acknowledgements, order status, shipment confirmations (ASN),
  transport requests and shipment details, invoices, transaction status (v1, `payload` wrapper);
* Direct Fulfillment orders and shipping in both versions over one state: 2021-12-28 (no
  wrapper, `ErrorList` errors) and v1 (`payload` wrapper), customer invoices included; DF
  inventory and payments (v1), DF transaction status (2021-12-28 and v1), and the DF sandbox
  test-data API (`generateOrderScenarios`);
* Reports 2021-06-30 (createReport/getReport/getReportDocument; documents gzip-compressed at
  pre-signed S3-style URLs on a fixed document host, see `document_urls`);
* Login with Amazon at `POST /auth/o2/token` (accepts only the embedded sandbox credentials);
* `/_sandbox/...` helpers: document downloads, `advance` (new orders), `received` (inspection).

List operations page with `nextToken` (keyset tokens; a token alone continues its listing,
see `app_http.resume_listing`). Per request, like the real service: route -> access token
(`x-amz-access-token`, 403 when missing/expired/invalid) -> usage-plan token bucket per
operation (429 `QuotaExceeded`) -> parameter/body validation (400 `InvalidInput` naming the
field) -> handler. Submissions answer 202 with a transaction id; `rules.py` decides their
asynchronous outcome. State lives in the store (collections `amazon.*`), so several processes
serving one state file agree.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Route

from vendor_sandbox.faults import DroppedConnection, FaultInjectionMiddleware, FaultPlan
from vendor_sandbox.store import SandboxStore
from vendor_sandbox.world import World

from .app_core import SandboxCore
from .app_df_v1 import DfV1Mixin
from .app_http import QUOTA_EXCEEDED, Handler, amazon_error_body
from .app_reports import ReportsMixin
from .app_rp_orders import RpOrdersMixin
from .app_rp_shipments import RpShipmentsMixin
from .app_sandbox_endpoints import SandboxEndpointsMixin
from .served_operations import SERVED_OPERATIONS


class AmazonSandboxApp(
    RpOrdersMixin, RpShipmentsMixin, DfV1Mixin, ReportsMixin, SandboxEndpointsMixin
):
    """The whole simulator: one mixin per API family on top of `SandboxCore`."""

    def _routes(self) -> list[tuple[str, re.Pattern[str], str, Handler]]:
        # Each API family names its own handlers; the table follows `SERVED_OPERATIONS`.
        handlers: dict[str, Handler] = {
            **self._rp_orders_handlers(),
            **self._rp_shipments_handlers(),
            **self._df_orders_handlers(),
            **self._df_shipping_handlers(),
            **self._df_v1_handlers(),
            **self._reports_handlers(),
        }
        table = []
        for key, op in SERVED_OPERATIONS.items():
            pattern = re.compile(
                "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(op.path)) + "$"
            )
            table.append((op.method, pattern, key, handlers[key]))
        return table


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
    `document_url_lifetime` (seconds, `X-Amz-Expires`), `document_base_url` (where documents
    are downloaded; default the address the server listens on). The returned app has
    `.sandbox` (the `AmazonSandboxApp`) and `.state` (the `AmazonSandboxState`) for tests;
    `.faults` is the fault middleware, if any.
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


__all__ = [
    "QUOTA_EXCEEDED",
    "AmazonSandboxApp",
    "SandboxCore",
    "amazon_error_body",
    "create_app",
]
