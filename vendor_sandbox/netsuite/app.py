"""The NetSuite REST sandbox as an ASGI app: record service, SuiteQL, OAuth 2.0 token endpoint.

Layers, outermost first: account concurrency gate (429) -> fault injection -> routes, each of
which authenticates (TBA or bearer) and then works in a thread against the shared store.
Write bodies are checked against the record type's fields (validation.py) before they reach
the record service; an unrouted path or method answers NetSuite's JSON error (404/405).

The simulated warehouse (warehouse.py) works in waves. `WAREHOUSE_PATH` runs waves on demand
(tests, tools); with the option `warehouse_wave_on_read` (the embedded sandbox's default, off in
live mode, where live.py drives the warehouse on wall-clock time) the sandbox runs one wave
itself each time a client polls for item fulfilments changed since a mark, before answering,
so each poll of the pipeline's fulfilment sync shows the warehouse's next step.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from vendor_sandbox.faults import FaultInjectionMiddleware, FaultPlan
from vendor_sandbox.identity import SANDBOX_NETSUITE_ACCOUNT_ID
from vendor_sandbox.netsuite import metadata
from vendor_sandbox.netsuite.auth import TOKEN_PATH, Gatekeeper
from vendor_sandbox.netsuite.errors import (
    NetSuiteProblem,
    error_body,
    fault_body,
    problem_response,
    routing_error,
    unexpected_error,
)
from vendor_sandbox.netsuite.governance import ConcurrencyGate
from vendor_sandbox.netsuite.record_filter import parse_filter
from vendor_sandbox.netsuite.records import RecordType
from vendor_sandbox.netsuite.seed import seed_if_empty
from vendor_sandbox.netsuite.service import (
    RecordService,
    record_type,
    render,
    sublist_body,
)
from vendor_sandbox.netsuite.suiteql import run_query
from vendor_sandbox.netsuite.validation import (
    WARNING_HEADER,
    ValidationPolicy,
    check_body,
)
from vendor_sandbox.store import SandboxStore
from vendor_sandbox.world import World

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
    # One warehouse wave before each poll of new item fulfilments (see the module docstring).
    "warehouse_wave_on_read": False,
}
# Polls whose wave is remembered, so that a retry of one (the same session, query and
# parameters: its answer was lost, or it timed out) only reads.
WAVED_POLLS_KEPT = 256
# A later keyset window of a read (`... AND id > 1234`) continues a poll already answered.
_KEYSET_CONTINUATION = re.compile(r"\bid\s*>\s*\d")


def polls_new_fulfilments(query: str, params: list[Any], offset: int) -> bool:
    """Whether a SuiteQL request is the first page of a poll for item fulfilments changed since
    a mark (`FROM transaction WHERE type = 'ItemShip' AND lastmodifieddate >= ...`)."""
    text = " ".join(query.lower().split())
    return (
        offset == 0
        and ("ItemShip" in params or "'itemship'" in text)
        and " from transaction" in text
        and "lastmodifieddate >" in text
        and not _KEYSET_CONTINUATION.search(text)
    )


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
        self._wave_lock = threading.Lock()
        self._waved_polls: OrderedDict[str, None] = OrderedDict()
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

    def created(
        self, request: Request, kind_name: str, record_id: str, warnings: list[str]
    ) -> Response:
        location = f"{_base_url(request)}{RECORD}/{kind_name.lower()}/{record_id}"
        response = Response(status_code=204, headers={"Location": location})
        for warning in warnings:
            response.headers.append(WARNING_HEADER, warning)
        return response

    def checked(
        self, request: Request, kind: RecordType, body: dict[str, Any]
    ) -> tuple[dict[str, Any], list[str]]:
        """The body as NetSuite applies it, under the request's validation headers."""
        policy = ValidationPolicy.from_headers(request.headers)
        result = check_body(kind.name, kind.fields, body, policy)
        return result.body, result.warnings

    def create(self, request: Request, body: dict[str, Any]) -> Response:
        kind = record_type(request.path_params["rtype"])
        body, warnings = self.checked(request, kind, body)
        return self.created(request, kind.name, self.records.create(kind, body), warnings)

    def list_records(self, request: Request, body: dict[str, Any]) -> Response:
        """GET /record/v1/{type}: ids and links of the records matching `q`, paged."""
        kind = record_type(request.path_params["rtype"])
        limit, offset = _paging(request, self.options["suiteql_row_ceiling"])
        q = request.query_params.get("q")
        matches = parse_filter(q, kind.fields, kind.name) if q is not None else lambda r: True
        ids = self.records.find(kind, matches)
        page = ids[offset : offset + limit]
        base = f"{_base_url(request)}{RECORD}/{kind.name.lower()}"
        return JSONResponse(
            _collection_page(base, q, limit, offset, len(ids))
            | {
                "items": [
                    {"links": [{"rel": "self", "href": f"{base}/{record_id}"}], "id": record_id}
                    for record_id in page
                ],
            },
            media_type=COLLECTION,
        )

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
        body, warnings = self.checked(request, kind, body)
        record_id = self.records.upsert(kind, segment[4:], body)
        return self.created(request, kind.name, record_id, warnings)

    def patch(self, request: Request, body: dict[str, Any]) -> Response:
        kind = record_type(request.path_params["rtype"])
        replace = {s for s in request.query_params.get("replace", "").split(",") if s}
        body, warnings = self.checked(request, kind, body)
        record_id = self.records.patch(kind, request.path_params["rid"], body, replace)
        return self.created(request, kind.name, record_id, warnings)

    def delete(self, request: Request, body: dict[str, Any]) -> Response:
        kind = record_type(request.path_params["rtype"])
        self.records.delete(kind, request.path_params["rid"])
        return Response(status_code=204)

    def transform(self, request: Request, body: dict[str, Any]) -> Response:
        source = record_type(request.path_params["rtype"])
        target = record_type(request.path_params["target"])
        # A transform body is a body of the record it creates.
        body, warnings = self.checked(request, target, body)
        new_id = self.records.transform(source, request.path_params["rid"], target, body)
        return self.created(request, target.name, new_id, warnings)

    # -- metadata catalog ------------------------------------------------------------------

    def metadata_catalog(self, request: Request, body: dict[str, Any]) -> Response:
        kinds = metadata.selected_types(request.query_params.get("select"))
        base = _base_url(request)
        if metadata.SWAGGER_JSON in request.headers.get("accept", ""):
            return JSONResponse(metadata.openapi(kinds, base), media_type=metadata.SWAGGER_JSON)
        return JSONResponse(metadata.catalog(base, kinds), media_type=metadata.JSON)

    def metadata_of_type(self, request: Request, body: dict[str, Any]) -> Response:
        kind = record_type(request.path_params["rtype"])
        base = _base_url(request)
        if metadata.SCHEMA_JSON in request.headers.get("accept", ""):
            schema = metadata.json_schema(kind, base)
            return JSONResponse(schema, media_type=metadata.SCHEMA_JSON)
        return JSONResponse(metadata.openapi([kind], base), media_type=metadata.SWAGGER_JSON)

    # -- query and system services ---------------------------------------------------------

    def suiteql(self, request: Request, body: dict[str, Any]) -> Response:
        limit, offset = _paging(request, self.options["suiteql_row_ceiling"])
        query = body.get("q")
        if not isinstance(query, str) or not query.strip():
            raise NetSuiteProblem(400, "INVALID_CONTENT", "Please enter value(s) for: q", "q")
        params = list(body.get("params") or [])
        if self.options["warehouse_wave_on_read"] and polls_new_fulfilments(query, params, offset):
            self.wave_before_poll(request, query, params)
        rows = run_query(self.records.books(), query, params)
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

    def wave_before_poll(self, request: Request, query: str, params: list[Any]) -> None:
        """The warehouse's wave ahead of a poll of new item fulfilments, once per poll: a retry
        (same authorization, query and parameters) waits for the wave and finds it done."""
        from vendor_sandbox.netsuite.warehouse import advance_warehouse

        poll = hashlib.sha256(
            json.dumps(
                [request.headers.get("authorization", ""), query, params], default=str
            ).encode()
        ).hexdigest()
        with self._wave_lock:
            if poll in self._waved_polls:
                return
            advance_warehouse(self.store, self.world)
            self._waved_polls[poll] = None
            while len(self._waved_polls) > WAVED_POLLS_KEPT:
                self._waved_polls.popitem(last=False)

    async def advance_warehouse(self, request: Request) -> Response:
        """Sandbox-only hook (no auth, no NetSuite API): run warehouse waves (warehouse.py)."""
        from vendor_sandbox.netsuite.warehouse import advance_warehouse

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
    return NetSuiteProblem(400, "INVALID_PARAMETER", detail, query_param=name)


