"""Who the sandboxes let in: the credentials they accept, anything else is rejected like the
real services would. A leaf module, so the apps and the embedded starter both read it without
importing each other."""

from __future__ import annotations

SANDBOX_LWA_CLIENT_ID = "amzn1.application-oa2-client.sandbox"
SANDBOX_LWA_CLIENT_SECRET = "sandbox-lwa-client-secret"
SANDBOX_LWA_REFRESH_TOKEN = "Atzr|sandbox-refresh-token"
SANDBOX_NETSUITE_ACCOUNT_ID = "1234567_SB1"


def sandbox_refresh_token(region: str = "NA") -> str:
    """The refresh token of the sandbox vendor's authorization in one SP-API region."""
    return SANDBOX_LWA_REFRESH_TOKEN if region == "NA" else f"{SANDBOX_LWA_REFRESH_TOKEN}-{region}"
