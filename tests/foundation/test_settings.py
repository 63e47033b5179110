"""Configuration: sandbox by default, live only when complete, one clear message otherwise."""

from __future__ import annotations

import pytest

from vendor_pipelines.settings import ConfigurationError, load_settings

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
