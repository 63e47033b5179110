"""Configuration: sandbox by default, live only when complete, one clear message otherwise."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from vendor_pipelines.connections import load_configuration, sandbox_settings
from vendor_pipelines.settings import REPO_ROOT, ConfigurationError, load_settings

LIVE_AMAZON = {
    "AMAZON_SPAPI_ENDPOINT": "https://sellingpartnerapi-na.amazon.com",
    "AMAZON_LWA_CLIENT_ID": "amzn1.application-oa2-client.x",
    "AMAZON_LWA_CLIENT_SECRET": "secret-value-never-printed",
    "AMAZON_LWA_REFRESH_TOKEN": "Atzr|refresh",
}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    for name in (
        *LIVE_AMAZON,
        "NETSUITE_ACCOUNT_ID",
        "NETSUITE_REST_URL",
        "NETSUITE_AUTH",
        "NETSUITE_CLIENT_ID",
        "NETSUITE_CERTIFICATE_ID",
        "NETSUITE_PRIVATE_KEY_PATH",
        "NETSUITE_CONSUMER_KEY",
        "NETSUITE_CONSUMER_SECRET",
        "NETSUITE_TOKEN_ID",
        "NETSUITE_TOKEN_SECRET",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_no_settings_means_embedded_sandbox() -> None:
    settings = load_settings()
    assert not settings.amazon_is_live
    assert not settings.netsuite_is_live


def test_complete_amazon_settings_mean_live(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in LIVE_AMAZON.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert settings.amazon_is_live
    assert "secret-value-never-printed" not in repr(settings)


@pytest.mark.parametrize("missing", sorted(LIVE_AMAZON))
def test_partial_amazon_settings_name_the_missing_variable(
    monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    for name, value in LIVE_AMAZON.items():
        if name != missing:
            monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=missing):
        load_settings()


def test_netsuite_account_without_credentials_names_first_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NETSUITE_ACCOUNT_ID", "1234567_SB1")
    monkeypatch.setenv("NETSUITE_AUTH", "tba")
    monkeypatch.setenv("NETSUITE_CONSUMER_KEY", "ck")
    with pytest.raises(ConfigurationError, match="NETSUITE_CONSUMER_SECRET"):
        load_settings()


def test_netsuite_credentials_without_account(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETSUITE_CLIENT_ID", "client")
    with pytest.raises(ConfigurationError, match="NETSUITE_ACCOUNT_ID"):
        load_settings()


def test_analytics_copy_must_differ_from_warehouse(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setenv("DUCKDB_PATH", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("ANALYTICS_DUCKDB_PATH", str(tmp_path / "warehouse.duckdb"))
    with pytest.raises(ConfigurationError, match="ANALYTICS_DUCKDB_PATH"):
        load_settings()


REGIONAL_VARS = (
    "AMAZON_REGIONS",
    *(
        f"AMAZON_{var}_{r}"
        for r in ("NA", "EU", "FE")
        for var in ("SPAPI_ENDPOINT", "LWA_REFRESH_TOKEN")
    ),
)


@pytest.fixture
def live_amazon(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in REGIONAL_VARS:
        monkeypatch.delenv(name, raising=False)
    for name, value in LIVE_AMAZON.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_single_region_comes_from_the_endpoint_host(live_amazon) -> None:
    live_amazon.setenv("AMAZON_SPAPI_ENDPOINT", "https://sellingpartnerapi-eu.amazon.com")
    (only,) = load_settings().amazon_credentials
    assert (only.region, only.endpoint) == ("EU", "https://sellingpartnerapi-eu.amazon.com")
    assert only.lwa_refresh_token == LIVE_AMAZON["AMAZON_LWA_REFRESH_TOKEN"]


def test_a_second_region_needs_its_own_refresh_token(live_amazon) -> None:
    live_amazon.setenv("AMAZON_REGIONS", "NA,EU")
    with pytest.raises(ConfigurationError, match="AMAZON_LWA_REFRESH_TOKEN_EU"):
        load_settings()


def test_regions_take_their_own_token_and_default_production_host(live_amazon) -> None:
    live_amazon.setenv("AMAZON_REGIONS", "na, EU")
    live_amazon.setenv("AMAZON_LWA_REFRESH_TOKEN_EU", "Atzr|eu")
    settings = load_settings()
    na, eu = settings.amazon_credentials
    assert (na.region, na.endpoint, na.lwa_refresh_token) == (
        "NA",
        LIVE_AMAZON["AMAZON_SPAPI_ENDPOINT"],
        LIVE_AMAZON["AMAZON_LWA_REFRESH_TOKEN"],
    )
    assert (eu.region, eu.endpoint, eu.lwa_refresh_token) == (
        "EU",
        "https://sellingpartnerapi-eu.amazon.com",
        "Atzr|eu",
    )
    assert settings.amazon_region_list == ("NA", "EU")
    assert "Atzr|eu" not in repr(eu)


def test_unknown_region_is_named(live_amazon) -> None:
    live_amazon.setenv("AMAZON_REGIONS", "NA,XX")
    with pytest.raises(ConfigurationError, match=r"AMAZON_REGIONS.*XX"):
        load_settings()


def test_sandbox_serves_the_configured_regions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMAZON_REGIONS", "EU,NA")
    settings = load_settings()
    assert not settings.amazon_is_live
    assert settings.amazon_region_list == ("EU", "NA")


def test_report_marketplaces_default_to_each_regions_main_one(monkeypatch) -> None:
    monkeypatch.setenv("AMAZON_REGIONS", "NA,EU")
    assert load_settings().report_marketplaces == [
        ("ATVPDKIKX0DER", "NA"),
        ("A1PA6795UKMFR9", "EU"),
    ]
    monkeypatch.setenv("AMAZON_MARKETPLACE_ID", "A1F83G8C2ARO7P, A2EUQ1WTGCTBG2")
    assert load_settings().report_marketplaces == [
        ("A1F83G8C2ARO7P", "EU"),
        ("A2EUQ1WTGCTBG2", "NA"),
    ]


def test_a_marketplace_outside_the_regions_is_refused(monkeypatch) -> None:
    monkeypatch.delenv("AMAZON_REGIONS", raising=False)
    monkeypatch.setenv("AMAZON_MARKETPLACE_ID", "A1VC38T7YXB528")  # Japan: FE
    with pytest.raises(ConfigurationError, match=r"AMAZON_MARKETPLACE_ID.*FE region"):
        load_settings()


PATH_FIELDS = ("duckdb_path", "analytics_duckdb_path", "remittance_inbox", "sandbox_state_dir")


def _paths(settings) -> dict[str, Path]:
    """Every path a deployment writes: its own and its embedded sandbox's state folder."""
    sandbox = sandbox_settings(settings)
    own = {name: getattr(settings, name) for name in PATH_FIELDS[:-1]}
    return {**own, "sandbox_state_dir": sandbox.sandbox_state_dir}


