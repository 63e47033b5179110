"""Resources: the warehouse, dbt, the Amazon and NetSuite connections, the settings, the PII
cipher and the remittance inbox: the one channel through which assets and sensors are configured.

Credentials are `dg.EnvVar`s resolved at run time, so they never appear in the UI, in run config
or in logs. With none configured, each connection uses the embedded sandbox; what differs there
(the ship-from mapping's fallback, the local PII key) is decided here and in `connections.py`,
never in an asset. Values fixed when the code location loads (crons, sensor intervals, the
partitions' timezone) are read once in `defs/deployment.py`.
"""

import importlib.metadata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import dagster as dg
import duckdb
from cryptography.fernet import Fernet
from dagster_dbt import DbtCliInvocation, DbtCliResource
from dagster_duckdb import DuckDBResource
from packaging.version import Version

from vendor_pipelines import warehouse_schema
from vendor_pipelines.amazon.client import AmazonVendorClient
from vendor_pipelines.amazon.regions import REGIONS, AmazonAppConfig, AmazonRegions, parse_regions
from vendor_pipelines.connections import (
    amazon_regions,
    load_configuration,
    netsuite_client,
    pii_key_file,
    sandbox_ship_from_mapping,
)
from vendor_pipelines.dbt_project import DBT_PROJECT_DIR, dbt_executable
from vendor_pipelines.defs.exceptions.alerts import AlertsResource
from vendor_pipelines.defs.finance.remittance_inbox import RemittanceInboxResource
from vendor_pipelines.deployment.topology import environment
from vendor_pipelines.exceptions.alerts import exception_feed_file
from vendor_pipelines.finance.dbt_command import (
    prepare_target,
    run_environment,
    warehouse_target_path,
)
from vendor_pipelines.netsuite import NetSuiteClient, OAuth2ClientCredentials, TokenBasedAuth
from vendor_pipelines.pii import load_cipher
from vendor_pipelines.settings import LWA_TOKEN_URL, Settings, load_settings


class AmazonVendorResource(dg.ConfigurableResource):
    """Amazon SP-API (vendor APIs), one client per region; the embedded sandbox when unset."""

    regions: str = ""
    endpoint: str | None = None
    lwa_client_id: str | None = None
    lwa_client_secret: str | None = None
    lwa_refresh_token: str | None = None
    lwa_token_url: str = LWA_TOKEN_URL
    endpoint_na: str | None = None
    endpoint_eu: str | None = None
    endpoint_fe: str | None = None
    lwa_refresh_token_na: str | None = None
    lwa_refresh_token_eu: str | None = None
    lwa_refresh_token_fe: str | None = None
    # Seconds a call waits for its answer before it is retried (AMAZON_REQUEST_TIMEOUT_SECONDS).
    request_timeout_seconds: float | None = None

    def app_config(self) -> AmazonAppConfig:
        return AmazonAppConfig(
            regions=parse_regions(self.regions),
            endpoint=self.endpoint,
            lwa_client_id=self.lwa_client_id,
            lwa_client_secret=self.lwa_client_secret,
            lwa_refresh_token=self.lwa_refresh_token,
            lwa_token_url=self.lwa_token_url,
            endpoint_by_region={r: getattr(self, f"endpoint_{r.lower()}") for r in REGIONS},
            refresh_token_by_region={
                r: getattr(self, f"lwa_refresh_token_{r.lower()}") for r in REGIONS
            },
        )

    @property
    def is_sandbox(self) -> bool:
        return not self.app_config().is_live

    @contextmanager
    def clients(self) -> Iterator[AmazonRegions]:
        """Every region's client (`clients[region]`; `clients[None]` is the home region's)."""
        settings = load_settings()
        with amazon_regions(self.app_config(), settings, self.request_timeout_seconds) as regions:
            yield regions

    @contextmanager
    def client(self) -> Iterator[AmazonVendorClient]:
        """The home region's client, for work that is not per purchase order (reports)."""
        with self.clients() as regions:
            yield regions[None]

    def ship_from_mapping(self) -> dict[str, str]:
        """The RP ship-from party id per vendor code (RP_SHIP_FROM_BY_VENDOR_CODE); unset on the
        embedded sandbox, each vendor code ships from a mapped warehouse of the sandbox's world."""
        settings = load_settings()
        mapping = settings.rp_ship_from_mapping
        if not mapping and self.is_sandbox:
            mapping = sandbox_ship_from_mapping(settings)
        return mapping


