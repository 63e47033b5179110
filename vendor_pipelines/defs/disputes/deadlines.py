"""Dispute deadlines: after each settlement build, the cases whose window is closing or closed
become exceptions (`dispute_window_closing`, `dispute_expired`), each an asset check here."""

from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from vendor_pipelines.defs.constants import DUCKDB_POOL, FINANCE_OWNERS
from vendor_pipelines.defs.deployment import DEPLOYMENT
from vendor_pipelines.defs.finance.partitions import settlement_days
from vendor_pipelines.disputes.detections import (
    dispute_deadline_problems,
)
from vendor_pipelines.exceptions.store import (
    loudest_open_severity,
    open_exceptions,
    record_detections,
)
from vendor_pipelines.exceptions.types import exception_type
from vendor_pipelines.finance.dispute_deadlines import ERROR_DAYS, WARN_DAYS

DISPUTE_DEADLINES = dg.AssetKey(["finance", "dispute_deadlines"])
DISPUTE_CASES = dg.AssetKey(["finance", "dispute_cases"])
DEADLINE_TYPES = ("dispute_window_closing", "dispute_expired")
SOURCE = DISPUTE_DEADLINES.to_user_string()


# In group finance and partitioned by settlement day like its siblings: every settlement run
# (nightly, after each remittance load, the held-payment retries) rebuilds finance.dispute_cases
# and then this, so a deadline is re-judged at least once a day, as the calendar moves.
@dg.asset(
    key=DISPUTE_DEADLINES,
    deps=[DISPUTE_CASES],
    partitions_def=settlement_days,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="finance",
    owners=FINANCE_OWNERS,
    kinds={"duckdb", "sql"},
    pool=DUCKDB_POOL,
    tags={"domain": "disputes"},
    description="Dispute cases whose window closes within 7 days, or closed undisputed.",
)
def dispute_deadlines(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    # Deadlines are calendar days in the finance timezone, counted from the day this runs.
    today = datetime.now(ZoneInfo(DEPLOYMENT.finance_timezone)).date()
    query, params = dispute_deadline_problems(today)
    with duckdb.get_connection() as conn:
        summary = record_detections(conn, SOURCE, query=query, params=params)
        by_severity = conn.execute(
            """select exception_type, severity, count(*) as open_exceptions
               from ops.open_exceptions where source = ? group by all order by all""",
            [SOURCE],
        ).df()
        cases = conn.execute("select count(*) from finance.dispute_cases").fetchone()[0]
    counts = {(kind, severity): int(n) for kind, severity, n in by_severity.itertuples(index=False)}
    context.log.info(
        f"dispute deadlines as of {today}: {summary.still_open} open "
        f"({summary.opened} new, {summary.resolved} resolved) over {cases} cases"
    )
    return dg.MaterializeResult(
        metadata={
            "as_of": today.isoformat(),
            "dispute_cases": int(cases),
            f"closing_within_{ERROR_DAYS}_days": counts.get(("dispute_window_closing", "error"), 0),
            f"closing_within_{WARN_DAYS}_days": sum(
                n for (kind, _), n in counts.items() if kind == "dispute_window_closing"
            ),
            "expired": counts.get(("dispute_expired", "error"), 0),
            "resolved_this_run": summary.resolved,
            "by_type": dg.MetadataValue.md(
                by_severity.to_markdown(index=False) if len(by_severity) else "none"
            ),
        }
    )


# Not `exception_checks`: its colour is the type's, and a closing window is a warning a week
# ahead but red in its last days. Each check takes the loudest open exception's severity.
@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            name=name, asset=DISPUTE_DEADLINES, description=exception_type(name).description
        )
        for name in DEADLINE_TYPES
    ],
    name="finance_dispute_deadlines_exceptions",
    pool=DUCKDB_POOL,
    can_subset=False,
)
def dispute_deadline_checks(duckdb: DuckDBResource):
    with duckdb.get_connection() as conn:
        for name in DEADLINE_TYPES:
            count, rows = open_exceptions(conn, name)
            loudest = loudest_open_severity(conn, name) or exception_type(name).severity
            yield dg.AssetCheckResult(
                asset_key=DISPUTE_DEADLINES,
                check_name=name,
                passed=count == 0,
                severity=dg.AssetCheckSeverity.ERROR
                if loudest == "error"
                else dg.AssetCheckSeverity.WARN,
                metadata={
                    "open_exceptions": count,
                    "owner": exception_type(name).owner,
                    "offending_rows": dg.MetadataValue.md(
                        pd.DataFrame(rows).to_markdown(index=False) if rows else "none"
                    ),
                },
            )