def test_two_deployments_with_their_own_warehouse_share_no_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    for name in PATH_FIELDS[1:]:
        monkeypatch.delenv(name.upper(), raising=False)
    paths = []
    for deployment in ("east", "west"):
        monkeypatch.setenv("DUCKDB_PATH", str(tmp_path / deployment / "warehouse.duckdb"))
        paths.append(set(_paths(load_settings()).values()))
        # Each beside its own warehouse.
        assert {p.relative_to(tmp_path / deployment).as_posix() for p in paths[-1]} == {
            "warehouse.duckdb",
            "analytics.duckdb",
            "inbox/remittances",
            "sandbox",
        }
    east, west = paths
    assert not east & west
    assert all(not a.is_relative_to(b) for a in east for b in west)


def test_the_default_warehouse_keeps_its_neighbours_in_data(monkeypatch) -> None:
    for name in PATH_FIELDS:
        monkeypatch.delenv(name.upper(), raising=False)
    settings = SimpleNamespace(**_paths(load_settings()))
    data = REPO_ROOT / "data"
    assert settings.duckdb_path == data / "warehouse.duckdb"
    assert settings.analytics_duckdb_path == data / "analytics.duckdb"
    assert settings.remittance_inbox == data / "inbox" / "remittances"
    assert settings.sandbox_state_dir == data / "sandbox"