class NetSuiteResource(dg.ConfigurableResource):
    """NetSuite REST; the embedded sandbox when no account is configured."""

    account_id: str | None = None
    auth: str = "oauth2"
    consumer_key: str | None = None
    consumer_secret: str | None = None
    token_id: str | None = None
    token_secret: str | None = None
    client_id: str | None = None
    certificate_id: str | None = None
    private_key_path: str | None = None
    # Seconds a call waits for its answer (NETSUITE_REQUEST_TIMEOUT_SECONDS).
    request_timeout_seconds: float | None = None
    # Item a valid price claim's credit memo credits (NETSUITE_PRICE_ADJUSTMENT_ITEM_ID).
    price_adjustment_item_id: str | None = None

    @contextmanager
    def client(self) -> Iterator[NetSuiteClient]:
        auth: TokenBasedAuth | OAuth2ClientCredentials | None = None
        if self.account_id and self.auth == "tba":
            auth = TokenBasedAuth(
                self.consumer_key or "",
                self.consumer_secret or "",
                self.token_id or "",
                self.token_secret or "",
            )
        elif self.account_id:
            auth = OAuth2ClientCredentials(
                self.client_id or "",
                self.certificate_id or "",
                Path(self.private_key_path or "").read_text(),
            )
        client = netsuite_client(auth, load_settings(), self.request_timeout_seconds)
        try:
            yield client
        finally:
            client.close()


class SettingsResource(dg.ConfigurableResource):
    """The deployment's settings (the environment and `.env`), read when a run or a sensor's
    look uses them: assets and sensors take their tunables here, never by reading settings."""

    def read(self) -> Settings:
        return load_settings()


class PiiResource(dg.ConfigurableResource):
    """The cipher of Direct Fulfillment ship-to addresses (`pii.py`): PII_ENCRYPTION_KEY (read at
    run time, never copied into config), else the embedded sandbox's local key file."""

    # Where the embedded sandbox keeps its local key (`connections.pii_key_file`); None with
    # live Amazon, which needs PII_ENCRYPTION_KEY.
    sandbox_key_file: str | None = None

    def cipher(self) -> Fernet:
        return load_cipher(Path(self.sandbox_key_file) if self.sandbox_key_file else None)


class WarehouseResource(DuckDBResource):
    """The DuckDB warehouse; unlike the stock resource it closes its connection on errors too,
    and it applies the warehouse schema (every domain's tables) once per process and file.

    An asset that raises would otherwise leave its connection (and the file lock) open in the
    process; in-process runs (the demo, tests) and dbt's subprocess would then find it locked.
    """

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with super().get_connection() as conn:
            try:
                warehouse_schema.apply_once(conn, self.database)
                yield conn
            finally:
                conn.close()


class WarehouseDbtCliResource(DbtCliResource):
    """dbt runs in its own subprocess only, never with an adapter inside the Dagster process.

    dagster-dbt normally opens a dbt adapter in-process too; dbt-duckdb's keeps the warehouse
    file open with its own settings, after which DuckDB refuses every other connection from the
    process (the next in-process step, our own row counts). We read row counts ourselves.
    """

    # Settlement policy handed to every build as dbt vars (VARIANCE_TOLERANCE).
    variance_tolerance: str = "0.00"

    def _initialize_dbt_core_adapter(self, args):
        return None

    @cached_property
    def _cli_version(self) -> Version:
        # dagster-dbt asks `dbt --version` in a subprocess of its own before each step's first
        # invocation (~2.5 s of Python start-up and dbt imports); the project's dbt is the
        # dbt-core installed beside this process (dbt_executable), so its metadata says the same.
        return Version(importlib.metadata.version("dbt-core"))

    def policy_vars(self) -> dict[str, str]:
        return {"variance_tolerance": self.variance_tolerance}

    def build(
        self,
        warehouse: Path,
        variables: Mapping[str, object],
        context: dg.AssetExecutionContext,
    ) -> DbtCliInvocation:
        """`dbt build` on `warehouse`, with the settlement policy and `variables` as the run's
        vars and the warehouse's own target folder (`warehouse_target_path`), so dbt reuses its
        parse from the previous run.

        The warehouse and the vars go in dbt's environment (`run_environment`; the `run_var`
        macro reads the vars there): `--vars` would make dbt re-parse the whole project. dbt's
        process starts inside `cli` with a copy of this process's environment, so the values
        are set for that call only."""
        target = prepare_target(warehouse_target_path(warehouse))
        values = run_environment(warehouse, {**self.policy_vars(), **variables})
        with environment(values):
            return self.cli(["build"], context=context, raise_on_error=False, target_path=target)


