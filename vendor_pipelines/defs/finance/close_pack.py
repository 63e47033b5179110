"""The month-end close pack as a monthly partitioned asset (the workbook is built by
`vendor_pipelines.finance.close_pack`, as for `vendor-pipelines close`)."""

from decimal import Decimal
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from vendor_pipelines.defs.constants import DUCKDB_POOL, FINANCE_OWNERS
from vendor_pipelines.defs.deployment import DEPLOYMENT
from vendor_pipelines.defs.finance.posting import POSTINGS
from vendor_pipelines.defs.finance.remittances import markdown_text
from vendor_pipelines.finance.close_pack import ClosePack, build_close_pack

CLOSE_PACK = dg.AssetKey(["finance", "close_pack"])

# Settlement months: the settlement days' timezone, complete months only (a month is packed once
# it has ended; `vendor-pipelines close` writes a month to date).
close_months = dg.MonthlyPartitionsDefinition(
    start_date="2026-01-01", timezone=DEPLOYMENT.finance_timezone
)

# The last complete month is packed again whenever one of its settlement days is settled again
# (the nightly run of its last day, late remittance files, a held payment posted later), once that
# run is over. No schedule: the month's last nightly settlement, on the 1st, is what starts it.
CLOSE_PACK_AUTOMATION = (
    dg.AutomationCondition.in_latest_time_window()
    & dg.AutomationCondition.any_deps_updated().since_last_handled()
    & ~dg.AutomationCondition.any_deps_in_progress()
    & ~dg.AutomationCondition.in_progress()
).with_label("after each settlement of the last complete month")


@dg.asset(
    key=CLOSE_PACK,
    deps=[
        ["finance", "settlement_reconciliation"],
        ["finance", "cash_application"],
        ["finance", "gl_postings"],
        ["finance", "int_settlement_charges"],
        ["finance", "open_deductions"],
        # The disputes sheets render these models as of the month end.
        ["finance", "dispute_cases"],
        ["finance", "dispute_recovery"],
        ["finance", "dispute_root_causes"],
        ["finance_config", "deduction_gl_mapping"],
        POSTINGS,  # the clearing roll-forward counts what NetSuite accepted
    ],
    partitions_def=close_months,
    group_name="finance",
    owners=FINANCE_OWNERS,
    kinds={"python", "duckdb", "excel"},
    pool=DUCKDB_POOL,
    automation_condition=CLOSE_PACK_AUTOMATION,
    description="Month-end close pack: Excel workbook with charts and disputes, one CSV per sheet.",
)
def close_pack(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
    month = context.partition_time_window.start.date()
    # Beside the warehouse, as `vendor-pipelines close` writes by default: data/close/.
    out_dir = Path(duckdb.database).parent / "close"
    with duckdb.get_connection() as conn:
        pack = build_close_pack(conn, month, out_dir)
    context.log.info(f"close pack {month:%Y-%m}: {pack.workbook} ({pack.row_counts})")
    return dg.MaterializeResult(metadata=close_pack_metadata(pack))


def _money_table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def close_pack_metadata(pack: ClosePack) -> dict[str, dg.MetadataValue]:
    """The charts' three series as tables, totals per currency as numbers (plotted over the
    partitions by the UI), row counts per sheet and where the files are."""
    data = pack.data
    currencies = list(data.currencies)

    def amounts(values: dict[str, Decimal]) -> list[str]:
        return [f"{values.get(c, Decimal(0)):,.2f}" for c in currencies]

    metadata: dict[str, dg.MetadataValue] = {
        "deduction_mix": dg.MetadataValue.md(
            _money_table(
                ["class", "GL account", *currencies],
                [
                    [markdown_text(cls), markdown_text(account), *amounts(values)]
                    for cls, account, values in data.deduction_mix
                ],
            )
        ),
        "unexplained_variance_by_day": dg.MetadataValue.md(
            _money_table(
                ["settlement day", *currencies],
                [[day.isoformat(), *amounts(values)] for day, values in data.variance_by_day],
            )
        ),
        "open_deductions_by_aging_bucket": dg.MetadataValue.md(
            _money_table(
                ["aging bucket", "open claims", *currencies],
                [
                    [markdown_text(bucket), str(count), *amounts(values)]
                    for bucket, count, values in data.aging
                ],
            )
        ),
    }
    disputes = next((sheet for sheet in data.sheets if sheet.slug == "disputes"), None)
    if disputes is not None:
        col = {name: i for i, name in enumerate(disputes.columns)}
        # The cases finance must act on first: deadline alerts at month end, fewest days left.
        urgent = [row for row in disputes.rows if row[col["deadline_alert"]]][:20]
        metadata["dispute_deadlines_at_month_end"] = dg.MetadataValue.md(
            _money_table(
                ["case", "status", "alert", "days left", "deadline", "open"],
                [
                    [
                        markdown_text(row[col["case_id"]]),
                        markdown_text(row[col["status"]]),
                        markdown_text(row[col["deadline_alert"]]),
                        str(row[col["days_left"]]),
                        str(row[col["dispute_deadline"]]),
                        f"{row[col['currency']] or ''} {row[col['open_amount']] or 0:,.2f}".strip(),
                    ]
                    for row in urgent
                ],
            )
            if urgent
            else "none"
        )
    for measure, by_currency in data.totals.items():
        for currency, amount in sorted(by_currency.items()):
            metadata[f"{measure}_{currency.lower()}"] = dg.MetadataValue.float(float(amount))
    metadata.update({name: dg.MetadataValue.int(count) for name, count in data.counts.items()})
    metadata.update(
        {f"rows_{slug}": dg.MetadataValue.int(count) for slug, count in pack.row_counts.items()}
    )
    metadata["workbook"] = dg.MetadataValue.path(str(pack.workbook))
    metadata["csv_files"] = dg.MetadataValue.json(
        {slug: str(path) for slug, path in pack.csv_files.items()}
    )
    return metadata