def test_a_set_path_wins_over_the_one_beside_the_warehouse(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("DUCKDB_PATH", str(tmp_path / "wh" / "warehouse.duckdb"))
    monkeypatch.setenv("REMITTANCE_INBOX", str(tmp_path / "shared-inbox"))
    monkeypatch.setenv("SANDBOX_STATE_DIR", "")  # empty = unset
    monkeypatch.delenv("ANALYTICS_DUCKDB_PATH", raising=False)
    settings = SimpleNamespace(**_paths(load_settings()))
    assert settings.remittance_inbox == tmp_path / "shared-inbox"
    assert settings.sandbox_state_dir == tmp_path / "wh" / "sandbox"
    assert settings.analytics_duckdb_path == tmp_path / "wh" / "analytics.duckdb"
    # Relative paths are the project's, whatever the working directory.
    monkeypatch.setenv("DUCKDB_PATH", "data/other/warehouse.duckdb")
    assert load_settings().analytics_duckdb_path == REPO_ROOT / "data/other/analytics.duckdb"


def _message(monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as caught:
        load_configuration()
    message = str(caught.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("name", "value", "accepted"),
    [
        ("FINANCE_TIMEZONE", "Mars/Olympus_Mons", "IANA name"),
        ("OPERATIONS_TIMEZONE", "", "IANA name"),
        ("SANDBOX_SCALE", "huge", "'tiny'"),
        ("RP_SHIP_FROM_BY_VENDOR_CODE", "VND01=WH1,VND02", "VENDOR=PARTY"),
        ("SETTLEMENT_TIME", "2:30", "HH:MM"),
        ("ORDER_SYNC_CRON", "every 15 minutes", "five fields"),
        ("SANDBOX_SEED", "seven", "whole number"),
        ("AUTO_ACKNOWLEDGE_RP", "maybe", "true or false"),
        ("SANDBOX_FAULT_RATE", "1.5", "less than or equal to 1"),
        ("NETSUITE_AUTH", "kerberos", "'tba' or 'oauth2'"),
    ],
)
def test_a_bad_value_names_the_variable_the_value_and_what_is_accepted(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, accepted: str
) -> None:
    message = _message(monkeypatch, **{name: value})
    assert message.startswith(f"invalid configuration: {name}={value!r}: "), message
    assert accepted in message


def test_timezones_are_checked_and_utc_in_any_case_is_utc(monkeypatch) -> None:
    monkeypatch.setenv("OPERATIONS_TIMEZONE", "utc")
    monkeypatch.setenv("FINANCE_TIMEZONE", "Europe/Berlin")
    settings = load_settings()
    assert (settings.operations_timezone, settings.finance_timezone) == ("UTC", "Europe/Berlin")


def test_ship_from_mapping_takes_pairs_and_refuses_a_vendor_twice(monkeypatch) -> None:
    monkeypatch.setenv("RP_SHIP_FROM_BY_VENDOR_CODE", " VND01=WH1, VND02 = WH2,")
    assert load_settings().rp_ship_from_mapping == {"VND01": "WH1", "VND02": "WH2"}
    message = _message(monkeypatch, RP_SHIP_FROM_BY_VENDOR_CODE="VND01=WH1,VND01=WH2")
    assert "'VND01' has two ship-from parties" in message


def test_path_settings_that_cannot_work_are_named(monkeypatch, tmp_path) -> None:
    afile = tmp_path / "a-file"
    afile.write_text("")
    message = _message(monkeypatch, DUCKDB_PATH=str(afile / "warehouse.duckdb"))
    assert f"DUCKDB_PATH='{afile}/warehouse.duckdb': {afile} is a file" in message
    message = _message(monkeypatch, DUCKDB_PATH=str(tmp_path))
    assert f"DUCKDB_PATH='{tmp_path}': {tmp_path} is a folder, not a file" in message
    monkeypatch.setenv("DUCKDB_PATH", str(tmp_path / "warehouse.duckdb"))
    message = _message(monkeypatch, SANDBOX_STATE_DIR=str(afile))
    assert message.startswith(f"invalid configuration: SANDBOX_STATE_DIR='{afile}': ")
    # A reader (the analysts' `query`) does not need any of them to be writable.
    settings = load_settings(check_paths=False)
    assert sandbox_settings(settings, check_paths=False).sandbox_state_dir == afile


def test_an_unwritable_warehouse_folder_is_named(monkeypatch, tmp_path) -> None:
    if os.geteuid() == 0:  # permission bits do not stop root: a pseudo file system does
        if not Path("/proc/self").exists():
            pytest.skip("running as root without /proc")
        folder = Path("/proc/vendor-pipelines-test")
        blocked = Path("/proc")
    else:
        blocked = tmp_path / "locked"
        blocked.mkdir()
        blocked.chmod(0o500)
        folder = blocked / "warehouse"
    message = _message(monkeypatch, DUCKDB_PATH=str(folder / "warehouse.duckdb"))
    assert (
        f"DUCKDB_PATH='{folder}/warehouse.duckdb': this user cannot write in {blocked}" in message
    )
