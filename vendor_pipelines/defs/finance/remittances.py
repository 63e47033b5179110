"""Remittance files: the inbox sensor and the all-or-nothing load into the warehouse."""

import json
from pathlib import Path

import dagster as dg
import pandera.errors
from dagster_duckdb import DuckDBResource

from vendor_pipelines.defs.constants import DUCKDB_POOL, FINANCE_OWNERS
from vendor_pipelines.defs.ops.checks import exception_checks
from vendor_pipelines.finance.load import load_remittance_file
from vendor_pipelines.finance.schemas import REMITTANCE_LINE_SCHEMA
from vendor_pipelines.ops.exceptions import record_detections
from vendor_pipelines.settings import load_settings
from vendor_pipelines.settlement.inbox import inbox_files

PAYMENTS = dg.AssetKey(["raw", "remittance_payments"])
LINES = dg.AssetKey(["raw", "remittance_lines"])

QUARANTINED_FILES = """
select 'remittance_file_rejected' as exception_type, file_hash as entity_key,
       null as vendor_code, null as purchase_order_number, null as asin, null as sku,
       file_name as reference,
       'line ' || coalesce(error_line::varchar, '?') || ', segment '
       || coalesce(error_segment, '?') || ', field ' || coalesce(error_field, '?') || ': '
       || reason as detail
from raw.remittance_quarantine
"""


class RemittanceLoadConfig(dg.Config):
    """Files to load; empty means every file in the inbox (already-loaded ones are no-ops)."""

    paths: list[str] = []


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            PAYMENTS,
            group_name="finance",
            owners=FINANCE_OWNERS,
            kinds={"python", "duckdb"},
            description="Amazon payments from remittance files (EDI 820, Vendor Central CSV).",
        ),
        dg.AssetSpec(
            LINES,
            group_name="finance",
            owners=FINANCE_OWNERS,
            kinds={"python", "duckdb"},
            description="Remittance lines: invoices paid, deductions and adjustments, signed.",
        ),
    ],
    name="remittance_files",
    pool=DUCKDB_POOL,
    check_specs=[
        dg.AssetCheckSpec(
            "remittance_line_schema",
            asset=LINES,
            description="Remittance lines match the pandera schema (types, signs, keys).",
        )
    ],
)
def remittance_files(
    context: dg.AssetExecutionContext, config: RemittanceLoadConfig, duckdb: DuckDBResource
):  # a generator of materializations and the schema check
    settings = load_settings()
    paths = [Path(p) for p in config.paths] or [
        f.path for f in inbox_files(settings.remittance_inbox)
    ]
    with duckdb.get_connection() as conn:
        results = [load_remittance_file(conn, path) for path in paths]
        record_detections(conn, "raw/remittance_files", query=QUARANTINED_FILES)
        hashes = [r.file_hash for r in results if r.status == "loaded"]
        loaded_lines = conn.execute(
            "select * from raw.remittance_lines where file_hash in (select unnest(?::varchar[]))",
            [hashes],
        ).df()
        totals = conn.execute(
            """select (select count(*) from raw.remittance_payments),
                      (select count(*) from raw.remittance_lines)"""
        ).fetchone()
    summary = [
        {
            "file": r.file_name,
            "status": r.status,
            "payments": r.payments,
            "lines": r.lines,
            "reason": r.reason or "",
        }
        for r in results
    ]
    for r in results:
        if r.status == "quarantined":
            context.log.warning(f"quarantined {r.file_name}: {r.reason}")
    files_md = dg.MetadataValue.md(
        "\n".join(f"- {s['file']}: {s['status']} {s['reason']}" for s in summary) or "no files"
    )
    yield dg.MaterializeResult(
        asset_key=PAYMENTS,
        metadata={"dagster/row_count": int(totals[0]), "files": files_md},
    )
    yield dg.MaterializeResult(
        asset_key=LINES,
        metadata={
            "dagster/row_count": int(totals[1]),
            "loaded_this_run": json.dumps({r.file_name: r.status for r in results}),
        },
    )
    try:
        REMITTANCE_LINE_SCHEMA.validate(loaded_lines, lazy=True)
        yield dg.AssetCheckResult(
            check_name="remittance_line_schema",
            asset_key=LINES,
            passed=True,
            metadata={"lines_checked": len(loaded_lines)},
        )
    except pandera.errors.SchemaErrors as errors:
        yield dg.AssetCheckResult(
            check_name="remittance_line_schema",
            asset_key=LINES,
            passed=False,
            metadata={
                "failure_cases": dg.MetadataValue.md(
                    errors.failure_cases.head(20).to_markdown(index=False)
                )
            },
        )


remittance_file_checks = exception_checks(PAYMENTS.path, ["remittance_file_rejected"])

remittance_load_job = dg.define_asset_job(
    "remittance_load",
    selection=dg.AssetSelection.assets(PAYMENTS, LINES),
    description="Load remittance files from the inbox (each file once, whole or not at all).",
)


@dg.sensor(
    job=remittance_load_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="A new file in REMITTANCE_INBOX starts a load; run key = the file's sha256.",
)
def remittance_inbox_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    inbox = load_settings().remittance_inbox
    since = float(context.cursor) if context.cursor else 0.0
    files = inbox_files(inbox, modified_after=since)
    if not files:
        return dg.SensorResult(skip_reason=f"no new remittance file in {inbox}")
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                # The content hash, not the name: the same file twice is one run, ever.
                run_key=f"remittance:{f.content_hash}",
                run_config=dg.RunConfig(
                    ops={"remittance_files": RemittanceLoadConfig(paths=[str(f.path)])}
                ),
                tags={"remittance_file": f.path.name},
            )
            for f in files
        ],
        cursor=str(max(f.modified for f in files)),
    )
