"""A file moved into the inbox with an old mtime is loaded by the real daemon.

The production topology (code server, webserver, `dagster-daemon`) on a persistent SQLite
instance, with the project's real definitions and an embedded-sandbox deployment. A newer file
is dropped first, then one moved in with a modification time from two years ago: exactly what
the previous cursor (the newest mtime seen) never loaded. Both payments must reach the
warehouse, read only once the load runs have succeeded.
"""

from __future__ import annotations

import os
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from sandbox_flow import sandbox_environment, wait_until

from vendor_pipelines.deployment.topology import Topology, write_instance
from vendor_pipelines.finance.inbox import content_hash
from vendor_sandbox.remittance_files import SandboxPayment, SandboxRemitItem
from vendor_sandbox.remittance_writers import write_820, write_vc_payments_csv

pytestmark = pytest.mark.slow

# Nothing but the inbox should run: the loops' schedules are pushed to once a year, and the
# payments are dated before the first settlement day, so no settlement (dbt) run follows.
QUIET = {
    name: "0 0 1 1 *"
    for name in (
        "ORDER_SYNC_CRON",
        "CATALOGUE_CRON",
        "FULFILMENT_SYNC_CRON",
        "DF_INVENTORY_CRON",
        "PII_PURGE_CRON",
    )
}
PAYMENT_DATE = date(2025, 6, 2)


def _payment(number: str, amount: str) -> SandboxPayment:
    item = SandboxRemitItem(
        "invoice",
        f"INV-{number}",
        Decimal(amount),
        "INVOICE_PAYMENT",
        invoice_amount=Decimal(amount),
        description="Payments",
        transaction_type="Invoice",
    )
    return SandboxPayment(number, PAYMENT_DATE, "ACME1", items=[item])


def _load_succeeded(instance: dg.DagsterInstance, content: bytes, timeout: float = 240) -> None:
    key = f"remittance:{content_hash(content)}"

    def finished() -> dg.DagsterRun | None:
        runs = instance.get_runs(filters=dg.RunsFilter(tags={"dagster/run_key": key}))
        done = [r for r in runs if r.is_finished]
        return done[0] if done else None

    run = wait_until(finished, timeout, f"the load run {key[:24]}")
    assert run.status == dg.DagsterRunStatus.SUCCESS, run.status


def _payments(warehouse: Path) -> set[str]:
    # Read-only, after the load runs succeeded; retried briefly in case a run worker is still
    # closing its connection.
    deadline = time.monotonic() + 30
    while True:
        try:
            with duckdb.connect(str(warehouse), read_only=True) as conn:
                rows = conn.execute("select payment_number from raw.remittance_payments")
                return {number for (number,) in rows.fetchall()}
        except duckdb.IOException:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def test_an_old_mtime_file_moved_in_after_a_newer_one_is_loaded_by_the_daemon(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "dagster_home"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    env = write_instance(home) | sandbox_environment(
        tmp_path,
        REMITTANCE_INBOX=str(inbox),
        ANALYTICS_DUCKDB_PATH=str(tmp_path / "analytics.duckdb"),
        SENSOR_INTERVAL_SECONDS="5",
        REMITTANCE_STABLE_SECONDS="1",
        **QUIET,
    )
    for name, value in env.items():  # this process reads the same instance
        monkeypatch.setenv(name, value)
    newer = write_vc_payments_csv([_payment("250602ACME1901", "125.00")]).encode()
    older = write_820([_payment("250602ACME1902", "340.50")]).encode()
    with Topology(home, env), dg.DagsterInstance.from_config(str(home)) as instance:
        (inbox / "payments-250602ACME1901.csv").write_bytes(newer)
        _load_succeeded(instance, newer)
        # Delivered later, by a copy that keeps the sender's times (mv, cp -p, rsync -t).
        staged = tmp_path / "sftp" / "remittance-250602ACME1902.820"
        staged.parent.mkdir()
        staged.write_bytes(older)
        two_years_ago = time.time() - 2 * 365 * 86400
        os.utime(staged, (two_years_ago, two_years_ago))
        os.rename(staged, inbox / staged.name)
        _load_succeeded(instance, older)
        assert _payments(Path(env["DUCKDB_PATH"])) == {"250602ACME1901", "250602ACME1902"}
