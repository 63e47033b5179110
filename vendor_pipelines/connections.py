"""Clients for Amazon and NetSuite from settings: live credentials, or the embedded sandbox.

This is the one place the "no credentials means sandbox" switch lives, and the product's one
door to the simulator (the sibling package `vendor_sandbox`): Dagster resources, the demo and
the CLI all come through here, so a deployment behaves the same in the UI, in a schedule and in
a benchmark, and nothing else in `vendor_pipelines` imports the simulator.
"""

from __future__ import annotations

import argparse
from datetime import date
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
from vendor_pipelines.settings import Settings, load_settings
from vendor_sandbox.embedded import (
    SANDBOX_LWA_CLIENT_ID,
    SANDBOX_LWA_CLIENT_SECRET,
    SANDBOX_NETSUITE_ACCOUNT_ID,
    RunningSandbox,
    amazon_pays,
    amazon_receives_disputes,
    embedded_sandbox,
    sandbox_fault_plans,
    sandbox_oauth2_auth,
    sandbox_refresh_token,
)
from vendor_sandbox.settings import SandboxSettings, load_sandbox_settings


def uses_sandbox(settings: Settings) -> bool:
    """Whether either side runs on the embedded sandbox (it has no live settings)."""
    return not (settings.amazon_is_live and settings.netsuite_is_live)


def sandbox_settings(settings: Settings, *, check_paths: bool = True) -> SandboxSettings:
    """The embedded sandbox's own settings (`SANDBOX_*`), its state beside this warehouse."""
    return load_sandbox_settings(settings, check_paths=check_paths)


def load_configuration(*, check_paths: bool = True) -> Settings:
    """The settings, with the sandbox's checked too wherever a side runs on it: the start-up
    check of every entry point (definitions, CLI), one ConfigurationError line at most."""
    settings = load_settings(check_paths=check_paths)
    if uses_sandbox(settings):
        sandbox_settings(settings, check_paths=check_paths)
    return settings


def sandbox_for(settings: Settings) -> RunningSandbox:
    """This process's embedded sandbox for these settings; its warehouse runs a wave at each
    poll of new item fulfilments, unless live mode (`SANDBOX_LIVE`) drives it on its own.
    Faults are the ones `SANDBOX_FAULT_*` ask for, sized to the clients' timeouts."""
    sandbox = sandbox_settings(settings, check_paths=False)
    amazon_faults, netsuite_faults = sandbox_fault_plans(
        sandbox.sandbox_fault_rate,
        sandbox.sandbox_fault_kinds,
        sandbox.sandbox_fault_seed,
        settings.amazon_request_timeout_seconds,
        settings.netsuite_request_timeout_seconds,
    )
    return embedded_sandbox(
        Path(sandbox.sandbox_state_dir or "."),
        sandbox.sandbox_seed,
        sandbox.sandbox_scale,
        settings.amazon_region_list,
        bad_orders=sandbox.sandbox_bad_orders,
        amazon_faults=amazon_faults,
        netsuite_faults=netsuite_faults,
        live=sandbox.sandbox_live,
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


def pii_key_file(settings: Settings) -> Path | None:
    """Where the embedded sandbox keeps its local PII key; None with live Amazon, which needs
    PII_ENCRYPTION_KEY set."""
    if settings.amazon_is_live:
        return None
    return Path(sandbox_settings(settings, check_paths=False).sandbox_state_dir or ".") / "pii.key"


def sandbox_pays(settings: Settings, day: date) -> int:
    """In the embedded sandbox, Amazon pays the invoices it accepted: remittance files land in
    the inbox (the number written). Nothing with live Amazon, which pays on its own."""
    if settings.amazon_is_live:
        return 0
    sandbox = sandbox_settings(settings, check_paths=False)
    return amazon_pays(sandbox_for(settings), settings.remittance_inbox, day, sandbox.sandbox_seed)


def sandbox_receives_disputes(settings: Settings, references: list[str], day: date) -> int:
    """In the embedded sandbox, the dispute packets a person uploaded in Vendor Central on
    `day` reach Amazon (claim references: `<invoice>SC`, a price claim's invoice number, the
    VCBSINV id), decided at its next payment run on or after `day`; the number that were new.
    Nothing with live Amazon, where the upload is the person's own."""
    if settings.amazon_is_live:
        return 0
    return amazon_receives_disputes(sandbox_for(settings), references, day)


def register_simulator_commands(subparsers: argparse._SubParsersAction) -> None:
    """The simulator's own commands (`sandbox`, `bench`, `soak`) in the product's console."""
    from vendor_sandbox.cli import register

    register(subparsers)
