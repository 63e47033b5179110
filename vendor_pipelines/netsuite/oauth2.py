"""OAuth 2.0 client credentials (machine to machine) for NetSuite REST.

The client signs a short JWT assertion with its certificate's private key (PS256 or ES256; RS256
is no longer accepted), `kid` = the certificate id from the M2M setup page, and trades it at the
token endpoint for a 60-minute bearer token. There is no refresh token: when the access token is
about to expire we simply sign a new assertion. The token is cached and shared by every thread.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import httpx
import jwt
from pydantic import BaseModel

from vendor_pipelines.netsuite.errors import NetSuiteAuthenticationError

SUPPORTED_ALGORITHMS = ("PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class AccessTokenResponse(BaseModel):
    access_token: str
    expires_in: int = 3600
    token_type: str = "Bearer"


@dataclass
class OAuth2ClientCredentials:
    client_id: str
    certificate_id: str
    private_key_pem: str | bytes = field(repr=False)
    algorithm: str = "ES256"
    scopes: Sequence[str] = ("rest_webservices",)
    assertion_lifetime_seconds: int = 300  # NetSuite caps it at 60 minutes; short is safer
    refresh_margin_seconds: int = 60  # renew this long before expiry so no call races it
    clock: Callable[[], float] = field(default=time.time, repr=False)
    _token: str | None = field(default=None, init=False, repr=False)
    _expires_at: float = field(default=0.0, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.algorithm not in SUPPORTED_ALGORITHMS:
            raise ValueError(
                f"NetSuite accepts {', '.join(SUPPORTED_ALGORITHMS)} assertions, not "
                f"{self.algorithm}"
            )

    def assertion(self, token_url: str) -> str:
        now = int(self.clock())
        claims = {
            "iss": self.client_id,
            # Oracle's text describes a comma-separated scope; its example uses an array.
            "scope": ",".join(self.scopes),
            "aud": token_url,
            "iat": now,
            "exp": now + self.assertion_lifetime_seconds,
            "jti": str(uuid.uuid4()),
        }
        headers = {"kid": self.certificate_id, "typ": "JWT"}
        return jwt.encode(claims, self.private_key_pem, algorithm=self.algorithm, headers=headers)

    def access_token(self, http: httpx.Client, token_url: str) -> str:
        """The cached token, or a new one when it is missing or close to expiry."""
        with self._lock:
            if self._token and self.clock() < self._expires_at - self.refresh_margin_seconds:
                return self._token
            token = self._fetch(http, token_url)
            self._token = token.access_token
            self._expires_at = self.clock() + token.expires_in
            return self._token

    def invalidate(self) -> None:
        """Forget the token (after a 401) so the next call signs a new assertion."""
        with self._lock:
            self._token = None
            self._expires_at = 0.0

    def _fetch(self, http: httpx.Client, token_url: str) -> AccessTokenResponse:
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": CLIENT_ASSERTION_TYPE,
            "client_assertion": self.assertion(token_url),
        }
        last: Exception | None = None
        for attempt in range(4):  # the token endpoint shares the account's 429/5xx weather
            try:
                response = http.post(token_url, data=form)
            except httpx.TransportError as exc:
                last = exc
            else:
                if response.status_code == 200:
                    return AccessTokenResponse.model_validate(response.json())
                if response.status_code != 429 and response.status_code < 500:
                    error = _oauth_error(response)
                    raise NetSuiteAuthenticationError(
                        response.status_code, f"token endpoint refused the assertion: {error}"
                    )
                last = NetSuiteAuthenticationError(
                    response.status_code, f"token endpoint answered {response.status_code}"
                )
            time.sleep(0.2 * 2**attempt)
        assert last is not None
        if isinstance(last, NetSuiteAuthenticationError):
            raise last
        raise NetSuiteAuthenticationError(0, f"token endpoint unreachable: {last}") from last


def _oauth_error(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    return str(body.get("error", body)) if isinstance(body, dict) else str(body)
