"""Direct Fulfillment customer addresses: minimised, encrypted at rest, purged on schedule.

Amazon's Data Protection Policy allows keeping a consumer's address only while it is needed to
ship the order (and for tax), at most 30 days after delivery. We keep two things per DF order:
the full address encrypted with AES (Fernet: AES-128-CBC + HMAC-SHA256) for the warehouse, and a
minimised tax location (city, state, postal code, country) in clear. The encrypted copy is
deleted by the retention purge; the key never enters the warehouse.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

RETENTION_DAYS = 30
TAX_LOCATION_FIELDS = ("city", "stateOrRegion", "postalCode", "countryCode")


class PiiKeyError(RuntimeError):
    """No usable encryption key: live deployments must set PII_ENCRYPTION_KEY."""


def load_cipher(sandbox_key_file: Path | None = None) -> Fernet:
    """The cipher from PII_ENCRYPTION_KEY; the embedded sandbox may use a local dev key file."""
    key = os.environ.get("PII_ENCRYPTION_KEY")
    if key:
        try:
            return Fernet(key.encode())
        except ValueError:
            raise PiiKeyError("PII_ENCRYPTION_KEY is not a valid Fernet key") from None
    if sandbox_key_file is None:
        raise PiiKeyError("PII_ENCRYPTION_KEY is not set (required outside the sandbox)")
    sandbox_key_file.parent.mkdir(parents=True, exist_ok=True)
    if not sandbox_key_file.exists():
        sandbox_key_file.write_bytes(Fernet.generate_key())
        sandbox_key_file.chmod(0o600)
    return Fernet(sandbox_key_file.read_bytes().strip())


def tax_location(address: dict[str, Any] | None) -> dict[str, Any]:
    """Only what sales tax needs; never a name, street or phone number."""
    return {field: (address or {}).get(field) for field in TAX_LOCATION_FIELDS}


def encrypt_address(cipher: Fernet, address: dict[str, Any]) -> bytes:
    return cipher.encrypt(json.dumps(address, sort_keys=True).encode())


def decrypt_address(cipher: Fernet, token: bytes) -> dict[str, Any]:
    try:
        return json.loads(cipher.decrypt(token))
    except InvalidToken:
        raise PiiKeyError("address cannot be decrypted with the configured key") from None


def scrub_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """A DF order payload with the consumer address reduced to its tax location."""
    details = dict(payload.get("orderDetails") or {})
    if "shipToParty" in details:
        details["shipToParty"] = tax_location(details["shipToParty"])
    return {**payload, "orderDetails": details}
