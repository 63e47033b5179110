"""Runtime configuration from the environment (and an optional `.env`), validated at start-up.

With no Amazon or NetSuite settings the project runs against the embedded sandbox. A half
configured side (an endpoint without its credentials, or credentials without an account) is an
error that names the missing variable, never a silent fallback to the sandbox.

Every mistake is reported as one `ConfigurationError` line naming the variable as the user sets
it, the value given (never a secret's) and what is accepted; `load_settings` also checks that
the warehouse, the analysts' copy and the inbox can live where they are set. Both default to
places beside the warehouse, so two deployments with their own `DUCKDB_PATH` share no file. The
embedded sandbox's own settings (`SANDBOX_*`) are the simulator's, read where the sandbox is
started (`connections.py`).
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

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

LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DUCKDB_PATH = Path("data/warehouse.duckdb")
# Unset, these live in the warehouse's folder (with the default warehouse: data/...).
BESIDE_THE_WAREHOUSE = {
    "analytics_duckdb_path": Path("analytics.duckdb"),
    "remittance_inbox": Path("inbox/remittances"),
}

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
    duckdb_path: Path = DEFAULT_DUCKDB_PATH
    # Unset: analytics.duckdb beside DUCKDB_PATH.
    analytics_duckdb_path: Path = DEFAULT_DUCKDB_PATH.parent / "analytics.duckdb"

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
    # The non-inventory item a valid price claim's credit memo credits (a price difference is
    # no return: the units left). Unset: valid price claims keep their 4160 reclass journal.
    netsuite_price_adjustment_item_id: str | None = None

    # Order sync rules (operations).
    price_tolerance_pct: float = 0.01
    auto_acknowledge_rp: bool = True
    auto_acknowledge_df: bool = True
    rp_ship_from_by_vendor_code: str = Field(
        default="", description="VENDOR=PARTY,... ship-from warehouse of each RP vendor code"
    )
    order_lookback_days: int = 7
    operations_timezone: str = "UTC"

    # Files and scheduling. Unset: inbox/remittances beside DUCKDB_PATH.
    remittance_inbox: Path = DEFAULT_DUCKDB_PATH.parent / "inbox/remittances"
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
    settlement_time: str = "02:30"
    pii_purge_cron: str = "15 3 * * *"
    # Seconds between evaluations of the sensors (PO windows, inbox, loaded settlement days)
    # and of the automation sensor (Declarative Automation).
    sensor_interval_seconds: int = Field(default=60, ge=5)
    # A settlement day whose payment was held is settled again this often (a seed fix) and
    # whenever NetSuite customers or invoices change.
    held_settlement_retry_minutes: float = Field(default=60, gt=0)
    automation_interval_seconds: int = Field(default=30, ge=5)

    # Alerts to owners (new error exceptions, failed runs; ops/alerts.py): e-mail through an
    # SMTP server and/or a Slack incoming webhook, one or one per owner. Off while neither is
    # configured. The SMTP password and the webhook URLs are secrets (read through dg.EnvVar).
    alert_smtp_host: str | None = None
    alert_smtp_port: int = Field(default=25, gt=0, lt=65536)
    alert_smtp_starttls: bool = False
    alert_smtp_user: str | None = None
    alert_smtp_password: SecretStr | None = None
    alert_from: str | None = None
    alert_to_finance: str | None = None
    alert_to_operations: str | None = None
    alert_slack_webhook_url: SecretStr | None = None
    alert_slack_webhook_url_finance: SecretStr | None = None
    alert_slack_webhook_url_operations: SecretStr | None = None
    # Where the runbook lives (each alert links `<this>#<exception type>`), and the Dagster UI.
    alert_runbook_url: str = "docs/runbook.md"
    alert_dagster_url: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _beside_the_warehouse(cls, data: Any) -> Any:
        # Unset (or empty) paths follow the warehouse, so a deployment with its own DUCKDB_PATH
        # keeps its analysts' copy and inbox to itself. Set ones win.
        if not isinstance(data, dict):
            return data
        warehouse = data.get("duckdb_path") or DEFAULT_DUCKDB_PATH
        if not isinstance(warehouse, str | Path):
            return data  # the field's own validation names the problem
        folder = Path(warehouse).parent
        return {
            **data,
            **{
                name: folder / relative
                for name, relative in BESIDE_THE_WAREHOUSE.items()
                if data.get(name) in (None, "")
            },
        }

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
            raise ValueError("not a cron schedule; use five fields, e.g. '*/15 * * * *'")
        return value

    @field_validator("finance_timezone", "operations_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        if value.strip().upper() == "UTC":
            return "UTC"
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                "not a timezone; use an IANA name such as UTC, America/Los_Angeles or Europe/Berlin"
            ) from None
        return value

    @field_validator("settlement_time")
    @classmethod
    def _time_of_day(cls, value: str) -> str:
        hours, _, minutes = value.partition(":")
        if not (len(hours) == len(minutes) == 2 and hours.isdigit() and minutes.isdigit()) or (
            int(hours) > 23 or int(minutes) > 59
        ):
            raise ValueError("not a time of day; use HH:MM from 00:00 to 23:59, e.g. 02:30")
        return value

    @field_validator("amazon_regions")
    @classmethod
    def _known_regions(cls, value: str) -> str:
        parse_regions(value)  # an unknown region raises, naming the regions there are
        return value

    @field_validator("rp_ship_from_by_vendor_code")
    @classmethod
    def _ship_from_pairs(cls, value: str) -> str:
        parties: dict[str, str] = {}
        for entry in (e.strip() for e in value.split(",")):
            if not entry:
                continue
            vendor, sep, party = (part.strip() for part in entry.partition("="))
            if not sep or not vendor or not party or "=" in party:
                raise ValueError(
                    f"entry {entry!r} is not VENDOR=PARTY; use comma-separated VENDOR=PARTY "
                    "pairs (vendor code = ship-from party id), e.g. 'ABCDE=WH01,FGHIJ=WH02'"
                )
            if parties.setdefault(vendor, party) != party:
                raise ValueError(
                    f"vendor code {vendor!r} has two ship-from parties ({parties[vendor]!r} and "
                    f"{party!r}); give each vendor code one"
                )
        return value

    @field_validator("duckdb_path", "analytics_duckdb_path", "remittance_inbox")
    @classmethod
    def _anchor_to_project(cls, value: Path) -> Path:
        # Relative paths mean "in this project", whatever the working directory of the process
        # (dbt and some Dagster steps run elsewhere).
        return value if value.is_absolute() else (REPO_ROOT / value).resolve()

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


def load_settings(*, check_paths: bool = True) -> Settings:
    """Read and validate settings; any problem becomes one ConfigurationError line.

    `check_paths=False` skips the checks that the warehouse and its neighbours can be written
    where they are set (a reader of the analysts' copy needs none of them).
    """
    try:
        settings = Settings()
    except ValidationError as exc:
        message = describe_validation_error(exc)
        raise ConfigurationError(f"invalid configuration: {message}") from None
    except SettingsError as exc:  # a source could not be read or parsed (e.g. a broken .env)
        raise ConfigurationError(f"invalid configuration: {one_line(str(exc))}") from None
    if check_paths:
        problem = settings_path_problem(settings)
        if problem:
            raise ConfigurationError(f"invalid configuration: {problem}")
    return settings


def one_line(text: str) -> str:
    return " ".join(text.split())


def _is_secret(name: str) -> bool:
    field = Settings.model_fields.get(name)
    annotation = str(field.annotation) if field is not None else ""
    return "SecretStr" in annotation or any(w in name for w in ("secret", "token", "password"))


# Pydantic's words for a value it could not parse, with what would be accepted instead.
ACCEPTED = {
    "bool_parsing": "not true or false; use true or false (also 1/0, yes/no, on/off)",
    "int_parsing": "not a whole number; use digits only, e.g. 7",
    "int_from_float": "not a whole number; use digits only, e.g. 7",
    "float_parsing": "not a number; use e.g. 0.05 or 30",
    "decimal_parsing": "not a decimal number; use e.g. 0.00 or 1.50",
}


def _shown(value: object) -> str:
    if isinstance(value, Path):
        return repr(str(value))  # whole: the folder at fault is part of it
    text = repr(value)
    return text if len(text) <= 120 else f"{text[:117]}..."


def describe_validation_error(exc: ValidationError) -> str:
    """The first error as `VARIABLE='value': what is wrong; what is accepted` (one line)."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    message = ACCEPTED.get(first["type"]) or one_line(first["msg"].removeprefix("Value error, "))
    if first["loc"]:
        name = str(first["loc"][0])
        if message[:1].isupper() and message[1:2].islower():  # pydantic's "Input should be ..."
            message = message[0].lower() + message[1:]
        value = "(hidden)" if _is_secret(name) else _shown(first.get("input"))
        message = f"{name.upper()}={value}: {message}"
    more = len(errors) - 1
    if more:
        message += f" (and {more} more invalid setting{'s' if more > 1 else ''})"
    return message


def _writable(folder: Path) -> bool:
    # A real attempt (a nameless temporary file where the system has them): permission bits
    # alone do not tell a root user on a read-only mount or a pseudo file system.
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def path_problem(path: Path, *, folder: bool, writable: bool = True) -> str | None:
    """Why `path` cannot be a file (or, `folder=True`, a folder) made and written here."""
    try:
        if path.exists():
            if folder and not path.is_dir():
                return f"{path} is a file, not a folder"
            if not folder and path.is_dir():
                return f"{path} is a folder, not a file"
        place = path if folder and path.is_dir() else path.parent
        while not place.exists() and place != place.parent:
            place = place.parent
        if not place.is_dir():
            return f"{place} is a file, so nothing can be created under it"
        if writable and not _writable(place):
            return f"this user cannot write in {place}"
    except OSError as exc:  # e.g. a folder on the way that this user may not even look into
        return f"{path} cannot be used ({exc.strerror or exc})"
    return None


def settings_path_problem(settings: Settings) -> str | None:
    """The first path setting that cannot work, as `VARIABLE='path': why; what is needed`."""
    file_path = "a file path in a folder this user can write"
    checks = [
        ("duckdb_path", False, True, file_path),
        ("analytics_duckdb_path", False, True, file_path),
        # Read by the pipeline; written only by the sandbox's Amazon.
        ("remittance_inbox", True, not settings.amazon_is_live, "a folder (or where to make one)"),
    ]
    for name, folder, writable, needed in checks:
        path = getattr(settings, name)
        problem = path_problem(path, folder=folder, writable=writable)
        if problem:
            return f"{name.upper()}={_shown(path)}: {problem}; it needs {needed}"
    return None
