"""The core of the Amazon sandbox app: dispatch, auth, usage plans, bodies, submissions."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from vendor_pipelines.amazon.ratelimit import RateLimit, TokenBucket
from vendor_sandbox.store import SandboxStore
from vendor_sandbox.world import World

from . import rules
from .app_http import (
    INTERNAL_FAILURE,
    MAX_BODY,
    QUOTA_EXCEEDED,
    ApiError,
    Ctx,
    Handler,
    _loc,
    bad_request,
)
from .document_urls import DocumentSigner
from .served_operations import SERVED_OPERATIONS
from .state import AmazonSandboxState

log = logging.getLogger("vendor_sandbox.amazon.app")


class SandboxCore:
    """Cross-cutting machinery: state, usage plans, routing, auth, bodies, transactions.

    The API-family mixins (`app_rp_*`, `app_df_*`, `app_reports`, `app_sandbox_endpoints`)
    build on it; `app.AmazonSandboxApp` composes them and builds the route table.
    """

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
        document_url_lifetime: int = 300,
        document_base_url: str | None = None,
        region: str | None = None,
        bad_orders: bool = False,
    ) -> None:
        self.world = world
        self.region = region
        self.state = AmazonSandboxState(
            store,
            world,
            resolution_delay=resolution_delay,
            report_delay=report_delay,
            region=region,
            bad_orders=bad_orders,
        )
        self.state.ensure_seeded(
            generate=generate,
            fixtures_dir=Path(fixtures_dir) if fixtures_dir else None,
            anchor=anchor,
        )
        self.token_lifetime = token_lifetime
        self.enforce_rate_limits = enforce_rate_limits
        self.document_base_url = document_base_url.rstrip("/") if document_base_url else None
        limits: dict[str, RateLimit] = {
            k: RateLimit(o.rate, o.burst) for k, o in SERVED_OPERATIONS.items()
        }
        for key, value in (rate_limits or {}).items():
            limits[key] = value if isinstance(value, RateLimit) else RateLimit(*value)
        self.limits = limits
        self.buckets = {k: TokenBucket(v.rate, v.burst) for k, v in limits.items()}
        self.documents = DocumentSigner(self._signing_key(store), document_url_lifetime, region)
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

    # --- provided by the mixins composed in `app.AmazonSandboxApp` -------------------------

    def _routes(self) -> list[tuple[str, re.Pattern[str], str, Handler]]:
        raise NotImplementedError

    async def lwa_token(self, request: Request) -> Response:
        raise NotImplementedError

    async def sandbox_admin(self, request: Request) -> Response:
        raise NotImplementedError

    # --- routing -------------------------------------------------------------------------

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
        ctx = Ctx(request, SERVED_OPERATIONS.get(key), key, params)
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
        grant = self.state.token_grant(token)
        if grant is None:
            raise ApiError(
                403,
                "Unauthorized",
                "Access to requested resource is denied.",
                "The access token you provided is revoked, malformed or invalid.",
                headers={"x-amzn-ErrorType": "InvalidTokenException"},
            )
        expires, region = grant
        if time.time() >= expires:
            raise ApiError(
                403,
                "Unauthorized",
                "Access to requested resource is denied.",
                "The access token you provided has expired.",
                headers={"x-amzn-ErrorType": "ExpiredTokenException"},
            )
        if self.region is not None and region != self.region:
            # A token of the vendor's NA authorization does not open the EU host.
            raise ApiError(
                403,
                "Unauthorized",
                "Access to requested resource is denied.",
                f"The access token was granted for the {region} region, not {self.region}.",
                headers={"x-amzn-ErrorType": "AccessDeniedException"},
            )

    def throttle(self, ctx: Ctx) -> None:
        if not self.enforce_rate_limits:
            return
        bucket = self.buckets[ctx.key]
        if not bucket.acquire(timeout=0):
            self.throttled[ctx.key] = self.throttled.get(ctx.key, 0) + 1
            ctx.rate = None  # no x-amzn-RateLimit-Limit on 429
            raise ApiError(429, **QUOTA_EXCEEDED["errors"][0])

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

    def _transaction(self, ctx: Ctx, api: str) -> dict[str, Any]:
        tid = ctx.path_params["transactionId"]
        doc = self.state.transaction(tid)
        if doc is None or doc["api"] != api:
            raise ApiError(404, "ResourceNotFound", f"Transaction {tid} was not found.", tid)
        return doc

    def document_base(self, request: Request) -> str:
        """Where report documents are downloaded: never the Host the API was called on.

        Amazon's document URLs point at S3, whatever host name the client used for SP-API. The
        sandbox serves documents itself: at `document_base_url` when configured (a proxy, a
        container port mapping), else at the address this server listens on.
        """
        if self.document_base_url:
            return self.document_base_url
        server = request.scope.get("server")
        if not server or server[1] is None:
            raise RuntimeError("no listening address to serve documents at: set document_base_url")
        host, port = server
        host = f"[{host}]" if ":" in host else host
        return f"{request.url.scheme}://{host}:{port}"
