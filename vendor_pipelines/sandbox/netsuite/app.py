"""The NetSuite REST sandbox as an ASGI app: record service, SuiteQL, OAuth 2.0 token endpoint.

Layers, outermost first: account concurrency gate (429) -> fault injection -> routes, each of
which authenticates (TBA or bearer) and then works in a thread against the shared store.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from vendor_pipelines.sandbox.faults import FaultInjectionMiddleware, FaultPlan
from vendor_pipelines.sandbox.netsuite.auth import TOKEN_PATH, Gatekeeper
from vendor_pipelines.sandbox.netsuite.errors import (
    NetSuiteProblem,
    error_body,
    fault_body,
    problem_response,
)
from vendor_pipelines.sandbox.netsuite.governance import ConcurrencyGate
from vendor_pipelines.sandbox.netsuite.seed import seed_if_empty
from vendor_pipelines.sandbox.netsuite.service import (
    RecordService,
    record_type,
    render,
    sublist_body,
)
from vendor_pipelines.sandbox.netsuite.suiteql import run_query
from vendor_pipelines.sandbox.store import SandboxStore
from vendor_pipelines.sandbox.world import World

RECORD = "/services/rest/record/v1"
WAREHOUSE_PATH = "/_sandbox/warehouse/advance"  # the warehouse simulation's test hook
SINGULAR = "application/vnd.oracle.resource+json; type=singular"
COLLECTION = "application/vnd.oracle.resource+json; type=collection"
DEFAULT_OPTIONS: dict[str, Any] = {
    "concurrency_limit": 5,
    "latency_seconds": 0.0,
    "default_order_status": "A",  # NetSuite's default form leaves new orders Pending Approval
    "enforce_stock": True,
    "suiteql_row_ceiling": 100_000,
    "lost_response_rate": 0.0,  # writes that commit, then answer 500 (an ambiguous failure)
    "token_lifetime_seconds": 3600,
    "seed": 0,
}


def _base_url(request: Request) -> str:
    return f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise NetSuiteProblem(
            400, "INVALID_CONTENT", "The request body is not valid JSON."
        ) from None
    if not isinstance(body, dict):
        raise NetSuiteProblem(400, "INVALID_CONTENT", "The request body must be a JSON object.")
    return body


class NetSuiteSandbox:
    """Handlers and state for one app instance."""

    def __init__(self, world: World, store: SandboxStore, options: dict[str, Any]) -> None:
        self.world = world
        self.store = store
        self.options = options
        self.records = RecordService(store, options)
        self.gatekeeper = Gatekeeper(
            store,
            account_id=options["account_id"],
            token_lifetime_seconds=options["token_lifetime_seconds"],
        )
        self._rng = random.Random(options["seed"])
        self._rng_lock = threading.Lock()
        seed_if_empty(store, world)

    def _loses_response(self) -> bool:
        rate = self.options["lost_response_rate"]
        if not rate:
            return False
        with self._rng_lock:
            return self._rng.random() < rate

    def endpoint(self, work: Callable[[Request, dict[str, Any]], Response], *, writes: bool):
        async def handle(request: Request) -> Response:
            try:
                body = (
                    await _json_body(request) if request.method in ("POST", "PUT", "PATCH") else {}
                )

                def authenticated() -> Response:
                    self.gatekeeper.authenticate(request)
                    return work(request, body)

                response = await run_in_threadpool(authenticated)
            except NetSuiteProblem as problem:
                response = problem_response(problem)
                if problem.status == 401 and request.headers.get("authorization", "").startswith(
                    "Bearer "
                ):
                    response.headers["WWW-Authenticate"] = (
                        f'Bearer realm="{self.options["account_id"]}", error="invalid_token", '
                        'error_description="Invalid login attempt."'
                    )
                return response
            if writes and response.status_code < 300 and self._loses_response():
                body = error_body(500, "UNEXPECTED_ERROR", "An unexpected error occurred.")
                return JSONResponse(body, status_code=500)
            return response

        return handle

    # -- record service --------------------------------------------------------------------

    def created(self, request: Request, kind_name: str, record_id: str) -> Response:
        location = f"{_base_url(request)}{RECORD}/{kind_name.lower()}/{record_id}"
        return Response(status_code=204, headers={"Location": location})

    def create(self, request: Request, body: dict[str, Any]) -> Response:
        kind = record_type(request.path_params["rtype"])
        return self.created(request, kind.name, self.records.create(kind, body))

    def read(self, request: Request, body: dict[str, Any]) -> Response:
        kind = record_type(request.path_params["rtype"])
        record, books = self.records.get(kind, request.path_params["rid"])
        expand = request.query_params.get("expandSubResources", "").lower() == "true"
        fields = request.query_params.get("fields")
        out = render(
            kind,
            record,
            books,
            _base_url(request),
            expand=expand,
            fields=set(fields.split(",")) if fields else None,
        )
        return JSONResponse(out, media_type=SINGULAR)

    def read_sublist(self, request: Request, body: dict[str, Any]) -> Response:
        kind = record_type(request.path_params["rtype"])
        record, books = self.records.get(kind, request.path_params["rid"])
        name = request.path_params["sub"]
        sublists = {n: record.get(n, {}).get("items", []) for n in kind.sublists}
        sublists |= kind.computed_sublists(books, record)
        if name not in sublists:
            raise NetSuiteProblem(404, "NONEXISTENT_ID", f"Sub-resource '{name}' does not exist.")
        href = f"{_base_url(request)}{request.url.path}"
        return JSONResponse(sublist_body(href, sublists[name]), media_type=COLLECTION)

    def upsert(self, request: Request, body: dict[str, Any]) -> Response:
        kind = record_type(request.path_params["rtype"])
        segment = request.path_params["rid"]
        if not segment.startswith("eid:"):
            raise NetSuiteProblem(
                405, "INVALID_METHOD", "PUT is only supported with an external id (eid:...)."
            )
        return self.created(request, kind.name, self.records.upsert(kind, segment[4:], body))

    def patch(self, request: Request, body: dict[str, Any]) -> Response:
        kind = record_type(request.path_params["rtype"])
        replace = {s for s in request.query_params.get("replace", "").split(",") if s}
        record_id = self.records.patch(kind, request.path_params["rid"], body, replace)
        return self.created(request, kind.name, record_id)

    def delete(self, request: Request, body: dict[str, Any]) -> Response:
        kind = record_type(request.path_params["rtype"])
        self.records.delete(kind, request.path_params["rid"])
        return Response(status_code=204)

    def transform(self, request: Request, body: dict[str, Any]) -> Response:
        source = record_type(request.path_params["rtype"])
        target = record_type(request.path_params["target"])
        new_id = self.records.transform(source, request.path_params["rid"], target, body)
        return self.created(request, target.name, new_id)

    # -- query and system services ---------------------------------------------------------

    def suiteql(self, request: Request, body: dict[str, Any]) -> Response:
        limit = _int_param(request, "limit", 1000)
        offset = _int_param(request, "offset", 0)
        ceiling = self.options["suiteql_row_ceiling"]
        if not 1 <= limit <= 1000:
            raise _bad_param("limit", "The limit must be between 1 and 1000.")
        if offset % limit:
            raise _bad_param("offset", "The offset must be a multiple of the limit.")
        if offset >= ceiling:
            raise _bad_param("offset", f"A query can return at most {ceiling} results.")
        query = body.get("q")
        if not isinstance(query, str) or not query.strip():
            raise NetSuiteProblem(400, "INVALID_CONTENT", "Please enter value(s) for: q", "q")
        rows = run_query(self.records.books(), query, list(body.get("params") or []))
        total = len(rows)
        page = rows[offset : offset + limit]
        has_more = offset + limit < total
        href = f"{_base_url(request)}/services/rest/query/v1/suiteql"
        links = [{"rel": "self", "href": f"{href}?limit={limit}&offset={offset}"}]
        if has_more:
            links.append({"rel": "next", "href": f"{href}?limit={limit}&offset={offset + limit}"})
        if offset:
            links.append(
                {"rel": "previous", "href": f"{href}?limit={limit}&offset={offset - limit}"}
            )
        return JSONResponse(
            {
                "links": links,
                "count": len(page),
                "hasMore": has_more,
                "offset": offset,
                "totalResults": total,
                "items": [{"links": [], **row} for row in page],
            },
            media_type=COLLECTION,
        )

    async def advance_warehouse(self, request: Request) -> Response:
        """Sandbox-only hook (no auth, no NetSuite API): run warehouse waves (warehouse.py)."""
        from vendor_pipelines.sandbox.netsuite.warehouse import advance_warehouse

        waves = _int_param(request, "waves", 1)
        created = await run_in_threadpool(advance_warehouse, self.store, self.world, waves)
        return JSONResponse(created)

    def server_time(self, request: Request, body: dict[str, Any]) -> Response:
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        return JSONResponse({"serverTime": now})

    def governance_limits(self, request: Request, body: dict[str, Any]) -> Response:
        limit = self.options["concurrency_limit"]
        return JSONResponse(
            {
                "accountConcurrencyLimit": limit,
                "accountUnallocatedConcurrencyLimit": limit,
                "integrationLimitType": "accountLimit",
            }
        )


def _int_param(request: Request, name: str, default: int) -> int:
    try:
        return int(request.query_params.get(name, default))
    except ValueError:
        raise _bad_param(name, f"Invalid value for {name}.") from None


def _bad_param(name: str, detail: str) -> NetSuiteProblem:
    problem = NetSuiteProblem(400, "INVALID_PARAMETER", detail)
    return problem


def create_app(
    world: World, store: SandboxStore, faults: FaultPlan | None = None, **options: Any
) -> Any:
    """The sandbox ASGI app. Options: see DEFAULT_OPTIONS (plus `account_id`)."""
    from vendor_pipelines.sandbox.embedded import SANDBOX_NETSUITE_ACCOUNT_ID

    unknown = set(options) - set(DEFAULT_OPTIONS) - {"account_id"}
    if unknown:
        raise TypeError(f"unknown NetSuite sandbox options: {sorted(unknown)}")
    settings = DEFAULT_OPTIONS | {"account_id": SANDBOX_NETSUITE_ACCOUNT_ID} | options
    sandbox = NetSuiteSandbox(world, store, settings)
    ep = sandbox.endpoint
    one = RECORD + "/{rtype}/{rid}"
    routes = [
        Route(TOKEN_PATH, sandbox.gatekeeper.token_endpoint, methods=["POST"]),
        Route(WAREHOUSE_PATH, sandbox.advance_warehouse, methods=["POST"]),
        Route(
            "/services/rest/query/v1/suiteql", ep(sandbox.suiteql, writes=False), methods=["POST"]
        ),
        Route("/services/rest/system/v1/serverTime", ep(sandbox.server_time, writes=False)),
        Route(
            "/services/rest/system/v1/governanceLimits", ep(sandbox.governance_limits, writes=False)
        ),
        Route(RECORD + "/{rtype}", ep(sandbox.create, writes=True), methods=["POST"]),
        Route(one, ep(sandbox.read, writes=False), methods=["GET"]),
        Route(one, ep(sandbox.upsert, writes=True), methods=["PUT"]),
        Route(one, ep(sandbox.patch, writes=True), methods=["PATCH"]),
        Route(one, ep(sandbox.delete, writes=True), methods=["DELETE"]),
        Route(one + "/!transform/{target}", ep(sandbox.transform, writes=True), methods=["POST"]),
        Route(one + "/{sub}", ep(sandbox.read_sublist, writes=False), methods=["GET"]),
    ]
    app: Any = Starlette(routes=routes)
    app.state.sandbox = sandbox
    outer: Any = app
    if faults is not None and faults.active:
        outer = FaultInjectionMiddleware(
            app, faults, fault_body, exempt_paths=(TOKEN_PATH, WAREHOUSE_PATH)
        )
    gate = ConcurrencyGate(
        outer,
        limit=settings["concurrency_limit"],
        latency_seconds=settings["latency_seconds"],
        # On disk, the account's slots are shared with every process serving this state.
        slots_dir=None if store.path == ":memory:" else Path(store.path).parent / "slots",
    )
    gate.sandbox = sandbox  # type: ignore[attr-defined]
    return gate
