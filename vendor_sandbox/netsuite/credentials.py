"""Credentials the NetSuite sandbox accepts. SANDBOX-ONLY TEST MATERIAL: never use elsewhere.

The OAuth 2.0 key pair is derived deterministically from a fixed label at import, so every
process (client side and sandbox side) gets the same EC P-256 key without a PEM in the repo.
It protects nothing: anyone can derive it.
"""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from vendor_sandbox.identity import SANDBOX_NETSUITE_ACCOUNT_ID

ACCOUNT_ID = SANDBOX_NETSUITE_ACCOUNT_ID

# Token-Based Authentication (integration record + access token).
TBA_CONSUMER_KEY = "sandbox-consumer-key-0001"
TBA_CONSUMER_SECRET = "sandbox-consumer-secret-0001"
TBA_TOKEN_ID = "sandbox-token-id-0001"
TBA_TOKEN_SECRET = "sandbox-token-secret-0001"

# OAuth 2.0 client credentials (M2M): integration client id + certificate id of the mapping.
OAUTH2_CLIENT_ID = "sandbox-oauth2-client-id-0001"
OAUTH2_CERTIFICATE_ID = "sandbox-certificate-0001"
OAUTH2_ALGORITHM = "ES256"

# Signs the sandbox's own access tokens (HS256): they are opaque to the client anyway.
ACCESS_TOKEN_SIGNING_SECRET = "sandbox-access-token-secret-not-for-production"

_SEED_LABEL = b"vendor_pipelines netsuite sandbox OAuth2 test key (SANDBOX ONLY)"
_CURVE_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def _derive_private_key() -> ec.EllipticCurvePrivateKey:
    scalar = int.from_bytes(hashlib.sha256(_SEED_LABEL).digest(), "big") % (_CURVE_ORDER - 1) + 1
    return ec.derive_private_key(scalar, ec.SECP256R1())


_PRIVATE_KEY = _derive_private_key()

# SANDBOX TEST KEY: the private half the client signs assertions with.
OAUTH2_PRIVATE_KEY_PEM: bytes = _PRIVATE_KEY.private_bytes(
    serialization.Encoding.PEM,
    serialization.PrivateFormat.PKCS8,
    serialization.NoEncryption(),
)
# The "uploaded certificate" the sandbox verifies assertions with.
OAUTH2_PUBLIC_KEY_PEM: bytes = _PRIVATE_KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)


def sandbox_tba_auth():  # type: ignore[no-untyped-def]
    """A client-side TokenBasedAuth for the sandbox (import kept lazy: sandbox != client)."""
    from vendor_pipelines.netsuite.tba import TokenBasedAuth

    return TokenBasedAuth(TBA_CONSUMER_KEY, TBA_CONSUMER_SECRET, TBA_TOKEN_ID, TBA_TOKEN_SECRET)


def sandbox_oauth2_auth():  # type: ignore[no-untyped-def]
    from vendor_pipelines.netsuite.oauth2 import OAuth2ClientCredentials

    return OAuth2ClientCredentials(
        OAUTH2_CLIENT_ID, OAUTH2_CERTIFICATE_ID, OAUTH2_PRIVATE_KEY_PEM, OAUTH2_ALGORITHM
    )
