"""What the daemon does by itself with the real definitions, on a persistent instance.

The production topology (code server, webserver, daemon) runs the project's own code location
against the embedded sandbox, with cadences tightened through the settings a deployment uses.
Nothing here launches a run: the test only plays the outside world (a remittance file lands
days late; an address is past retention) and waits for the daemon's schedules and sensors.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from cryptography.fernet import Fernet
from sandbox_flow import wait_until

from vendor_pipelines import warehouse_schema
from vendor_pipelines.deployment.topology import Topology, write_instance
from vendor_sandbox.remittance_files import (
    SandboxInvoice,
    SandboxInvoiceLine,
    settlement_for_invoices,
)
from vendor_sandbox.remittance_writers import write_820

pytestmark = pytest.mark.slow


def _late_payment_file(inbox: Path, payment_date) -> str:
    invoices = [
        SandboxInvoice(
            invoice_number=f"LATE-INV-{n}",
            po_number=f"LATEPO0{n}",
            vendor_code="LATEV",
            invoice_date=payment_date - timedelta(days=30),
            lines=(SandboxInvoiceLine("B0LATE0001", "SKU-LATE", 4, Decimal("12.50")),),
        )
        for n in (1, 2)
    ]
    number = f"{payment_date:%y%m%d}LATE000"
    payment = settlement_for_invoices(invoices, payment_number=number, payment_date=payment_date)
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / f"remittance-{number}.820").write_text(write_820([payment], control_number=9))
    return number


def _runs(instance: dg.DagsterInstance, job: str) -> list[dg.DagsterRun]:
    return [
        r.dagster_run
        for r in instance.get_run_records(filters=dg.RunsFilter(job_name=job), limit=50)
    ]


def test_a_late_file_rebuilds_its_day_and_expired_addresses_are_purged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "dagster_home"
    warehouse = tmp_path / "warehouse.duckdb"
    env = write_instance(home) | {
        "DUCKDB_PATH": str(warehouse),
        "ANALYTICS_DUCKDB_PATH": str(tmp_path / "analytics.duckdb"),
        "SANDBOX_STATE_DIR": str(tmp_path / "sandbox"),
        "SANDBOX_SCALE": "tiny",
        "REMITTANCE_INBOX": str(tmp_path / "inbox"),
        "PII_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "PII_PURGE_CRON": "* * * * *",
        "SENSOR_INTERVAL_SECONDS": "5",
        # The order and fulfilment loops stay out of the way of this test.
        "ORDER_SYNC_CRON": "0 0 1 1 *",
        "FULFILMENT_SYNC_CRON": "0 0 1 1 *",
        "CATALOGUE_CRON": "0 0 1 1 *",
        "DF_INVENTORY_CRON": "0 0 1 1 *",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # A DF address captured 40 days ago, for an order that never shipped: past retention.
    with duckdb.connect(str(warehouse)) as conn:
        warehouse_schema.apply(conn)
        captured = datetime.now(UTC) - timedelta(days=40)
        conn.execute(
            "insert into raw.df_ship_to_addresses values (?, ?, ?, ?, ?, ?, ?, ?)",
            ["OLDDFPO1", b"sealed", "Austin", "TX", "78701", "US", captured, captured],
        )
    # A payment of three days ago arrives today, long after that day's nightly settlement.
    late_day = (datetime.now(UTC) - timedelta(days=3)).date()
    number = _late_payment_file(tmp_path / "inbox", late_day)
    with Topology(home, env), dg.DagsterInstance.from_config(str(home)) as instance:
        settled = wait_until(
            lambda: [
                run
                for run in _runs(instance, "nightly_settlement")
                if run.tags.get("dagster/partition") == str(late_day)
                and run.status in (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE)
            ],
            240,
            f"a settlement run of {late_day}",
        )
        purged = wait_until(
            lambda: [
                run
                for run in _runs(instance, "pii_purge")
                if run.status == dg.DagsterRunStatus.SUCCESS
            ],
            150,
            "a PII purge run",
        )
        (load,) = [r for r in _runs(instance, "remittance_load")]
        assert load.tags.get("dagster/sensor_name") == "remittance_inbox_sensor"
        assert settled[0].tags.get("dagster/sensor_name") == "settle_loaded_days"
        assert settled[0].status == dg.DagsterRunStatus.SUCCESS
        assert purged[0].tags.get("dagster/schedule_name") == "pii_purge_schedule"
        # The schedule fires every minute: by now later purges may have run and found nothing
        # left. Across all of them, the one expired address was purged exactly once.
        purges = instance.fetch_materializations(
            dg.AssetKey(["orders", "df_address_purge"]), limit=100
        ).records
        purged_counts = [
            record.asset_materialization.metadata["purged_this_run"].value for record in purges
        ]
        assert sorted(purged_counts, reverse=True)[:1] == [1] and sum(purged_counts) == 1
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        assert conn.execute(
            "select settlement_date from raw.remittance_payments where payment_number = ?",
            [number],
        ).fetchone() == (late_day,)
        assert conn.execute("select count(*) from raw.df_ship_to_addresses").fetchone() == (0,)
