"""The sandbox's gatekeeper: TBA signature verification and OAuth 2.0 M2M tokens.

The TBA verifier is written independently of the client's signer (same RFC, separate code), so
a client bug cannot be masked by sharing it. Per Oracle's rules every failure is 401
INVALID_LOGIN to the caller; the reason (InvalidSignature, NonceUsed, ...) goes to what
NetSuite calls the Login Audit Trail, here a response header.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
import uuid
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

import jwt
from starlette.requests import Request
from starlette.responses import JSONResponse

from vendor_sandbox.netsuite import credentials
from vendor_sandbox.netsuite.errors import NetSuiteProblem, invalid_login
from vendor_sandbox.store import SandboxStore

TIMESTAMP_WINDOW_SECONDS = 300
ASSERTION_MAX_VALIDITY_SECONDS = 3600
ASSERTION_ALGORITHMS = ("PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"
_HEADER_PARAM = re.compile(r'([A-Za-z_]+)="([^"]*)"')

_TBA_SECRETS = {
    (credentials.TBA_CONSUMER_KEY, credentials.TBA_TOKEN_ID): (
        credentials.TBA_CONSUMER_SECRET,
        credentials.TBA_TOKEN_SECRET,
    )
}


def _enc(value: str) -> str:
    return quote(value, safe="-._~")


def _request_base_url(request: Request) -> str:
    scheme = request.url.scheme.lower()
    host = request.headers.get("host", "").lower()
    for default in ((":80" if scheme == "http" else None), (":443" if scheme == "https" else None)):
        if default and host.endswith(default):
            host = host[: -len(default)]
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    return f"{scheme}://{host}{raw_path.decode('ascii').split('?', 1)[0]}"


class Gatekeeper:
    def __init__(
        self, store: SandboxStore, *, account_id: str, token_lifetime_seconds: int = 3600
    ) -> None:
        self.store = store
        self.account_id = account_id
        self.token_lifetime_seconds = token_lifetime_seconds

    def authenticate(self, request: Request) -> None:
        header = request.headers.get("authorization", "")
        if header.startswith("OAuth "):
            self._verify_tba(request, header)
        elif header.startswith("Bearer "):
            self._verify_bearer(header.removeprefix("Bearer ").strip())
        else:
            raise invalid_login("MissingAuthorization")

    # -- TBA -------------------------------------------------------------------------------

    def _verify_tba(self, request: Request, header: str) -> None:
        values = {k: unquote(v) for k, v in _HEADER_PARAM.findall(header)}
        if values.get("realm") != self.account_id:
            raise invalid_login("InvalidAccount")
        if values.get("oauth_signature_method") != "HMAC-SHA256":
            raise invalid_login("UnknownAlgorithm")
        if values.get("oauth_version", "1.0") != "1.0":
            raise invalid_login("InvalidVersion")
        secrets = _TBA_SECRETS.get(
            (values.get("oauth_consumer_key", ""), values.get("oauth_token", ""))
        )
        if secrets is None:
            known = {key for key, _ in _TBA_SECRETS}
            raise invalid_login(
                "token_rejected"
                if values.get("oauth_consumer_key") in known
                else "consumer_key_unknown"
            )
        try:
            timestamp = int(values.get("oauth_timestamp", ""))
        except ValueError:
            raise invalid_login("InvalidTimestamp") from None
        if abs(time.time() - timestamp) > TIMESTAMP_WINDOW_SECONDS:
            raise invalid_login("InvalidTimestamp")
        nonce = values.get("oauth_nonce", "")
        if len(nonce) < 6:
            raise invalid_login("InvalidNonce")
        params = [(k, v) for k, v in values.items() if k.startswith("oauth_")]
        params = [(k, v) for k, v in params if k != "oauth_signature"]
        params += parse_qsl(request.url.query, keep_blank_values=True)
        normalised = "&".join(f"{k}={v}" for k, v in sorted((_enc(k), _enc(v)) for k, v in params))
        base = f"{request.method.upper()}&{_enc(_request_base_url(request))}&{_enc(normalised)}"
        key = f"{_enc(secrets[0])}&{_enc(secrets[1])}".encode()
        expected = base64.b64encode(hmac.new(key, base.encode(), hashlib.sha256).digest()).decode()
        if not hmac.compare_digest(expected, values.get("oauth_signature", "")):
            raise invalid_login("InvalidSignature")
        # Recorded in the shared store so a replay to another process serving it fails too.
        nonce_key = f"{values['oauth_consumer_key']}:{timestamp}:{nonce}"
        with self.store.transaction():
            if self.store.get("netsuite.tba_nonces", nonce_key) is not None:
                raise invalid_login("NonceUsed")
            self.store.put("netsuite.tba_nonces", nonce_key, {"at": timestamp})

    # -- OAuth 2.0 -------------------------------------------------------------------------

    def _verify_bearer(self, token: str) -> None:
        try:
            jwt.decode(
                token,
                credentials.ACCESS_TOKEN_SIGNING_SECRET,
                algorithms=["HS256"],
                audience=credentials.OAUTH2_CLIENT_ID,
                issuer="https://system.netsuite.com",
            )
        except jwt.ExpiredSignatureError:
            raise invalid_login("TokenExpired") from None
        except jwt.PyJWTError:
            raise invalid_login("InvalidToken") from None

    async def token_endpoint(self, request: Request) -> JSONResponse:
        form = dict(parse_qsl((await request.body()).decode()))
        if form.get("grant_type") != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type", self.account_id)
        if form.get("client_assertion_type") != (
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        ) or not form.get("client_assertion"):
            return _oauth_error(400, "invalid_request", self.account_id)
        audience = _request_base_url(request)
        try:
            claims = self._verify_assertion(form["client_assertion"], audience)
        except NetSuiteProblem as problem:
            error = "invalid_grant" if problem.code == "invalid_grant" else "invalid_client"
            status = 400 if error == "invalid_grant" else 401
            return _oauth_error(status, error, self.account_id, problem.detail)
        now = int(time.time())
        token = jwt.encode(
            {
                "sub": "3;-5",  # role;entity, as NetSuite formats it
                "aud": [claims["iss"], "app:sandbox"],
                "scope": claims["_scopes"],
                "iss": "https://system.netsuite.com",
                "iat": now,
                "exp": now + self.token_lifetime_seconds,
                "jti": str(uuid.uuid4()),
            },
            credentials.ACCESS_TOKEN_SIGNING_SECRET,
            algorithm="HS256",
        )
        return JSONResponse(
            {
                "access_token": token,
                "expires_in": self.token_lifetime_seconds,
                "token_type": "Bearer",
            }
        )

    def _verify_assertion(self, assertion: str, audience: str) -> dict[str, Any]:
        def refuse(reason: str, code: str = "invalid_client") -> NetSuiteProblem:
            return NetSuiteProblem(401, code, reason)

        try:
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError:
            raise refuse("MalformedAssertion") from None
        if header.get("alg") not in ASSERTION_ALGORITHMS:
            raise refuse("UnsupportedAlgo")
        if not header.get("kid"):
            raise refuse("MissingKeyId")
        if header["kid"] != credentials.OAUTH2_CERTIFICATE_ID:
            raise refuse("MissingKey")
        try:
            claims = jwt.decode(
                assertion,
                credentials.OAUTH2_PUBLIC_KEY_PEM,
                algorithms=[header["alg"]],
                audience=audience,
                issuer=credentials.OAUTH2_CLIENT_ID,
                options={"require": ["iss", "aud", "iat", "exp"]},
            )
        except jwt.ExpiredSignatureError:
            raise refuse("TokenExpired", "invalid_grant") from None
        except jwt.ImmatureSignatureError:
            raise refuse("TokenNotAcceptable", "invalid_grant") from None
        except jwt.PyJWTError as exc:
            raise refuse(f"SignatureValidation: {exc}") from None
        if int(claims["exp"]) - int(claims["iat"]) > ASSERTION_MAX_VALIDITY_SECONDS:
            raise refuse("TokenValidityTooBroad", "invalid_grant")
        if int(claims["iat"]) > time.time() + 60:
            raise refuse("TokenNotAcceptable", "invalid_grant")
        scope = claims.get("scope", [])
        scopes = scope if isinstance(scope, list) else re.split(r"[,\s]+", str(scope))
        if "rest_webservices" not in scopes:
            raise refuse("invalid_scope", "invalid_grant")
        claims["_scopes"] = [s for s in scopes if s]
        return claims


def _oauth_error(
    status: int, error: str, account_id: str, description: str | None = None
) -> JSONResponse:
    body = {"error": error}
    if description:
        body["error_description"] = description
    headers = {"WWW-Authenticate": f'Basic realm="{account_id}"'} if status == 401 else {}
    return JSONResponse(body, status_code=status, headers=headers)
