"""NetSuite's error bodies, as the sandbox sends them."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

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


class NetSuiteProblem(Exception):
    """Raised anywhere in the sandbox; the app turns it into NetSuite's error envelope."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        path: str | None = None,
        *,
        audit_reason: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.path = path
        self.audit_reason = audit_reason  # what NetSuite would show in the Login Audit Trail

    def body(self) -> dict[str, Any]:
        return error_body(self.status, self.code, self.detail, self.path)


def user_error(detail: str, path: str | None = None) -> NetSuiteProblem:
    return NetSuiteProblem(400, "USER_ERROR", detail, path)


def invalid_content(detail: str, path: str) -> NetSuiteProblem:
    return NetSuiteProblem(400, "INVALID_CONTENT", detail, path)


def not_found() -> NetSuiteProblem:
    return NetSuiteProblem(404, "NONEXISTENT_ID", "Record does not exist.")


def invalid_login(reason: str) -> NetSuiteProblem:
    return NetSuiteProblem(401, "INVALID_LOGIN", INVALID_LOGIN_DETAIL, audit_reason=reason)


def error_body(status: int, code: str, detail: str, path: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"detail": detail, "o:errorCode": code}
    if path:
        entry["o:errorPath"] = path
    body: dict[str, Any] = {
        "type": _TYPES.get(status, _TYPES[500]),
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "o:errorDetails": [entry],
    }
    return body


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
