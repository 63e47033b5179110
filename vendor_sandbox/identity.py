"""Who the sandboxes let in: the credentials they accept, anything else is rejected like the
real services would, and a client that presents them. A leaf of the simulator (it imports only
the product's Amazon client), so the apps and the embedded starter both read it without
importing each other."""

from __future__ import annotations

from typing import Any

from vendor_pipelines.amazon.client import AmazonVendorClient

SANDBOX_LWA_CLIENT_ID = "amzn1.application-oa2-client.sandbox"
SANDBOX_LWA_CLIENT_SECRET = "sandbox-lwa-client-secret"
SANDBOX_LWA_REFRESH_TOKEN = "Atzr|sandbox-refresh-token"
SANDBOX_NETSUITE_ACCOUNT_ID = "1234567_SB1"


def sandbox_refresh_token(region: str = "NA") -> str:
    """The refresh token of the sandbox vendor's authorization in one SP-API region."""
    return SANDBOX_LWA_REFRESH_TOKEN if region == "NA" else f"{SANDBOX_LWA_REFRESH_TOKEN}-{region}"


def sandbox_amazon_client(url: str, **options: Any) -> AmazonVendorClient:
    """An SP-API client logged in as the sandbox's vendor at the Amazon sandbox served at `url`
    (its LWA token endpoint beside it); `options` are the client's (timeout, retry, transport)."""
    return AmazonVendorClient(
        url,
        SANDBOX_LWA_CLIENT_ID,
        SANDBOX_LWA_CLIENT_SECRET,
        SANDBOX_LWA_REFRESH_TOKEN,
        f"{url}/auth/o2/token",
        **options,
    )