def _paging(request: Request, ceiling: int) -> tuple[int, int]:
    """`limit` (1..1000, default 1000) and `offset` (a multiple of it), as every collection."""
    limit = _int_param(request, "limit", 1000)
    offset = _int_param(request, "offset", 0)
    if not 1 <= limit <= 1000:
        raise _bad_param("limit", "The limit must be between 1 and 1000.")
    if offset < 0 or offset % limit:
        raise _bad_param("offset", "The offset must be a multiple of the limit.")
    if offset >= ceiling:
        raise _bad_param("offset", f"A query can return at most {ceiling} results.")
    return limit, offset


def _collection_page(
    base: str, q: str | None, limit: int, offset: int, total: int
) -> dict[str, Any]:
    """Paging fields and links of a record collection (Oracle's "Collection Paging" page)."""

    def href(at: int) -> str:
        query = {"limit": limit, "offset": at} | ({"q": q} if q is not None else {})
        return f"{base}?{urlencode(query, quote_via=quote)}"

    has_more = offset + limit < total
    last = max(0, (total - 1) // limit * limit)
    links = []
    if offset:
        links += [
            {"rel": "prev", "href": href(max(0, offset - limit))},
            {"rel": "first", "href": href(0)},
        ]
    if has_more:
        links += [
            {"rel": "next", "href": href(offset + limit)},
            {"rel": "last", "href": href(last)},
        ]
    links.append({"rel": "self", "href": href(offset)})
    count = max(0, min(limit, total - offset))
    return {
        "links": links,
        "count": count,
        "hasMore": has_more,
        "offset": offset,
        "totalResults": total,
    }


def create_app(
    world: World, store: SandboxStore, faults: FaultPlan | None = None, **options: Any
) -> Any:
    """The sandbox ASGI app. Options: see DEFAULT_OPTIONS (plus `account_id`)."""
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
        Route(metadata.CATALOG_PATH, ep(sandbox.metadata_catalog, writes=False), methods=["GET"]),
        Route(
            metadata.CATALOG_PATH + "/{rtype}",
            ep(sandbox.metadata_of_type, writes=False),
            methods=["GET"],
        ),
        Route(RECORD + "/{rtype}", ep(sandbox.list_records, writes=False), methods=["GET"]),
        Route(RECORD + "/{rtype}", ep(sandbox.create, writes=True), methods=["POST"]),
        Route(one, ep(sandbox.read, writes=False), methods=["GET"]),
        Route(one, ep(sandbox.upsert, writes=True), methods=["PUT"]),
        Route(one, ep(sandbox.patch, writes=True), methods=["PATCH"]),
        Route(one, ep(sandbox.delete, writes=True), methods=["DELETE"]),
        Route(one + "/!transform/{target}", ep(sandbox.transform, writes=True), methods=["POST"]),
        Route(one + "/{sub}", ep(sandbox.read_sublist, writes=False), methods=["GET"]),
    ]
    app: Any = Starlette(
        routes=routes,
        exception_handlers={HTTPException: routing_error, Exception: unexpected_error},
    )
    app.state.sandbox = sandbox
    outer: Any = app
    fault_layer = None
    if faults is not None and faults.active:
        # Login and the sandbox's own hooks are control paths, never faulted unless asked.
        fault_layer = outer = FaultInjectionMiddleware(
            app, faults, fault_body, exempt_paths=(TOKEN_PATH, "/_sandbox/")
        )
    gate = ConcurrencyGate(
        outer,
        limit=settings["concurrency_limit"],
        latency_seconds=settings["latency_seconds"],
        # On disk, the account's slots are shared with every process serving this state.
        slots_dir=None if store.path == ":memory:" else Path(store.path).parent / "slots",
    )
    gate.sandbox = sandbox  # type: ignore[attr-defined]
    gate.faults = fault_layer  # type: ignore[attr-defined]
    return gate
