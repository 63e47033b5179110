"""Clients for Amazon and NetSuite from settings: live credentials, or the embedded sandbox.

This is the one place the "no credentials means sandbox" switch lives; Dagster resources and the
CLI both call it, so a deployment behaves the same in the UI, in a schedule and in a benchmark.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vendor_pipelines.amazon.client import AmazonVendorClient
from vendor_pipelines.netsuite import (
    NetSuiteClient,
    OAuth2ClientCredentials,
    TokenBasedAuth,
    rest_base_url,
)
from vendor_pipelines.sandbox.embedded import (
    SANDBOX_LWA_CLIENT_ID,
    SANDBOX_LWA_CLIENT_SECRET,
    SANDBOX_LWA_REFRESH_TOKEN,
    SANDBOX_NETSUITE_ACCOUNT_ID,
    RunningSandbox,
    embedded_sandbox,
)
from vendor_pipelines.settings import LWA_TOKEN_URL, Settings


def region_of(endpoint: str) -> str:
    """NA / EU / FE from an SP-API host; anything else (the sandbox) counts as NA."""
    for region in ("eu", "fe"):
        if f"-{region}." in endpoint:
            return region.upper()
    return "NA"


def sandbox_for(settings: Settings) -> RunningSandbox:
    return embedded_sandbox(
        Path(settings.sandbox_state_dir), settings.sandbox_seed, settings.sandbox_scale
    )


@dataclass(frozen=True)
class AmazonCredentials:
    endpoint: str
    lwa_client_id: str
    lwa_client_secret: str
    lwa_refresh_token: str
    lwa_token_url: str = LWA_TOKEN_URL

    def __repr__(self) -> str:  # never show secrets
        return f"AmazonCredentials(endpoint={self.endpoint!r})"


def amazon_credentials(settings: Settings) -> AmazonCredentials | None:
    """Live credentials from settings, or None for the embedded sandbox."""
    if not settings.amazon_is_live:
        return None
    assert settings.amazon_lwa_client_secret and settings.amazon_lwa_refresh_token
    return AmazonCredentials(
        settings.amazon_spapi_endpoint or "",
        settings.amazon_lwa_client_id or "",
        settings.amazon_lwa_client_secret.get_secret_value(),
        settings.amazon_lwa_refresh_token.get_secret_value(),
        settings.amazon_lwa_token_url,
    )


def amazon_client(credentials: AmazonCredentials | None, settings: Settings) -> AmazonVendorClient:
    """A client for live Amazon, or for the embedded sandbox when credentials are None."""
    if credentials is None:
        sandbox = sandbox_for(settings)
        credentials = AmazonCredentials(
            sandbox.amazon_url,
            SANDBOX_LWA_CLIENT_ID,
            SANDBOX_LWA_CLIENT_SECRET,
            SANDBOX_LWA_REFRESH_TOKEN,
            f"{sandbox.amazon_url}/auth/o2/token",
        )
    return AmazonVendorClient(
        credentials.endpoint,
        credentials.lwa_client_id,
        credentials.lwa_client_secret,
        credentials.lwa_refresh_token,
        credentials.lwa_token_url,
    )


def netsuite_auth(settings: Settings) -> TokenBasedAuth | OAuth2ClientCredentials | None:
    """Live NetSuite auth from settings, or None for the embedded sandbox."""
    if not settings.netsuite_is_live:
        return None
    if settings.netsuite_auth == "tba":
        assert settings.netsuite_consumer_secret and settings.netsuite_token_secret
        return TokenBasedAuth(
            settings.netsuite_consumer_key or "",
            settings.netsuite_consumer_secret.get_secret_value(),
            settings.netsuite_token_id or "",
            settings.netsuite_token_secret.get_secret_value(),
        )
    assert settings.netsuite_private_key_path
    return OAuth2ClientCredentials(
        settings.netsuite_client_id or "",
        settings.netsuite_certificate_id or "",
        Path(settings.netsuite_private_key_path).read_text(),
    )


def netsuite_client(
    auth: TokenBasedAuth | OAuth2ClientCredentials | None, settings: Settings
) -> NetSuiteClient:
    """A client for the live account, or for the embedded sandbox when auth is None."""
    if auth is not None:
        account = settings.netsuite_account_id or ""
        return NetSuiteClient(
            settings.netsuite_rest_url or rest_base_url(account),
            account,
            auth,
            concurrency_limit=settings.netsuite_concurrency_limit,
        )
    from vendor_pipelines.sandbox.netsuite.credentials import sandbox_oauth2_auth

    sandbox = sandbox_for(settings)
    return NetSuiteClient(
        sandbox.netsuite_url,
        SANDBOX_NETSUITE_ACCOUNT_ID,
        sandbox_oauth2_auth(),
        concurrency_limit=settings.netsuite_concurrency_limit,
    )


def sandbox_ship_from_mapping(settings: Settings) -> dict[str, str]:
    """In the sandbox, each vendor code ships from a mapped warehouse of the shared world."""
    world = sandbox_for(settings).world
    mapped = world.mapped_warehouses
    return {v.vendor_code: mapped[i % len(mapped)].party_id for i, v in enumerate(world.vendors)}
