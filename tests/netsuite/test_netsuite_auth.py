"""TBA signing (Oracle's worked example), host rules, and the sandbox's auth checks over HTTP."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest

from vendor_pipelines.netsuite import (
    NetSuiteAuthenticationError,
    NetSuiteClient,
    OAuth2ClientCredentials,
    TokenBasedAuth,
    rest_base_url,
)
from vendor_pipelines.netsuite.hosts import host_label, is_sandbox_account
from vendor_sandbox.netsuite import credentials
from vendor_sandbox.netsuite.credentials import ACCOUNT_ID, sandbox_tba_auth

ORACLE_EXAMPLE = TokenBasedAuth(
    consumer_key="ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4",
    consumer_secret="d26ad321a4b2f23b0741c8d38392ce01c3e23e109df6c96eac6d099e9ab9e8b5",
    token_id="2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc",
    token_secret="c29a677df7d5439a458c063654187e3d678d73aca8e3c9d8bea1478a3eb0d295",
)
ORACLE_URL = "https://123456.suitetalk.api.netsuite.com/services/rest/record/v1/employee/40"


def test_tba_signature_reproduces_oracles_worked_example() -> None:
    signature = ORACLE_EXAMPLE.signature("GET", ORACLE_URL, "fjaLirsIcCGVZWzBX0pg", 1508242306)
    assert signature == "B5OIWznZ2YP0OB7VrJrGkYsTh+8H+5T9Hag+o92q0zY="
    header = ORACLE_EXAMPLE.authorization_header(
        "GET", ORACLE_URL, "123456", nonce="fjaLirsIcCGVZWzBX0pg", timestamp=1508242306
    )
    assert 'realm="123456"' in header
    assert 'oauth_signature="B5OIWznZ2YP0OB7VrJrGkYsTh%2B8H%2B5T9Hag%2Bo92q0zY%3D"' in header


def test_query_parameters_are_part_of_the_signature() -> None:
    plain = ORACLE_EXAMPLE.signature("GET", ORACLE_URL, "fjaLirsIcCGVZWzBX0pg", 1508242306)
    paged = ORACLE_EXAMPLE.signature(
        "GET", ORACLE_URL + "?limit=10&offset=0", "fjaLirsIcCGVZWzBX0pg", 1508242306
    )
    assert plain != paged


def test_account_id_host_rules() -> None:
    assert rest_base_url("1234567_SB1") == "https://1234567-sb1.suitetalk.api.netsuite.com"
    assert rest_base_url("123456") == "https://123456.suitetalk.api.netsuite.com"
    assert host_label("tstdrv1234567") == "tstdrv1234567"
    assert is_sandbox_account("1234567-sb2")
    with pytest.raises(ValueError):
        rest_base_url("not an account")


def _tba_get(
    url: str, auth: TokenBasedAuth, realm: str = ACCOUNT_ID, **kw: object
) -> httpx.Response:
    target = url + "/services/rest/record/v1/customer/2000"
    header = auth.authorization_header("GET", target, realm, **kw)  # type: ignore[arg-type]
    return httpx.get(target, headers={"Authorization": header})


def test_sandbox_verifies_tba_and_rejects_replays_bad_signatures_and_stale_times(sandbox) -> None:
    auth = sandbox_tba_auth()
    now = int(time.time())
    assert _tba_get(sandbox.url, auth, nonce="nonce-once-123", timestamp=now).status_code == 200
    replay = _tba_get(sandbox.url, auth, nonce="nonce-once-123", timestamp=now)
    assert replay.status_code == 401
    assert replay.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_LOGIN"
    assert replay.headers["X-Sandbox-Login-Audit"] == "NonceUsed"
    stale = _tba_get(sandbox.url, auth, timestamp=now - 600)
    assert stale.headers["X-Sandbox-Login-Audit"] == "InvalidTimestamp"
    wrong_secret = TokenBasedAuth(auth.consumer_key, "nope", auth.token_id, auth.token_secret)
    assert _tba_get(sandbox.url, wrong_secret).headers["X-Sandbox-Login-Audit"] == (
        "InvalidSignature"
    )
    # The host form of the account id is not a valid realm (the client always sends the
    # upper-case form, so forge the header to prove the sandbox checks it).
    target = sandbox.url + "/services/rest/record/v1/customer/2000"
    header = auth.authorization_header("GET", target, ACCOUNT_ID)
    forged = header.replace(f'realm="{ACCOUNT_ID}"', 'realm="1234567-sb1"')
    refused = httpx.get(target, headers={"Authorization": forged})
    assert refused.headers["X-Sandbox-Login-Audit"] == "InvalidAccount"


def test_sandbox_checks_signed_query_parameters(sandbox) -> None:
    auth = sandbox_tba_auth()
    url = sandbox.url + "/services/rest/query/v1/suiteql"
    signed_without_query = auth.authorization_header("POST", url, ACCOUNT_ID)
    response = httpx.post(
        url,
        params={"limit": 5},
        json={"q": "SELECT id FROM item"},
        headers={"Authorization": signed_without_query},
    )
    assert response.headers["X-Sandbox-Login-Audit"] == "InvalidSignature"


def test_oauth2_assertion_is_verified_and_token_is_cached(sandbox) -> None:
    auth = credentials.sandbox_oauth2_auth()
    with NetSuiteClient(sandbox.url, ACCOUNT_ID, auth) as client:
        assert client.get("customer", 2000)["custentity_amazon_vendor_code"]
        first = auth._token
        client.get("customer", 2000)
        assert auth._token == first  # reused, not re-fetched
    token_url = sandbox.url + "/services/rest/auth/oauth2/v1/token"
    assertion = auth.assertion(token_url)
    header = jwt.get_unverified_header(assertion)
    assert header["alg"] == "ES256" and header["kid"] == credentials.OAUTH2_CERTIFICATE_ID


def test_oauth2_refuses_an_unknown_certificate_and_a_foreign_key(sandbox) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    other_key = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    for auth in (
        OAuth2ClientCredentials(
            credentials.OAUTH2_CLIENT_ID, "unknown-cert", credentials.OAUTH2_PRIVATE_KEY_PEM
        ),
        OAuth2ClientCredentials(
            credentials.OAUTH2_CLIENT_ID, credentials.OAUTH2_CERTIFICATE_ID, other_key
        ),
    ):
        with (
            NetSuiteClient(sandbox.url, ACCOUNT_ID, auth) as client,
            pytest.raises(NetSuiteAuthenticationError, match="invalid_client"),
        ):
            client.get("customer", 2000)
    with pytest.raises(ValueError, match="RS256"):
        OAuth2ClientCredentials("c", "k", b"", algorithm="RS256")


def test_expired_bearer_token_is_renewed_transparently(serve) -> None:
    server = serve(token_lifetime_seconds=1)
    auth = credentials.sandbox_oauth2_auth()
    auth.refresh_margin_seconds = 0
    with NetSuiteClient(server.url, ACCOUNT_ID, auth) as client:
        client.get("customer", 2000)
        first = auth._token
        time.sleep(2.1)
        # The cached token is now expired: the 401 makes the client sign a new assertion.
        auth._expires_at = time.time() + 3600
        assert client.get("customer", 2000)["id"] == "2000"
        assert auth._token != first
