"""Transport core of `AmazonVendorClient`: one SP-API call with LWA, rate limits and retries.

Every call: takes a token from the operation's bucket (published rate/burst), sends the LWA
access token in `x-amz-access-token`, retries 429/5xx/timeouts/dropped connections with jittered
exponential backoff within `RetryPolicy` (attempts and seconds), refreshes the access token once
if SP-API says it expired, and parses the body into the operation's pydantic model.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime
from typing import Any, Literal, Self

import httpx
from pydantic import BaseModel, ValidationError

from vendor_pipelines.tls import tls_context

from . import operations as ops
from .auth import LWA_TOKEN_URL, LwaCredentials, LwaTokenProvider
from .client_support import (
    ClientStats,
    M,
    Submission,
    _default_user_agent,
    _enum,
    _error_details,
    _quote,
    _token_problem,
    _validation_field,
    log,
)
from .errors import (
    AmazonApiError,
    AmazonConfigurationError,
    AmazonResponseError,
    AmazonTransportError,
    ApiErrorDetail,
    error_for_status,
)
from .models.common import TransactionReference, to_body
from .ratelimit import RateLimit, RateLimiter
from .retry import RetryPolicy

DEFAULT_RATE_LIMITS: dict[str, RateLimit] = {
    key: RateLimit(op.rate, op.burst) for key, op in ops.OPERATIONS.items()
}
# Seconds without the answer before a call counts as timed out (and is retried);
# deployments set it with AMAZON_REQUEST_TIMEOUT_SECONDS.
DEFAULT_TIMEOUT_SECONDS = 30.0


class ClientCore:
    """Transport core: HTTP clients, LWA, rate limits, retries, response parsing, submits.

    The API-family mixins build on these primitives; `AmazonVendorClient` composes them.
    """

    def __init__(
        self,
        endpoint: str,
        lwa_client_id: str,
        lwa_client_secret: str,
        lwa_refresh_token: str,
        lwa_token_url: str = LWA_TOKEN_URL,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
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
            verify=tls_context(),
        )
        # Document downloads are pre-signed URLs: a separate client that never sends our token.
        self._download = httpx.Client(
            timeout=timeouts, transport=transport, follow_redirects=True, verify=tls_context()
        )
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

    def __enter__(self) -> Self:
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
