"""How the daemon runs the graph by itself: schedules that never pile up, run priorities.

Every loop is a job on a schedule (Amazon and NetSuite have no push, so each loop polls), and
production is many small runs behind one DuckDB writer. Two rules keep the queue healthy:

* a schedule tick is skipped while a run of the same job is still waiting to start (queued):
  that run will see everything the skipped tick would have seen, so a slow queue never grows a
  backlog of identical runs (a run that has already started does not count: it may have read
  its inputs before the new data arrived);
* runs carry a priority (`dagster/priority`, highest first in the run queue and for pool slots)
  and a `loop` tag the instance limits (dagster.yaml `tag_concurrency_limits`): the order loop
  first, then shipments and invoices, then everything else.
"""

from __future__ import annotations

import dagster as dg

# Run statuses of a run that has not started working yet.
WAITING_STATUSES = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
]

# Priorities by loop: acknowledgements have a 24-hour deadline; ASNs and invoices follow
# shipments; settlement, catalogue and housekeeping can wait for them.
PRIORITY = {"orders": 10, "fulfilment": 5, "catalogue": 0, "finance": 0, "housekeeping": -5}


def loop_tags(loop: str) -> dict[str, str]:
    return {"loop": loop, "dagster/priority": str(PRIORITY[loop])}


def waiting_run_ids(instance: dg.DagsterInstance, job_name: str) -> list[str]:
    records = instance.get_run_records(
        filters=dg.RunsFilter(job_name=job_name, statuses=WAITING_STATUSES), limit=5
    )
    return [r.dagster_run.run_id for r in records]


def coalescing_schedule(
    name: str,
    job: dg.UnresolvedAssetJobDefinition,
    cron_schedule: str,
    timezone: str,
    description: str,
) -> dg.ScheduleDefinition:
    """A running-by-default schedule of `job` that skips its tick while a run still waits."""

    @dg.schedule(
        name=name,
        job=job,
        cron_schedule=cron_schedule,
        execution_timezone=timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=description,
    )
    def _schedule(context: dg.ScheduleEvaluationContext):
        waiting = waiting_run_ids(context.instance, job.name)
        if waiting:
            return dg.SkipReason(f"run {waiting[0]} of {job.name} has not started yet")
        return dg.RunRequest()

    return _schedule
