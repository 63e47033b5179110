"""Runtime configuration from the environment (and an optional `.env`), validated at start-up.

With no Amazon or NetSuite settings the project runs against the embedded sandbox. A half
configured side (an endpoint without its credentials, or credentials without an account) is an
error that names the missing variable, never a silent fallback to the sandbox.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"
REPO_ROOT = Path(__file__).resolve().parent.parent

AMAZON_LIVE_VARS = (
    "AMAZON_SPAPI_ENDPOINT",
    "AMAZON_LWA_CLIENT_ID",
    "AMAZON_LWA_CLIENT_SECRET",
    "AMAZON_LWA_REFRESH_TOKEN",
)
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
    amazon_marketplace_id: str = "ATVPDKIKX0DER"  # for vendor reports (US by default)
    amazon_vendor_codes: str = Field(
        default="", description="comma-separated selling-party vendor codes; empty = all"
    )

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
    finance_timezone: str = "America/Los_Angeles"

    # Embedded sandbox (used only where a side has no live settings).
    sandbox_state_dir: Path = Path("data/sandbox")
    sandbox_seed: int = 7
    sandbox_scale: str = "small"

    @field_validator(
        "duckdb_path", "analytics_duckdb_path", "remittance_inbox", "sandbox_state_dir"
    )
    @classmethod
    def _anchor_to_project(cls, value: Path) -> Path:
        # Relative paths mean "in this project", whatever the working directory of the process
        # (dbt and some Dagster steps run elsewhere).
        return value if value.is_absolute() else (REPO_ROOT / value).resolve()

    @property
    def amazon_is_live(self) -> bool:
        return self.amazon_spapi_endpoint is not None

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
        amazon = {name: getattr(self, name.lower()) for name in AMAZON_LIVE_VARS}
        if any(v is not None for v in amazon.values()):
            missing = [name for name, v in amazon.items() if v is None]
            if missing:
                raise ValueError(
                    f"{missing[0]} is not set: Amazon live mode needs "
                    f"{', '.join(AMAZON_LIVE_VARS)} "
                    "(unset all of them to use the embedded sandbox)"
                )
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