def _env_or_none(name: str, live: bool) -> dg.EnvVar | None:
    return dg.EnvVar(name) if live else None


def _env_if_set(name: str, settings: Settings) -> dg.EnvVar | None:
    # Secrets stay environment variables, resolved at run time, never copied into config.
    return dg.EnvVar(name) if getattr(settings, name.lower()) is not None else None


@dg.definitions
def resources() -> dg.Definitions:
    # The start-up check of the definitions: the settings, and the sandbox's where it is used.
    settings = load_configuration()
    settings.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    key_file = pii_key_file(settings)
    netsuite_live = settings.netsuite_is_live
    tba = netsuite_live and settings.netsuite_auth == "tba"
    oauth2 = netsuite_live and settings.netsuite_auth == "oauth2"
    return dg.Definitions(
        resources={
            "settings": SettingsResource(),
            "pii": PiiResource(sandbox_key_file=str(key_file) if key_file else None),
            "remittance_inbox": RemittanceInboxResource(
                path=str(settings.remittance_inbox),
                max_file_bytes=settings.remittance_max_file_bytes,
                finance_timezone=settings.finance_timezone,
            ),
            "duckdb": WarehouseResource(database=str(settings.duckdb_path.resolve())),
            "dbt": WarehouseDbtCliResource(
                project_dir=str(DBT_PROJECT_DIR),
                profiles_dir=str(DBT_PROJECT_DIR),
                dbt_executable=dbt_executable(),
                variance_tolerance=str(settings.variance_tolerance),
            ),
            "amazon": AmazonVendorResource(
                regions=settings.amazon_regions,
                endpoint=_env_if_set("AMAZON_SPAPI_ENDPOINT", settings),
                lwa_client_id=_env_if_set("AMAZON_LWA_CLIENT_ID", settings),
                lwa_client_secret=_env_if_set("AMAZON_LWA_CLIENT_SECRET", settings),
                lwa_refresh_token=_env_if_set("AMAZON_LWA_REFRESH_TOKEN", settings),
                lwa_token_url=settings.amazon_lwa_token_url,
                request_timeout_seconds=settings.amazon_request_timeout_seconds,
                **{
                    f"{field}_{region.lower()}": _env_if_set(f"AMAZON_{var}_{region}", settings)
                    for region in REGIONS
                    for field, var in (
                        ("endpoint", "SPAPI_ENDPOINT"),
                        ("lwa_refresh_token", "LWA_REFRESH_TOKEN"),
                    )
                },
            ),
            "netsuite": NetSuiteResource(
                account_id=_env_or_none("NETSUITE_ACCOUNT_ID", netsuite_live),
                auth=settings.netsuite_auth,
                consumer_key=_env_or_none("NETSUITE_CONSUMER_KEY", tba),
                consumer_secret=_env_or_none("NETSUITE_CONSUMER_SECRET", tba),
                token_id=_env_or_none("NETSUITE_TOKEN_ID", tba),
                token_secret=_env_or_none("NETSUITE_TOKEN_SECRET", tba),
                client_id=_env_or_none("NETSUITE_CLIENT_ID", oauth2),
                certificate_id=_env_or_none("NETSUITE_CERTIFICATE_ID", oauth2),
                private_key_path=_env_or_none("NETSUITE_PRIVATE_KEY_PATH", oauth2),
                request_timeout_seconds=settings.netsuite_request_timeout_seconds,
                price_adjustment_item_id=settings.netsuite_price_adjustment_item_id,
            ),
            # Alerts to owners (ALERT_*); every field unset = off. Secrets stay EnvVars.
            "alerts": AlertsResource(
                exception_feed=str(exception_feed_file(settings.duckdb_path.resolve())),
                smtp_host=settings.alert_smtp_host,
                smtp_port=settings.alert_smtp_port,
                smtp_starttls=settings.alert_smtp_starttls,
                smtp_user=settings.alert_smtp_user,
                smtp_password=_env_if_set("ALERT_SMTP_PASSWORD", settings),
                sender=settings.alert_from,
                to_finance=settings.alert_to_finance,
                to_operations=settings.alert_to_operations,
                slack_webhook_url=_env_if_set("ALERT_SLACK_WEBHOOK_URL", settings),
                slack_webhook_url_finance=_env_if_set("ALERT_SLACK_WEBHOOK_URL_FINANCE", settings),
                slack_webhook_url_operations=_env_if_set(
                    "ALERT_SLACK_WEBHOOK_URL_OPERATIONS", settings
                ),
                runbook_url=settings.alert_runbook_url,
                dagster_url=settings.alert_dagster_url,
            ),
        }
    )
