"""A seeded month of invoices in the NetSuite sandbox and its remittance files in the inbox."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from sandbox_flow import SandboxFlow, environment, sandbox_environment

from vendor_pipelines.connections import netsuite_client, sandbox_for
from vendor_pipelines.defs.finance.partitions import settlement_days
from vendor_pipelines.sandbox.netsuite.seed import customer_id_for
from vendor_pipelines.sandbox.remittance_month import (
    SeededMonth,
    generate_seeded_month,
    insert_netsuite_rows,
)
from vendor_pipelines.settings import load_settings

# The second of two payments carries an unknown deduction code and is paid 250.00 short with no
# deduction line: both must block its posting, not the first payment's.
VARIANCE = Decimal("250.00")


@dataclass
class SettlementFlow(SandboxFlow):
    month: SeededMonth
    inbox: Path

    def run(self, selection: dg.AssetSelection, partition_key: str | None = None):
        return self.run_selection(
            selection, settlement_days if partition_key else None, partition_key
        )


def _create_netsuite_invoices(month: SeededMonth, world, settings) -> dict[str, str]:
    """One real invoice in the NetSuite sandbox per seeded invoice, for the same amount."""
    item = world.items[0]
    ids = {}
    with netsuite_client(None, settings) as client:
        for invoice in month.invoices:
            ids[month.invoice_id(invoice.invoice_number)] = client.create(
                "invoice",
                {
                    "externalId": f"AMZ-{invoice.invoice_number}",
                    "tranId": invoice.invoice_number,
                    "entity": {"id": month.customer_id},
                    "tranDate": invoice.invoice_date.isoformat(),
                    "item": {
                        "items": [
                            {
                                "item": {"id": str(item.netsuite_internal_id)},
                                "quantity": 1,
                                "rate": float(invoice.amount),
                            }
                        ]
                    },
                },
            )
    return ids


@pytest.fixture(scope="module")
def settlement_flow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SettlementFlow]:
    root = tmp_path_factory.mktemp("settlement")
    env = sandbox_environment(
        root,
        REMITTANCE_INBOX=str(root / "inbox"),
        ANALYTICS_DUCKDB_PATH=str(root / "analytics.duckdb"),
    )
    with environment(env):
        from vendor_pipelines.definitions import defs

        settings = load_settings()
        sandbox = sandbox_for(settings)
        vendor = sandbox.world.vendors[0].vendor_code
        month = generate_seeded_month(
            seed=7,
            year=2026,
            month=3,
            payments=2,
            vendor_code=vendor,
            customer_id=str(customer_id_for(sandbox.world, vendor)),
            unexplained_variance=VARIANCE,
            unknown_code=True,
        )
        netsuite_ids = _create_netsuite_invoices(month, sandbox.world, settings)
        with duckdb.connect(env["DUCKDB_PATH"]) as conn:
            insert_netsuite_rows(conn, month)
            for seeded, real in netsuite_ids.items():
                conn.execute(
                    "update raw.netsuite_invoices set invoice_id = ? where invoice_id = ?",
                    [real, seeded],
                )
                conn.execute(
                    "update raw.netsuite_invoice_lines set invoice_id = ? where invoice_id = ?",
                    [real, seeded],
                )
        inbox = root / "inbox"
        inbox.mkdir()
        for name, content in month.files:
            (inbox / name).write_bytes(content)
        yield SettlementFlow(root, defs(), sandbox, month, inbox)
