"""Settlement flows against the embedded sandbox: invoices really in the NetSuite sandbox, their
remittance files in the inbox, in-process runs of the real assets.

`settlement_flow`: a seeded month, one payment a week, the last one faulty.
`held_payment_flow`: one settlement day of four payments, two of them held for different causes,
run on its own copy of dbt_finance so that finance can change the seeds between runs.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from sandbox_flow import SandboxFlow, environment, sandbox_environment

from vendor_pipelines.connections import netsuite_client, sandbox_for
from vendor_pipelines.dbt_project import DBT_PROJECT_DIR, dbt_executable
from vendor_pipelines.defs.finance.partitions import settlement_days
from vendor_pipelines.defs.resources import WarehouseDbtCliResource
from vendor_pipelines.settings import load_settings
from vendor_sandbox.netsuite.seed import customer_id_for
from vendor_sandbox.remittance_files import SandboxPayment, settlement_for_invoices
from vendor_sandbox.remittance_month import (
    SeededMonth,
    generate_seeded_month,
    insert_netsuite_rows,
)
from vendor_sandbox.remittance_writers import write_820, write_vc_payments_csv

REMITTANCES = dg.AssetSelection.assets(["raw", "remittance_payments"], ["raw", "remittance_lines"])
# The nightly settlement job's assets, without Amazon's vendor reports (not needed here).
SETTLEMENT = (
    dg.AssetSelection.groups("finance")
    - REMITTANCES
    - dg.AssetSelection.assets(
        ["raw", "amazon_vendor_sales_report"], ["raw", "amazon_net_ppm_report"]
    )
    # monthly, not a settlement day's: packed from the settled days
    - dg.AssetSelection.assets(["finance", "close_pack"])
)

# The second of two payments carries an unknown deduction code and is paid 250.00 short with no
# deduction line: both must block its posting, not the first payment's.
VARIANCE = Decimal("250.00")


class SettlementRuns(SandboxFlow):
    def load_remittances(self) -> dg.ExecuteInProcessResult:
        return self.run_selection(REMITTANCES)

    def settle(self, day: date) -> dg.ExecuteInProcessResult:
        """The nightly settlement run of one settlement day."""
        return self.run_selection(SETTLEMENT, settlement_days, day.isoformat())


@dataclass
class SettlementFlow(SettlementRuns):
    month: SeededMonth
    inbox: Path


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


def bill_in_netsuite(month: SeededMonth, world, settings, warehouse: Path | str) -> None:
    """Create the month's invoices in the NetSuite sandbox and land them in the warehouse under
    their real internal ids and with NetSuite's due dates (the customer's terms), as the invoice
    sync would."""
    netsuite_ids = _create_netsuite_invoices(month, world, settings)
    with netsuite_client(None, settings) as client:
        due = {
            row["id"]: row.get("duedate")
            for row in client.suiteql("SELECT id, duedate FROM transaction WHERE type = 'CustInvc'")
        }
    with duckdb.connect(str(warehouse)) as conn:
        insert_netsuite_rows(conn, month)
        for seeded, real in netsuite_ids.items():
            conn.execute(
                "update raw.netsuite_invoices set invoice_id = ?, due_date = ?"
                " where invoice_id = ?",
                [real, due[real], seeded],
            )
            conn.execute(
                "update raw.netsuite_invoice_lines set invoice_id = ? where invoice_id = ?",
                [real, seeded],
            )


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
        bill_in_netsuite(month, sandbox.world, settings, env["DUCKDB_PATH"])
        inbox = root / "inbox"
        inbox.mkdir()
        for name, content in month.files:
            (inbox / name).write_bytes(content)
        yield SettlementFlow(root, defs(), sandbox, month, inbox)


# One settlement day, four payments: two clean, one carrying a deduction code no rule knows,
# one from a vendor code NetSuite has no customer for (none of its invoices is in NetSuite yet).
HELD_DAY = date(2026, 2, 28)
NEW_VENDOR_CODE = "NEWVC"
# What finance adds to the rules seed once it has looked at the unknown code (ZX<4 digits>; the
# 820 carries no description): an operational chargeback, GL 6200.
UNKNOWN_CODE_RULE = (
    "misc_adjustment_zx,86,^ZX[0-9]{4}$,,,,CHARGEBACK,ZX miscellaneous adjustment: chargeback\n"
)


@dataclass
class SameDaySettlement:
    settlement_date: date
    clean: list[SandboxPayment]
    unmapped: SandboxPayment  # deduction code without a rule, so without a GL account
    orphan: SandboxPayment  # vendor code without a NetSuite customer
    billed: SeededMonth  # invoices in NetSuite from the start (clean and unmapped payments)
    unbilled: SeededMonth  # the orphan's invoices, billed once NetSuite has its customer
    files: list[tuple[str, bytes]]

    @property
    def payments(self) -> list[SandboxPayment]:
        return [*self.clean, self.unmapped, self.orphan]


def same_day_settlement(vendor_code: str, customer_id: str) -> SameDaySettlement:
    seed = 5
    month = generate_seeded_month(
        seed=seed,
        year=HELD_DAY.year,
        month=HELD_DAY.month,
        payments=4,
        invoices_per_payment=3,
        vendor_code=vendor_code,
        customer_id=customer_id,
    )
    # Only the month's items and invoices are kept; Amazon pays them all on one day.
    chunks = [month.invoices[start : start + 3] for start in range(0, 12, 3)]

    def pay(number: int, invoices, **faults) -> SandboxPayment:
        return settlement_for_invoices(
            invoices,
            payment_number=f"{seed:02d}{HELD_DAY:%y%m%d}{number:02d}",
            payment_date=HELD_DAY,
            seed=seed,
            **faults,
        )

    clean = [pay(1, chunks[0]), pay(2, chunks[1], earlier_invoice=chunks[0][0])]
    unmapped = pay(3, chunks[2], unknown_code=True)
    new_vendor_invoices = [replace(i, vendor_code=NEW_VENDOR_CODE) for i in chunks[3]]
    orphan = pay(4, new_vendor_invoices)
    billed = SeededMonth(
        vendor_code, customer_id, month.items, [*chunks[0], *chunks[1], *chunks[2]], []
    )
    unbilled = SeededMonth(NEW_VENDOR_CODE, "", month.items, new_vendor_invoices, [])
    files = [
        (f"remittance_{clean[0].payment_number}.820", write_820([clean[0]], control_number=1)),
        (f"vc_payments_{clean[1].payment_number}.csv", write_vc_payments_csv([clean[1]])),
        (f"remittance_{unmapped.payment_number}.820", write_820([unmapped], control_number=3)),
        # 820: the payee vendor code travels in N1*PE (the VC export has none).
        (f"remittance_{orphan.payment_number}.820", write_820([orphan], control_number=4)),
    ]
    return SameDaySettlement(
        HELD_DAY, clean, unmapped, orphan, billed, unbilled, [(n, c.encode()) for n, c in files]
    )


def with_dbt_project(definitions: dg.Definitions, project: Path) -> dg.Definitions:
    """The same deployment, with dbt run from `project` (its own seeds)."""
    dbt = WarehouseDbtCliResource(
        project_dir=str(project), profiles_dir=str(project), dbt_executable=dbt_executable()
    )
    return dg.Definitions(
        assets=definitions.assets,
        asset_checks=definitions.asset_checks,
        resources={**(definitions.resources or {}), "dbt": dbt},
        executor=definitions.executor,
    )


@dataclass
class HeldPaymentFlow(SettlementRuns):
    day: SameDaySettlement
    dbt_project: Path

    def map_unknown_code(self) -> None:
        """Finance classifies the unknown deduction code in its seed (next deployment's seeds)."""
        with (self.dbt_project / "seeds" / "deduction_rules.csv").open("a") as seed:
            seed.write(UNKNOWN_CODE_RULE)

    def create_new_vendor_customer(self) -> str:
        """NetSuite gains the customer of the new vendor code, and its invoices are billed."""
        settings = load_settings()
        with netsuite_client(None, settings) as client:
            customer_id = client.create(
                "customer",
                {
                    "externalId": f"AMZ-VENDOR-{NEW_VENDOR_CODE}",
                    "entityId": f"Amazon {NEW_VENDOR_CODE}",
                    "companyName": f"Amazon.com ({NEW_VENDOR_CODE})",
                    "custentity_amazon_vendor_code": NEW_VENDOR_CODE,
                    "currency": {"id": "1"},
                },
            )
        self.day.unbilled.customer_id = str(customer_id)
        bill_in_netsuite(self.day.unbilled, self.sandbox.world, settings, self.warehouse)
        return str(customer_id)


@pytest.fixture(scope="module")
def held_payment_flow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeldPaymentFlow]:
    root = tmp_path_factory.mktemp("held_payment")
    env = sandbox_environment(
        root,
        REMITTANCE_INBOX=str(root / "inbox"),
        ANALYTICS_DUCKDB_PATH=str(root / "analytics.duckdb"),
    )
    project = root / "dbt_finance"
    shutil.copytree(
        DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    with environment(env):
        from vendor_pipelines.definitions import defs

        settings = load_settings()
        sandbox = sandbox_for(settings)
        vendor = sandbox.world.vendors[0].vendor_code
        day = same_day_settlement(vendor, str(customer_id_for(sandbox.world, vendor)))
        bill_in_netsuite(day.billed, sandbox.world, settings, env["DUCKDB_PATH"])
        inbox = root / "inbox"
        inbox.mkdir()
        for name, content in day.files:
            (inbox / name).write_bytes(content)
        yield HeldPaymentFlow(root, with_dbt_project(defs(), project), sandbox, day, project)
