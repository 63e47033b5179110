"""Runtime configuration from the environment (and an optional `.env`), validated at start-up.

With no Amazon or NetSuite settings the project runs against the embedded sandbox. A half
configured side (an endpoint without its credentials, or credentials without an account) is an
error that names the missing variable, never a silent fallback to the sandbox.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from vendor_pipelines.amazon.client_core import DEFAULT_TIMEOUT_SECONDS as AMAZON_TIMEOUT
from vendor_pipelines.amazon.marketplaces import report_marketplaces
from vendor_pipelines.amazon.regions import (
    REGIONS,
    AmazonAppConfig,
    AmazonCredentials,
    parse_regions,
    regional_credentials,
)
from vendor_pipelines.netsuite.client import DEFAULT_TIMEOUT_SECONDS as NETSUITE_TIMEOUT
from vendor_pipelines.sandbox.faults import FAULT_KINDS, parse_fault_kinds

LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"
REPO_ROOT = Path(__file__).resolve().parent.parent

NETSUITE_TBA_VARS = (
    "NETSUITE_CONSUMER_KEY",
    "NETSUITE_CONSUMER_SECRET",
    "NETSUITE_TOKEN_ID",
    "NETSUITE_TOKEN_SECRET",
)
NETSUITE_OAUTH2_VARS = (
    "NETSUITE_CLIENT_ID",
    "NETSUITE_CERTIFICATE_ID",
    "NETSUITE_PRIVATE_KEY_PATH",
)


class ConfigurationError(RuntimeError):
    """Raised once at start-up with a message naming the offending variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    # Warehouse. Keep the file stem `warehouse` everywhere: dbt-duckdb names its catalog after it.
    duckdb_path: Path = Path("data/warehouse.duckdb")
    analytics_duckdb_path: Path = Path("data/analytics.duckdb")

    # Amazon SP-API (vendor). All four set = live; none set = embedded sandbox.
    amazon_spapi_endpoint: str | None = None
    amazon_lwa_client_id: str | None = None
    amazon_lwa_client_secret: SecretStr | None = None
    amazon_lwa_refresh_token: SecretStr | None = None
    amazon_lwa_token_url: str = LWA_TOKEN_URL
    # Several regions in one deployment: AMAZON_REGIONS=NA,EU plus, per region, its refresh
    # token (and an endpoint, when not the production host). In the sandbox, the regions served.
    amazon_regions: str = ""
    amazon_spapi_endpoint_na: str | None = None
    amazon_spapi_endpoint_eu: str | None = None
    amazon_spapi_endpoint_fe: str | None = None
    amazon_lwa_refresh_token_na: SecretStr | None = None
    amazon_lwa_refresh_token_eu: SecretStr | None = None
    amazon_lwa_refresh_token_fe: SecretStr | None = None
    # Vendor reports: comma-separated marketplace ids; empty = each region's main marketplace.
    amazon_marketplace_id: str = ""
    amazon_vendor_codes: str = Field(
        default="", description="comma-separated selling-party vendor codes; empty = all"
    )
    # Seconds a call may wait for its answer before the client gives up and retries it.
    amazon_request_timeout_seconds: float = Field(default=AMAZON_TIMEOUT, gt=0)

    # NetSuite REST. Account id plus one complete credential set (TBA or OAuth 2.0 M2M).
    netsuite_account_id: str | None = None
    netsuite_rest_url: str | None = None
    netsuite_auth: Literal["tba", "oauth2"] = "oauth2"
    netsuite_consumer_key: str | None = None
    netsuite_consumer_secret: SecretStr | None = None
    netsuite_token_id: str | None = None
    netsuite_token_secret: SecretStr | None = None
    netsuite_client_id: str | None = None
    netsuite_certificate_id: str | None = None
    netsuite_private_key_path: Path | None = None
    netsuite_concurrency_limit: int = 5
    netsuite_request_timeout_seconds: float = Field(default=NETSUITE_TIMEOUT, gt=0)

    # Order sync rules (operations).
    price_tolerance_pct: float = 0.01
    auto_acknowledge_rp: bool = True
    auto_acknowledge_df: bool = True
    rp_ship_from_by_vendor_code: str = Field(
        default="", description="VENDOR=PARTY,... ship-from warehouse of each RP vendor code"
    )
    order_lookback_days: int = 7
    operations_timezone: str = "UTC"

    # Files and scheduling.
    remittance_inbox: Path = Path("data/inbox/remittances")
    # A remittance file is taken once the inbox sensor saw it unchanged (size, times, inode)
    # on two looks at least this many seconds apart: a file still being written waits.
    remittance_stable_seconds: float = Field(default=30, ge=0)
    # Larger inbox files are refused unread (`remittance_file_too_large`).
    remittance_max_file_bytes: int = Field(default=50 * 1024 * 1024, gt=0)
    finance_timezone: str = "America/Los_Angeles"
    # Unexplained variance a payment may carry and still post (payment currency). To the cent
    # by default: any difference is a held payment with a reason, never a silent write-off.
    variance_tolerance: Decimal = Field(default=Decimal("0.00"), ge=0, decimal_places=2)
    # Cadences of what the daemon runs by itself (cron, in the schedule's timezone: operations
    # for the order and fulfilment loops, finance for settlement). A deployment, the soak and
    # tests tighten them.
    order_sync_cron: str = "*/15 * * * *"
    catalogue_cron: str = "5 * * * *"
    fulfilment_sync_cron: str = "7-59/15 * * * *"
    df_inventory_cron: str = "20 * * * *"
    # The nightly settlement of yesterday, as HH:MM in the finance timezone.
    settlement_time: str = Field(default="02:30", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    pii_purge_cron: str = "15 3 * * *"
    # Seconds between evaluations of the sensors (PO windows, inbox, loaded settlement days)
    # and of the automation sensor (Declarative Automation).
    sensor_interval_seconds: int = Field(default=60, ge=5)
    # A settlement day whose payment was held is settled again this often (a seed fix) and
    # whenever NetSuite customers or invoices change.
    held_settlement_retry_minutes: float = Field(default=60, gt=0)
    automation_interval_seconds: int = Field(default=30, ge=5)

    # Embedded sandbox (used only where a side has no live settings).
    sandbox_state_dir: Path = Path("data/sandbox")
    sandbox_seed: int = 7
    sandbox_scale: str = "small"
    # Spoil a few generated purchase orders per batch (duplicate line numbers, bad quantities,
    # negative costs) so a deployment can watch quarantine work; off by default.
    sandbox_bad_orders: bool = False
    # Live mode (vendor-pipelines soak): Amazon, the warehouse and Amazon's payables are driven
    # by wall-clock time from outside (sandbox/live.py), not by the pipeline's own runs.
    sandbox_live: bool = False
    # Injected faults: this share of requests (to each sandbox) fails in one of the listed
    # ways, drawn from a seeded RNG; timeouts are sized to the request timeouts above.
    sandbox_fault_rate: float = Field(default=0.0, ge=0, le=1)
    sandbox_faults: str = Field(default="", description="fault kinds, comma-separated; empty = all")
    sandbox_fault_seed: int = 0

    @field_validator(
        "order_sync_cron",
        "catalogue_cron",
        "fulfilment_sync_cron",
        "df_inventory_cron",
        "pii_purge_cron",
    )
    @classmethod
    def _cron(cls, value: str) -> str:
        from dagster._utils.schedules import is_valid_cron_string

        if not is_valid_cron_string(value):
            raise ValueError(f"{value!r} is not a cron schedule (e.g. '*/15 * * * *')")
        return value

    @field_validator(
        "duckdb_path", "analytics_duckdb_path", "remittance_inbox", "sandbox_state_dir"
    )
    @classmethod
    def _anchor_to_project(cls, value: Path) -> Path:
        # Relative paths mean "in this project", whatever the working directory of the process
        # (dbt and some Dagster steps run elsewhere).
        return value if value.is_absolute() else (REPO_ROOT / value).resolve()

    @field_validator("sandbox_faults")
    @classmethod
    def _known_fault_kinds(cls, value: str) -> str:
        parse_fault_kinds(value)  # an unknown kind raises, naming the kinds there are
        return value

    @property
    def sandbox_fault_kinds(self) -> tuple[str, ...]:
        return parse_fault_kinds(self.sandbox_faults) or FAULT_KINDS

    @property
    def amazon_app(self) -> AmazonAppConfig:
        def secret(value: SecretStr | None) -> str | None:
            return value.get_secret_value() if value is not None else None

        return AmazonAppConfig(
            regions=parse_regions(self.amazon_regions),
            endpoint=self.amazon_spapi_endpoint,
            lwa_client_id=self.amazon_lwa_client_id,
            lwa_client_secret=secret(self.amazon_lwa_client_secret),
            lwa_refresh_token=secret(self.amazon_lwa_refresh_token),
            lwa_token_url=self.amazon_lwa_token_url,
            endpoint_by_region={
                r: getattr(self, f"amazon_spapi_endpoint_{r.lower()}") for r in REGIONS
            },
            refresh_token_by_region={
                r: secret(getattr(self, f"amazon_lwa_refresh_token_{r.lower()}")) for r in REGIONS
            },
        )

    @property
    def amazon_is_live(self) -> bool:
        return self.amazon_app.is_live

    @property
    def amazon_credentials(self) -> list[AmazonCredentials]:
        """Live credentials per region (empty in the sandbox), home region first."""
        return regional_credentials(self.amazon_app) if self.amazon_is_live else []

    @property
    def amazon_region_list(self) -> tuple[str, ...]:
        """The regions this deployment sells in (the sandbox serves them too); NA by default."""
        if self.amazon_is_live:
            return tuple(c.region for c in self.amazon_credentials)
        return parse_regions(self.amazon_regions) or ("NA",)

    @property
    def report_marketplaces(self) -> list[tuple[str, str]]:
        """(marketplace id, region) of each marketplace whose vendor reports are pulled."""
        return report_marketplaces(self.amazon_marketplace_id, self.amazon_region_list)

    @property
    def netsuite_is_live(self) -> bool:
        return self.netsuite_account_id is not None or self.netsuite_rest_url is not None

    @property
    def vendor_code_filter(self) -> tuple[str, ...]:
        return tuple(c.strip() for c in self.amazon_vendor_codes.split(",") if c.strip())

    @property
    def rp_ship_from_mapping(self) -> dict[str, str]:
        pairs = (p.split("=", 1) for p in self.rp_ship_from_by_vendor_code.split(",") if "=" in p)
        return {vendor.strip(): party.strip() for vendor, party in pairs}

    @model_validator(mode="after")
    def _complete_or_absent(self) -> Settings:
        try:
            parse_regions(self.amazon_regions)
        except ValueError as exc:
            raise ValueError(f"AMAZON_REGIONS: {exc}") from None
        self.amazon_credentials  # noqa: B018 - a live gap raises, naming the variable
        try:
            self.report_marketplaces  # noqa: B018
        except ValueError as exc:
            raise ValueError(f"AMAZON_MARKETPLACE_ID: {exc}") from None
        credential_vars = NETSUITE_TBA_VARS + NETSUITE_OAUTH2_VARS
        any_credential = any(getattr(self, n.lower()) is not None for n in credential_vars)
        if any_credential and not self.netsuite_account_id:
            raise ValueError("NETSUITE_ACCOUNT_ID is not set: NetSuite credentials need an account")
        if self.netsuite_account_id:
            needed = NETSUITE_TBA_VARS if self.netsuite_auth == "tba" else NETSUITE_OAUTH2_VARS
            missing = [n for n in needed if getattr(self, n.lower()) is None]
            if missing:
                raise ValueError(
                    f"{missing[0]} is not set: NETSUITE_AUTH={self.netsuite_auth} needs "
                    f"{', '.join(needed)}"
                )
        if self.netsuite_rest_url and not self.netsuite_account_id:
            raise ValueError("NETSUITE_ACCOUNT_ID is not set: NETSUITE_REST_URL needs an account")
        if self.duckdb_path.resolve() == self.analytics_duckdb_path.resolve():
            raise ValueError(
                "ANALYTICS_DUCKDB_PATH equals DUCKDB_PATH: analysts must read a separate copy"
            )
        return self


def load_settings() -> Settings:
    """Read and validate settings; any problem becomes one ConfigurationError message."""
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]).upper()
        message = first["msg"].removeprefix("Value error, ")
        prefix = f"{where}: " if where else ""
        raise ConfigurationError(f"invalid configuration: {prefix}{message}") from None
