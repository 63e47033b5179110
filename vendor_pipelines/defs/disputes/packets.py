"""Evidence packets of the disputable cases, written after each settlement build."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from vendor_pipelines.defs.constants import DUCKDB_POOL, FINANCE_OWNERS
from vendor_pipelines.defs.finance.partitions import settlement_days
from vendor_pipelines.defs.metadata import table
from vendor_pipelines.defs.resources import SettingsResource
from vendor_pipelines.disputes.packets import packet_dir, write_new_packets

DISPUTE_PACKETS = dg.AssetKey(["finance", "dispute_packets"])
DISPUTE_CASES = dg.AssetKey(["finance", "dispute_cases"])

# The disputable cases, the closest deadline first, and whether this run wrote their packet.
DISPUTABLE_CASES = """
select case_id, case_class as class, claim_reference, invoice_number as invoice, asin,
       claimed_amount, currency, dispute_deadline, days_left,
       list_contains(?::varchar[], case_id) as packet_written_now
from finance.dispute_cases
where status = 'disputable'
order by dispute_deadline nulls last, case_id
"""


# In group finance and partitioned by settlement day like its siblings: every settlement run
# rebuilds finance.dispute_cases, then a case judged disputable gets its packet the same night.
@dg.asset(
    key=DISPUTE_PACKETS,
    deps=[DISPUTE_CASES],
    partitions_def=settlement_days,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="finance",
    owners=FINANCE_OWNERS,
    kinds={"python", "duckdb", "pdf"},
    pool=DUCKDB_POOL,
    tags={"domain": "disputes"},
    description="Evidence packet (PDF and Vendor Central upload CSV) of each new disputable case.",
)
def dispute_packets(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, settings: SettingsResource
) -> dg.MaterializeResult:
    # Beside the warehouse (data/disputes/), as `vendor-pipelines disputes packet` writes.
    out_dir = packet_dir(settings.read().duckdb_path)
    with duckdb.get_connection() as conn:
        written = write_new_packets(conn, out_dir)
        names = [packet.case_id for packet in written]
        disputable = conn.execute(
            "select count(*) from finance.dispute_cases where status = 'disputable'"
        ).fetchone()[0]
        cases = table(conn, DISPUTABLE_CASES, [names])
    context.log.info(
        f"{len(written)} dispute packets written to {out_dir}; {disputable} cases disputable"
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": int(disputable),
            "packets_written_this_run": len(written),
            "disputable_cases": int(disputable),
            "packet_dir": dg.MetadataValue.path(str(out_dir)),
            "disputable": cases,
        }
    )
