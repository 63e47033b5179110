"""NetSuite's error bodies, as the sandbox sends them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match

_TYPES = {
    400: "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
    401: "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2",
    404: "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.5",
    405: "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.6",
    429: "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
    500: "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.1",
}
_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Bad Request",  # sic: the documented 429 body says Bad Request
    500: "Internal Server Error",
    503: "Service Unavailable",
}
ERROR_CONTENT_TYPE = "application/vnd.oracle.resource+json; type=error"
INVALID_LOGIN_DETAIL = (
    "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at "
    "Setup > Users/Roles > User Management > View Login Audit Trail."
)


def error_detail(
    detail: str,
    code: str,
    path: str | None = None,
    *,
    query_param: str | None = None,
    header: str | None = None,
) -> dict[str, Any]:
    """One entry of `o:errorDetails`, with whichever locators apply."""
    entry: dict[str, Any] = {"detail": detail, "o:errorCode": code}
    if path:
        entry["o:errorPath"] = path
    if query_param:
        entry["o:errorQueryParam"] = query_param
    if header:
        entry["o:errorHeader"] = header
    return entry


class NetSuiteProblem(Exception):
    """Raised anywhere in the sandbox; the app turns it into NetSuite's error envelope.

    One problem may carry several details (NetSuite reports every invalid field of a body in
    one response); `detail`, `code` and `path` are those of the first.
    """

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        path: str | None = None,
        *,
        audit_reason: str | None = None,
        query_param: str | None = None,
        header: str | None = None,
        details: Sequence[dict[str, Any]] = (),
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.path = path
        self.audit_reason = audit_reason  # what NetSuite would show in the Login Audit Trail
        self.details = list(details) or [
            error_detail(detail, code, path, query_param=query_param, header=header)
        ]

    def body(self) -> dict[str, Any]:
        return {
            "type": _TYPES.get(self.status, _TYPES[500]),
            "title": _TITLES.get(self.status, "Error"),
            "status": self.status,
            "o:errorDetails": self.details,
        }


def user_error(detail: str, path: str | None = None) -> NetSuiteProblem:
    return NetSuiteProblem(400, "USER_ERROR", detail, path)


def invalid_content(detail: str, path: str) -> NetSuiteProblem:
    return NetSuiteProblem(400, "INVALID_CONTENT", detail, path)


def not_found() -> NetSuiteProblem:
    return NetSuiteProblem(404, "NONEXISTENT_ID", "Record does not exist.")


def invalid_login(reason: str) -> NetSuiteProblem:
    return NetSuiteProblem(401, "INVALID_LOGIN", INVALID_LOGIN_DETAIL, audit_reason=reason)


def error_body(status: int, code: str, detail: str, path: str | None = None) -> dict[str, Any]:
    return NetSuiteProblem(status, code, detail, path).body()


def concurrency_body() -> dict[str, Any]:
    body = error_body(
        429, "CONCURRENCY_LIMIT_EXCEEDED", "Concurrent request limit exceeded. Request blocked."
    )
    body["o:errorCode"] = "USER_ERROR"
    return body


def fault_body(status: int) -> dict[str, Any]:
    """What injected faults look like on NetSuite's wire."""
    if status == 429:
        return concurrency_body()
    return error_body(
        status, "UNEXPECTED_ERROR", "An unexpected error occurred. Error ID: sandbox-fault"
    )


def problem_response(problem: NetSuiteProblem) -> JSONResponse:
    headers = {}
    if problem.status == 401 and problem.audit_reason:
        # Real NetSuite keeps the reason in the Login Audit Trail; the sandbox exposes it here.
        headers["X-Sandbox-Login-Audit"] = problem.audit_reason
    return JSONResponse(
        problem.body(), status_code=problem.status, headers=headers, media_type=ERROR_CONTENT_TYPE
    )


# -- what the framework would otherwise answer in plain text -------------------------------

_ROUTING_CODES = {404: "NONEXISTENT_ID", 405: "INVALID_METHOD"}


async def routing_error(request: Request, exc: Exception) -> Response:
    """Unrouted paths and methods, in NetSuite's envelope instead of Starlette's plain text."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 404:
        detail = f"The resource {request.url.path} does not exist."
    elif status == 405:
        detail = f"The {request.method} method is not allowed on {request.url.path}."
    else:
        detail = str(getattr(exc, "detail", "")) or "The request could not be processed."
    code = _ROUTING_CODES.get(status, "INVALID_REQUEST" if status < 500 else "UNEXPECTED_ERROR")
    response = problem_response(NetSuiteProblem(status, code, detail))
    if status == 405:
        response.headers["Allow"] = ", ".join(sorted(_methods_at(request)))
    return response


def _methods_at(request: Request) -> set[str]:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in getattr(request.app, "routes", []):
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return methods


async def unexpected_error(request: Request, exc: Exception) -> Response:
    """A sandbox bug still answers like NetSuite's 500 (with an error id to quote)."""
    return problem_response(
        NetSuiteProblem(500, "UNEXPECTED_ERROR", "An unexpected error occurred. Error ID: sandbox")
    )
