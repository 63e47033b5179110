"""Sending one REST call under NetSuite's concurrency governance.

NetSuite meters only concurrency: every in-flight request of the account counts, and the one
over the limit gets 429 CONCURRENCY_LIMIT_EXCEEDED. So the client holds a semaphore sized to the
account limit (threads queue locally instead of being refused remotely) and still backs off with
jitter on 429, because other integrations share the pool.

Retry safety: a 429 is refused before any work, so it is always retried. A 5xx or a lost
connection may have happened after the write committed, so those are retried only when the
caller says the request is safe to repeat (GET, PUT upsert by external id, POST carrying an
externalId whose duplicate refusal we can resolve).
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx

from vendor_pipelines.netsuite.errors import (
    ConcurrencyLimitExceeded,
    NetSuiteAuthenticationError,
    NetSuiteConnectionError,
    NetSuiteError,
    NetSuiteServerError,
    error_from_response,
)
from vendor_pipelines.netsuite.hosts import token_endpoint
from vendor_pipelines.netsuite.oauth2 import OAuth2ClientCredentials
from vendor_pipelines.netsuite.tba import TokenBasedAuth
from vendor_pipelines.tls import tls_context

NetSuiteAuth = TokenBasedAuth | OAuth2ClientCredentials


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 10
    base_delay: float = 0.25
    max_delay: float = 8.0

    def delay(self, attempt: int) -> float:
        # Full jitter: threads refused together must not come back together.
        return random.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))


@dataclass
class Outcome:
    """A successful response, and whether an earlier attempt may already have applied."""

    response: httpx.Response
    ambiguous_attempts: int = 0


@dataclass
class TransportStats:
    requests: int = 0
    throttled: int = 0
    server_errors: int = 0
    connection_errors: int = 0


class GovernedTransport:
    def __init__(
        self,
        base_url: str,
        account_id: str,
        auth: NetSuiteAuth,
        *,
        concurrency_limit: int,
        retry: RetryPolicy,
        timeout: float,
        http_client: httpx.Client | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.account_id = account_id
        self.auth = auth
        self.retry = retry
        self._slots = threading.BoundedSemaphore(concurrency_limit)
        limits = httpx.Limits(max_connections=concurrency_limit * 2)
        self._owns_http = http_client is None
        self.http = http_client or httpx.Client(
            timeout=timeout, limits=limits, verify=tls_context()
        )
        self.stats = TransportStats()
        self._stats_lock = threading.Lock()

    def close(self) -> None:
        if self._owns_http:
            self.http.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        repeatable: bool,
    ) -> Outcome:
        url = httpx.URL(self.base_url + path, params=params or None)
        # Built, its body encoded, before a slot is taken: the slot is NetSuite's concurrency,
        # and a request holds it from its first byte out to its answer read, never while it is
        # being built. Each attempt signs it afresh and sends it again.
        request = self.http.build_request(method, url, json=json, headers=headers)
        ambiguous = 0
        refreshed_token = False
        last_error: NetSuiteError | None = None
        for attempt in range(self.retry.max_attempts):
            if attempt:
                time.sleep(self.retry.delay(attempt - 1))
            with self._slots:
                self._count("requests")
                try:
                    request.headers["Authorization"] = self._authorization(method, url)
                    response = self.http.send(request)
                except httpx.TransportError as exc:
                    self._count("connection_errors")
                    last_error = NetSuiteConnectionError(0, f"{method} {path}: {exc!r}")
                    # A connect failure never reached NetSuite; anything later might have.
                    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
                        continue
                    ambiguous += 1
                    if not repeatable:
                        last_error.ambiguous_attempts = ambiguous
                        raise last_error from exc
                    continue
            if response.is_success:
                return Outcome(response, ambiguous)
            error = error_from_response(response)
            last_error = error
            if isinstance(error, ConcurrencyLimitExceeded):
                self._count("throttled")
                continue
            if (
                isinstance(error, NetSuiteAuthenticationError)
                and isinstance(self.auth, OAuth2ClientCredentials)
                and not refreshed_token
            ):
                # A token revoked or expired early: sign a new assertion once, then give up.
                self.auth.invalidate()
                refreshed_token = True
                continue
            if isinstance(error, NetSuiteServerError):
                self._count("server_errors")
                ambiguous += 1
                if repeatable:
                    continue
            error.ambiguous_attempts = ambiguous
            raise error
        assert last_error is not None
        last_error.ambiguous_attempts = ambiguous
        raise last_error

    def _authorization(self, method: str, url: httpx.URL) -> str:
        if isinstance(self.auth, TokenBasedAuth):
            return self.auth.authorization_header(method, url, self.account_id)
        token = self.auth.access_token(self.http, token_endpoint(self.base_url))
        return f"Bearer {token}"

    def _count(self, name: str) -> None:
        with self._stats_lock:
            setattr(self.stats, name, getattr(self.stats, name) + 1)
