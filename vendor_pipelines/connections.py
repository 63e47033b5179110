"""Clients for Amazon and NetSuite from settings: live credentials, or the embedded sandbox.

This is the one place the "no credentials means sandbox" switch lives; Dagster resources and the
CLI both call it, so a deployment behaves the same in the UI, in a schedule and in a benchmark.
"""

from __future__ import annotations

from pathlib import Path

from vendor_pipelines.amazon.regions import (
    AmazonAppConfig,
    AmazonCredentials,
    AmazonRegions,
    regional_credentials,
)
from vendor_pipelines.netsuite import (
    NetSuiteClient,
    OAuth2ClientCredentials,
    TokenBasedAuth,
    rest_base_url,
)
from vendor_pipelines.sandbox.embedded import (
    SANDBOX_LWA_CLIENT_ID,
    SANDBOX_LWA_CLIENT_SECRET,
    SANDBOX_NETSUITE_ACCOUNT_ID,
    RunningSandbox,
    embedded_sandbox,
    sandbox_fault_plans,
    sandbox_refresh_token,
)
from vendor_pipelines.sandbox.faults import FaultPlan
from vendor_pipelines.settings import Settings


def sandbox_faults(settings: Settings) -> tuple[FaultPlan | None, FaultPlan | None]:
    """The (Amazon, NetSuite) fault plans `SANDBOX_FAULT_*` ask for, sized to our timeouts."""
    return sandbox_fault_plans(
        settings.sandbox_fault_rate,
        settings.sandbox_fault_kinds,
        settings.sandbox_fault_seed,
        settings.amazon_request_timeout_seconds,
        settings.netsuite_request_timeout_seconds,
    )


def sandbox_for(settings: Settings) -> RunningSandbox:
    amazon_faults, netsuite_faults = sandbox_faults(settings)
    return embedded_sandbox(
        Path(settings.sandbox_state_dir),
        settings.sandbox_seed,
        settings.sandbox_scale,
        settings.amazon_region_list,
        bad_orders=settings.sandbox_bad_orders,
        amazon_faults=amazon_faults,
        netsuite_faults=netsuite_faults,
    )


def amazon_regions(
    config: AmazonAppConfig | None, settings: Settings, timeout_seconds: float | None = None
) -> AmazonRegions:
    """One client per SP-API region: live from `config`, or the embedded sandbox's regions.

    `timeout_seconds` overrides `AMAZON_REQUEST_TIMEOUT_SECONDS` (a resource's own setting).
    """
    if config is not None and config.is_live:
        credentials = regional_credentials(config)
    else:
        sandbox = sandbox_for(settings)
        credentials = [
            AmazonCredentials(
                region,
                url,
                SANDBOX_LWA_CLIENT_ID,
                SANDBOX_LWA_CLIENT_SECRET,
                sandbox_refresh_token(region),
                f"{url}/auth/o2/token",
            )
            for region, url in sandbox.amazon_urls.items()
        ]
    timeout = timeout_seconds or settings.amazon_request_timeout_seconds
    return AmazonRegions({c.region: c.client(timeout=timeout) for c in credentials})


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
    auth: TokenBasedAuth | OAuth2ClientCredentials | None,
    settings: Settings,
    timeout_seconds: float | None = None,
) -> NetSuiteClient:
    """A client for the live account, or for the embedded sandbox when auth is None.

    `timeout_seconds` overrides `NETSUITE_REQUEST_TIMEOUT_SECONDS` (a resource's own setting).
    """
    timeout = timeout_seconds or settings.netsuite_request_timeout_seconds
    if auth is not None:
        account = settings.netsuite_account_id or ""
        return NetSuiteClient(
            settings.netsuite_rest_url or rest_base_url(account),
            account,
            auth,
            concurrency_limit=settings.netsuite_concurrency_limit,
            timeout=timeout,
        )
    from vendor_pipelines.sandbox.netsuite.credentials import sandbox_oauth2_auth

    sandbox = sandbox_for(settings)
    return NetSuiteClient(
        sandbox.netsuite_url,
        SANDBOX_NETSUITE_ACCOUNT_ID,
        sandbox_oauth2_auth(),
        concurrency_limit=settings.netsuite_concurrency_limit,
        timeout=timeout,
    )


def sandbox_ship_from_mapping(settings: Settings) -> dict[str, str]:
    """In the sandbox, each vendor code ships from a mapped warehouse of the shared world."""
    world = sandbox_for(settings).world
    mapped = world.mapped_warehouses
    return {v.vendor_code: mapped[i % len(mapped)].party_id for i, v in enumerate(world.vendors)}
