"""Typed exceptions for SP-API calls.

Every API error carries the operation, HTTP status, Amazon's request id and its `errors[]`
(code, message, details). Nothing here ever holds a credential or an access token: messages are
built only from Amazon's error bodies and our own wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ApiErrorDetail:
    code: str
    message: str
    details: str | None = None

    @classmethod
    def from_json(cls, raw: Any) -> ApiErrorDetail:
        if isinstance(raw, dict):
            return cls(
                code=str(raw.get("code", "Unknown")),
                message=str(raw.get("message", "")),
                details=None if raw.get("details") in (None, "") else str(raw.get("details")),
            )
        return cls(code="Unknown", message=str(raw))

    def __str__(self) -> str:
        text = f"{self.code}: {self.message}"
        return f"{text} ({self.details})" if self.details else text


class AmazonError(Exception):
    """Base of every error raised by `vendor_pipelines.amazon`."""


class AmazonConfigurationError(AmazonError, ValueError):
    """The client was constructed with unusable settings."""


class AmazonAuthError(AmazonError):
    """Login with Amazon refused to issue an access token (bad client or refresh token)."""

    def __init__(self, status_code: int | None, error: str, description: str) -> None:
        self.status_code = status_code
        self.error = error
        self.description = description
        where = f"HTTP {status_code}" if status_code else "no response"
        super().__init__(f"LWA token request failed ({where}): {error}: {description}")


class AmazonApiError(AmazonError):
    """SP-API answered with an error status."""

    def __init__(
        self,
        operation: str,
        status_code: int,
        errors: list[ApiErrorDetail],
        request_id: str | None = None,
        attempts: int = 1,
    ) -> None:
        self.operation = operation
        self.status_code = status_code
        self.errors = errors
        self.request_id = request_id
        self.attempts = attempts
        summary = "; ".join(str(e) for e in errors) or "no error body"
        rid = f", request id {request_id}" if request_id else ""
        tries = f", after {attempts} attempts" if attempts > 1 else ""
        super().__init__(f"{operation} failed with HTTP {status_code}{rid}{tries}: {summary}")

    @property
    def code(self) -> str | None:
        return self.errors[0].code if self.errors else None


class AmazonBadRequestError(AmazonApiError):
    """400: invalid input (Amazon names the offending parameter or field in `errors[]`)."""


class AmazonForbiddenError(AmazonApiError):
    """401/403: missing, expired or revoked access token, or missing role."""


class AmazonNotFoundError(AmazonApiError):
    """404: the resource (purchase order, transaction, report) does not exist."""


class AmazonConflictError(AmazonApiError):
    """409."""


class AmazonPayloadError(AmazonApiError):
    """413/415: body too large or unsupported media type."""


class AmazonThrottledError(AmazonApiError):
    """429 QuotaExceeded, after the retry budget was spent."""


class AmazonServerError(AmazonApiError):
    """5xx, after the retry budget was spent."""


class AmazonTransportError(AmazonError):
    """No usable HTTP response (timeouts, refused or dropped connections) within the budget."""

    def __init__(self, operation: str, reason: str, attempts: int) -> None:
        self.operation = operation
        self.reason = reason
        self.attempts = attempts
        super().__init__(f"{operation}: no response after {attempts} attempts ({reason})")


class AmazonResponseError(AmazonError):
    """A response body that does not match the operation's model; names the offending field."""

    def __init__(
        self, operation: str, field: str, problem: str, request_id: str | None = None
    ) -> None:
        self.operation = operation
        self.field = field
        self.problem = problem
        self.request_id = request_id
        rid = f" (request id {request_id})" if request_id else ""
        super().__init__(f"{operation} returned an invalid response{rid}: {field}: {problem}")


class TransactionFailedError(AmazonError):
    """An asynchronous submission ended in `Failure`; `errors` is Amazon's list."""

    def __init__(self, transaction_id: str, errors: list[ApiErrorDetail]) -> None:
        self.transaction_id = transaction_id
        self.errors = errors
        summary = "; ".join(str(e) for e in errors) or "no error details"
        super().__init__(f"transaction {transaction_id} failed: {summary}")


class TransactionTimeoutError(AmazonError):
    """A transaction was still `Processing` when the polling budget ran out."""

    def __init__(self, transaction_id: str, waited_seconds: float) -> None:
        self.transaction_id = transaction_id
        self.waited_seconds = waited_seconds
        super().__init__(
            f"transaction {transaction_id} still Processing after {waited_seconds:.1f}s"
        )


class ReportFailedError(AmazonError):
    """A report ended FATAL/CANCELLED, or its document holds `errorDetails`."""

    def __init__(self, report_id: str, status: str, details: str | None = None) -> None:
        self.report_id = report_id
        self.status = status
        self.details = details
        extra = f": {details}" if details else ""
        super().__init__(f"report {report_id} ended {status}{extra}")


class ReportTimeoutError(AmazonError):
    def __init__(self, report_id: str, status: str, waited_seconds: float) -> None:
        self.report_id = report_id
        self.status = status
        super().__init__(f"report {report_id} still {status} after {waited_seconds:.1f}s")


def error_for_status(
    operation: str,
    status_code: int,
    errors: list[ApiErrorDetail],
    request_id: str | None,
    attempts: int = 1,
) -> AmazonApiError:
    cls: type[AmazonApiError]
    if status_code == 400:
        cls = AmazonBadRequestError
    elif status_code in (401, 403):
        cls = AmazonForbiddenError
    elif status_code == 404:
        cls = AmazonNotFoundError
    elif status_code == 409:
        cls = AmazonConflictError
    elif status_code in (413, 415):
        cls = AmazonPayloadError
    elif status_code == 429:
        cls = AmazonThrottledError
    elif status_code >= 500:
        cls = AmazonServerError
    else:
        cls = AmazonApiError
    return cls(operation, status_code, errors, request_id, attempts)
