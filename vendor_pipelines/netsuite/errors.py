"""NetSuite's error envelope as typed exceptions.

REST errors arrive as `{"type", "title", "status", "o:errorDetails": [{"detail", "o:errorCode",
"o:errorPath", ...}]}`; a few carry a top-level `o:errorCode` too (the 429 body says
`USER_ERROR` at the top and `CONCURRENCY_LIMIT_EXCEEDED` in the detail). Callers branch on the
exception class and on `codes`, never on `type`, which changed between releases.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field

DUPLICATE_ENTITY_TEXT = "this entity already exists"


class ErrorDetail(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="allow")

    detail: str = ""
    code: str | None = Field(default=None, alias="o:errorCode")
    path: str | None = Field(default=None, alias="o:errorPath")
    url_path: str | None = Field(default=None, alias="o:errorUrl")
    header: str | None = Field(default=None, alias="o:errorHeader")
    query_param: str | None = Field(default=None, alias="o:errorQueryParam")


class ErrorEnvelope(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="allow")

    type: str | None = None
    title: str | None = None
    status: int | None = None
    detail: str | None = None  # record-action failures put it at the top level
    code: str | None = Field(default=None, alias="o:errorCode")
    details: list[ErrorDetail] = Field(default_factory=list, alias="o:errorDetails")


class NetSuiteError(Exception):
    """Any non-2xx answer, or a failure to get one."""

    def __init__(
        self,
        status: int,
        message: str,
        details: list[ErrorDetail] | None = None,
        code: str | None = None,
    ) -> None:
        self.status = status
        # Set by the transport: earlier attempts of this call that may have been applied.
        self.ambiguous_attempts = 0
        self.details = details or []
        self.code = code or (self.details[0].code if self.details else None)
        super().__init__(f"{status} {self.code or ''}: {message}".replace(" :", ":"))

    @property
    def codes(self) -> list[str]:
        return [d.code for d in self.details if d.code]

    @property
    def detail(self) -> str:
        return "; ".join(d.detail for d in self.details) or str(self)

    @property
    def path(self) -> str | None:
        return next((d.path for d in self.details if d.path), None)


class NetSuiteAuthenticationError(NetSuiteError):
    """401 INVALID_LOGIN, or a token endpoint refusal. Details live in the Login Audit Trail."""


class RecordNotFound(NetSuiteError):
    """404 NONEXISTENT_ID."""


class NetSuiteUserError(NetSuiteError):
    """400: INVALID_CONTENT, USER_ERROR, INVALID_REQUEST... a caller or business-rule problem."""


class DuplicateExternalId(NetSuiteUserError):
    """400 USER_ERROR "This entity already exists." on create with a used externalId."""


class ConcurrencyLimitExceeded(NetSuiteError):
    """429 CONCURRENCY_LIMIT_EXCEEDED: the account's request pool is full."""


class NetSuiteServerError(NetSuiteError):
    """5xx. The write may or may not have happened."""


class NetSuiteConnectionError(NetSuiteError):
    """No HTTP answer (reset, timeout). Like a 5xx, a write may have been applied."""


class SuiteQLRowCeilingReached(NetSuiteError):
    """Offset paging hit the 100,000-row ceiling; use keyset paging (`suiteql_by_key`)."""


def error_from_response(response: httpx.Response) -> NetSuiteError:
    status = response.status_code
    envelope = _parse_envelope(response)
    details = envelope.details if envelope else []
    top_code = envelope.code if envelope else None
    message = "; ".join(d.detail for d in details) or (envelope.detail if envelope else None)
    message = message or response.reason_phrase or "error"
    codes = {d.code for d in details} | {top_code}
    cls: type[NetSuiteError]
    if status == 429 or "CONCURRENCY_LIMIT_EXCEEDED" in codes:
        cls = ConcurrencyLimitExceeded
    elif status == 401:
        cls = NetSuiteAuthenticationError
    elif status == 404:
        cls = RecordNotFound
    elif status >= 500:
        cls = NetSuiteServerError
    elif any(DUPLICATE_ENTITY_TEXT in d.detail.lower() for d in details):
        cls = DuplicateExternalId
    else:
        cls = NetSuiteUserError
    code = next((d.code for d in details if d.code), None) or top_code
    return cls(status, message, details, code=code)


def _parse_envelope(response: httpx.Response) -> ErrorEnvelope | None:
    try:
        body: Any = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    try:
        return ErrorEnvelope.model_validate(body)
    except ValueError:
        return None
