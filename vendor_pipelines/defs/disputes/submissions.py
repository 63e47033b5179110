"""Recording a dispute submitted in Vendor Central from the UI: a job with run config."""

import dagster as dg
from dagster_duckdb import DuckDBResource
from pydantic import Field

from vendor_pipelines.defs.constants import DUCKDB_POOL
from vendor_pipelines.defs.resources import SettingsResource
from vendor_pipelines.defs.scheduling import loop_tags
from vendor_pipelines.disputes.packets import packet_dir, packet_paths
from vendor_pipelines.disputes.submissions import DisputeSubmissionError, record_submitted


class DisputeSubmissionConfig(dg.Config):
    """What finance fills in the launchpad after uploading a case's packet in Vendor Central."""

    case_id: str = Field(description="The case, e.g. SC-INV-1001SC (finance.dispute_cases).")
    submitted_by: str = Field(description="Who uploaded the packet in Vendor Central.")
    note: str | None = Field(default=None, description="e.g. the Vendor Central case number.")


@dg.op(pool=DUCKDB_POOL, description="Records the case as submitted in raw.dispute_submissions.")
def record_submission(
    context: dg.OpExecutionContext,
    config: DisputeSubmissionConfig,
    duckdb: DuckDBResource,
    settings: SettingsResource,
) -> None:
    pdf, _ = packet_paths(packet_dir(settings.read().duckdb_path), config.case_id)
    with duckdb.get_connection() as conn:
        try:
            submission = record_submitted(
                conn,
                config.case_id,
                config.submitted_by,
                packet_file=str(pdf) if pdf.is_file() else None,
                note=config.note,
            )
        except DisputeSubmissionError as exc:
            # A refusal is the answer, not a crash: one line in the run's failure.
            raise dg.Failure(str(exc), allow_retries=False) from None
    context.log.info(
        f"case {submission.case_id} ({submission.claim_reference}) recorded as submitted by "
        f"{submission.submitted_by} at {submission.submitted_at.isoformat()}; its status "
        "follows at the next settlement build"
    )


@dg.job(
    name="record_dispute_submission",
    description="Record that a dispute case was submitted in Vendor Central (starts its clock).",
    tags=loop_tags("finance"),
)
def record_dispute_submission() -> None:
    record_submission()
