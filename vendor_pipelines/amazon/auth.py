"""Login with Amazon (LWA): exchange the refresh token for an access token, cache, refresh early.

The access token goes in the `x-amz-access-token` header of every SP-API call. It is refreshed
`refresh_margin` before `expires_in` runs out (60 s, or a tenth of a short lifetime), and again
on demand when SP-API says the token expired or was revoked. Secrets never leave this module in
a log line, a repr or an exception message.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

import httpx

from .errors import AmazonAuthError

log = logging.getLogger(__name__)

LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"


@dataclass(frozen=True)
class LwaCredentials:
    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)
    token_url: str = LWA_TOKEN_URL

    def __post_init__(self) -> None:
        missing = [
            name
            for name in ("client_id", "client_secret", "refresh_token", "token_url")
            if not getattr(self, name)
        ]
        if missing:
            from .errors import AmazonConfigurationError

            raise AmazonConfigurationError(
                f"LWA credentials incomplete: {', '.join(missing)} empty"
            )


class LwaTokenProvider:
    """Thread-safe access-token cache for one set of LWA credentials."""

    def __init__(
        self,
        credentials: LwaCredentials,
        http: httpx.Client,
        *,
        max_margin_seconds: float = 60.0,
        attempts: int = 4,
        clock=time.monotonic,
    ) -> None:
        self._credentials = credentials
        self._http = http
        self._max_margin = max_margin_seconds
        self._attempts = attempts
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._refresh_at = 0.0
        self._expires_at = 0.0
        self.refresh_count = 0

    def __repr__(self) -> str:
        return f"LwaTokenProvider(client_id={self._credentials.client_id!r})"

    def token(self) -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._refresh_at:
                self._refresh_locked()
            assert self._token is not None
            return self._token

    def invalidate(self, token: str | None = None) -> None:
        """Forget the cached token (only if it is still `token`, when given)."""
        with self._lock:
            if token is None or token == self._token:
                self._token = None

    def _refresh_locked(self) -> None:
        creds = self._credentials
        form = {
            "grant_type": "refresh_token",
            "refresh_token": creds.refresh_token,
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
        }
        delay = 0.5
        last: Exception | None = None
        for attempt in range(1, self._attempts + 1):
            try:
                response = self._http.post(
                    creds.token_url,
                    data=form,
                    headers={"content-type": "application/x-www-form-urlencoded;charset=UTF-8"},
                )
            except httpx.HTTPError as exc:
                last = AmazonAuthError(None, "transport_error", type(exc).__name__)
                log.warning("LWA token request attempt %d failed: %s", attempt, type(exc).__name__)
            else:
                if response.status_code == 200:
                    self._accept(response)
                    return
                error, description = _lwa_error(response)
                last = AmazonAuthError(response.status_code, error, description)
                retryable = (
                    response.status_code >= 500
                    or response.status_code == 429
                    or error
                    in (
                        "server_error",
                        "temporarily_unavailable",
                    )
                )
                if not retryable:
                    raise last
                log.warning(
                    "LWA token request attempt %d: HTTP %d %s",
                    attempt,
                    response.status_code,
                    error,
                )
            if attempt < self._attempts:
                time.sleep(delay)
                delay = min(delay * 2, 8.0)
        assert last is not None
        raise last

    def _accept(self, response: httpx.Response) -> None:
        try:
            body = response.json()
            token = body["access_token"]
            expires_in = float(body.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError):
            raise AmazonAuthError(
                response.status_code, "invalid_response", "LWA answered without an access_token"
            ) from None
        now = self._clock()
        margin = min(self._max_margin, expires_in / 10)
        self._token = token
        self._expires_at = now + expires_in
        self._refresh_at = now + max(expires_in - margin, 0.0)
        self.refresh_count += 1
        log.debug("LWA access token obtained, valid %.0fs", expires_in)


def _lwa_error(response: httpx.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return "http_error", f"HTTP {response.status_code}"
    if not isinstance(body, dict):
        return "http_error", f"HTTP {response.status_code}"
    return str(body.get("error", "http_error")), str(body.get("error_description", ""))
