"""The console command: help, subcommands, and start-up configuration errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

CLI = Path(sys.executable).parent / "vendor-pipelines"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLI), *args], capture_output=True, text=True, timeout=120, env=env or dict(os.environ)
    )


def test_help_lists_the_subcommands() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("demo", "sandbox", "bench"):
        assert command in result.stdout


def test_bench_help_lists_benchmarks() -> None:
    result = run("bench", "--help")
    assert result.returncode == 0, result.stderr


def test_bad_configuration_fails_at_start_with_the_variable_name() -> None:
    env = {**os.environ, "AMAZON_SPAPI_ENDPOINT": "https://sellingpartnerapi-na.amazon.com"}
    for name in ("AMAZON_LWA_CLIENT_ID", "AMAZON_LWA_CLIENT_SECRET", "AMAZON_LWA_REFRESH_TOKEN"):
        env.pop(name, None)
    result = run("demo", env=env)
    assert result.returncode == 2
    assert "AMAZON_LWA_CLIENT_ID" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_runs_the_whole_cycle_and_every_settlement_reconciles(tmp_path: Path) -> None:
    """The README's first command, for a vendor selling in NA (USD) and EU (EUR, VAT):
    orders to cash, to the cent, in both currencies."""
    env = {
        **os.environ,
        "DUCKDB_PATH": str(tmp_path / "warehouse.duckdb"),
        "ANALYTICS_DUCKDB_PATH": str(tmp_path / "analytics.duckdb"),
        "SANDBOX_STATE_DIR": str(tmp_path / "sandbox"),
        "REMITTANCE_INBOX": str(tmp_path / "inbox"),
        "SANDBOX_SCALE": "small",  # enough accepted invoices in both regions for payments
        "AMAZON_REGIONS": "NA,EU",
    }
    result = subprocess.run(
        [str(CLI), "demo", "--dagster-home", str(tmp_path / "dagster_home")],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with duckdb.connect(env["DUCKDB_PATH"], read_only=True) as conn:
        settlements = conn.execute(
            """select settlement_id, unexplained_variance, currency
               from finance.settlement_reconciliation where grain = 'payment'"""
        ).fetchall()
        posted = conn.execute(
            """select count(*) from ops.submissions
               where channel = 'netsuite.customerPayment' and status = 'succeeded'"""
        ).fetchone()[0]
        adjusted = conn.execute(
            """select count(*) from raw.netsuite_invoices i
               join raw.remittance_lines r on r.reference = i.tranid
               where i.shipping_cost <> 0 or i.discount_total <> 0"""
        ).fetchone()[0]
    assert {currency for _, _, currency in settlements} == {"USD", "EUR"}
    assert {variance for _, variance, _ in settlements} == {0}, settlements
    assert posted == len(settlements)
    # Amazon's reports for each region's marketplace, from that region's host, in its currency.
    with duckdb.connect(env["DUCKDB_PATH"], read_only=True) as conn:
        reports = dict(
            conn.execute(
                """select marketplace_id, any_value(shipped_revenue_currency)
                   from raw.amazon_vendor_sales_report group by all"""
            ).fetchall()
        )
    assert reports == {"ATVPDKIKX0DER": "USD", "A1PA6795UKMFR9": "EUR"}
    # Invoices with freight or a discount were paid too, at their full total.
    assert adjusted


def test_sandbox_serve_runs_one_amazon_host_per_region(tmp_path: Path) -> None:
    import httpx

    server = subprocess.Popen(
        [str(CLI), "sandbox", "serve", "--regions", "NA,EU", "--amazon-port", "0",
         "--netsuite-port", "0", "--scale", "tiny", "--state-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        hosts = {}
        while len(hosts) < 2:
            line = server.stdout.readline()
            assert line, server.stderr.read() if server.stderr else "server exited"
            if line.startswith("Amazon SP-API sandbox"):
                region, url = line.split()[3].rstrip(":"), line.split()[4]
                hosts[region] = url
        assert set(hosts) == {"NA", "EU"} and hosts["NA"] != hosts["EU"]
        for url in hosts.values():
            assert httpx.get(f"{url}/_sandbox/health", timeout=10).json()["ok"] is True
    finally:
        server.terminate()
        server.wait(timeout=30)
