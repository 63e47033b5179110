"""Endpoints outside SP-API proper: Login with Amazon tokens and the `/_sandbox/...` helpers."""

from __future__ import annotations

import gzip
import hmac
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from vendor_sandbox.identity import (
    SANDBOX_LWA_CLIENT_ID,
    SANDBOX_LWA_CLIENT_SECRET,
    sandbox_refresh_token,
)

from . import reports as report_docs
from .app_core import SandboxCore
from .document_urls import DOCUMENTS_PATH, s3_error
from .generator import iso
from .state import REPORTS, parse_time


class SandboxEndpointsMixin(SandboxCore):
    """`POST /auth/o2/token` and `/_sandbox/` (document downloads, advance, received)."""

    async def lwa_token(self, request: Request) -> Response:
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
        # Login with Amazon is global: any region's authorization can be refreshed here, and
        # the access token it issues opens only that region's host.
        granted = [
            region
            for region in ("NA", "EU", "FE")
            if hmac.compare_digest(form["refresh_token"], sandbox_refresh_token(region))
        ]
        if not granted:
            return lwa_error(
                400, "invalid_grant", "The request has an invalid grant parameter : refresh_token"
            )
        token = self.state.issue_token(self.token_lifetime, granted[0])
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

    async def sandbox_admin(self, request: Request) -> Response:
        path = request.url.path
        if path.startswith(DOCUMENTS_PATH) and request.method == "GET":
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
        refusal = self.documents.refusal(document_id, request.query_params, datetime.now(UTC))
        if refusal is not None:
            return refusal
        encoding = request.query_params.get("response-content-encoding", "")
        record = next(
            (r for r in self.state.store.all(REPORTS) if r["documentId"] == document_id), None
        )
        if record is None:
            return s3_error(404, "NoSuchKey", "The specified key does not exist.")
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
