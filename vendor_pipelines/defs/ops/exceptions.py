"""The exceptions queue as an asset: open exceptions by owner and type, refreshed every run."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from vendor_pipelines.defs.constants import DATA_OWNERS, DUCKDB_POOL
from vendor_pipelines.ops.exceptions import ensure_exceptions_schema


@dg.asset(
    key=["ops", "exceptions"],
    group_name="operations",
    owners=DATA_OWNERS,
    kinds={"duckdb", "sql"},
    pool=DUCKDB_POOL,
    description="Open and resolved exceptions for operations and finance, one row per cause.",
)
def exceptions(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn:
        ensure_exceptions_schema(conn)
        by_type = conn.execute(
            """select t.owner, t.exception_type, t.severity,
                      count(e.exception_id) filter (where e.resolved_at is null) as open,
                      count(e.exception_id) filter (where e.resolved_at is not null) as resolved
               from ops.exception_types t left join ops.exceptions e using (exception_type)
               group by all order by t.owner, open desc, t.exception_type"""
        ).df()
        total = conn.execute("select count(*) from ops.exceptions").fetchone()[0]
    open_by_owner = by_type.groupby("owner")["open"].sum().to_dict()
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": int(total),
            "dagster/table_name": "ops.exceptions",
            "open_operations": int(open_by_owner.get("operations", 0)),
            "open_finance": int(open_by_owner.get("finance", 0)),
            "by_type": dg.MetadataValue.md(by_type.to_markdown(index=False)),
        }
    )
