"""Settlement under the daemon: every settlement day rebuilt when its cash arrives, and nightly.

The nightly run settles yesterday (finance timezone) with whatever arrived. Amazon's remittance
files do not wait for it: a file can land days after its payment date. Each load records the
settlement days of the payments it loaded (`settlement_days_loaded` on raw/remittance_payments),
and `settle_loaded_days` requests one settlement run per such day, so late cash is classified,
applied, reconciled and posted without a backfill by hand.
"""

import json
import time

import dagster as dg

from vendor_pipelines.defs.deployment import DEPLOYMENT
from vendor_pipelines.defs.finance.close_pack import CLOSE_PACK
from vendor_pipelines.defs.finance.partitions import settlement_days
from vendor_pipelines.defs.finance.remittances import PAYMENTS, SETTLEMENT_DAYS_METADATA
from vendor_pipelines.defs.scheduling import loop_tags

settlement_job = dg.define_asset_job(
    "nightly_settlement",
    # The close pack is monthly: it follows the settlement by automation (close_pack_automation).
    selection=dg.AssetSelection.groups("finance")
    - dg.AssetSelection.assets(["raw", "remittance_payments"], ["raw", "remittance_lines"])
    - dg.AssetSelection.assets(CLOSE_PACK),
    partitions_def=settlement_days,
    description="Classify, apply, reconcile and post one settlement day; publish the marts.",
    tags=loop_tags("finance"),
)

# In the partitions' (finance) timezone, at SETTLEMENT_TIME (default 02:30).
_hour, _minute = (int(part) for part in DEPLOYMENT.settlement_time.split(":"))
nightly_settlement_schedule = dg.build_schedule_from_partitioned_job(
    settlement_job,
    hour_of_day=_hour,
    minute_of_hour=_minute,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

# The month-end close pack (finance/close_pack, monthly): its automation condition requests the
# last complete month after each settlement run of one of its days. The default automation
# sensor starts stopped; this one runs by default, in the finance loop like the settlement.
close_pack_automation = dg.AutomationConditionSensorDefinition(
    "close_pack_automation",
    target=dg.AssetSelection.assets(CLOSE_PACK),
    default_status=dg.DefaultSensorStatus.RUNNING,
    run_tags=loop_tags("finance"),
    minimum_interval_seconds=DEPLOYMENT.sensor_interval_seconds,
    description="Packs the last complete month again after each settlement of one of its days.",
)


def days_in(event: dg.EventLogEntry, name: str) -> list[str]:
    """The settlement days a materialization lists under metadata `name` (sensors read no DB)."""
    materialization = event.asset_materialization
    entry = materialization.metadata.get(name) if materialization else None
    return list(entry.value) if entry is not None else []


@dg.sensor(
    job=settlement_job,
    minimum_interval_seconds=DEPLOYMENT.sensor_interval_seconds,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="After each remittance load, one settlement run per settlement day it touched.",
)
def settle_loaded_days(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    after = int(context.cursor) if context.cursor else None
    records = context.instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=PAYMENTS, after_storage_id=after), limit=100, ascending=True
    ).records
    if not records:
        return dg.SensorResult(skip_reason="no remittance load since the last tick")
    known = set(settlement_days.get_partition_keys())
    requests, ignored = {}, set()
    for record in records:
        for day in days_in(record.event_log_entry, SETTLEMENT_DAYS_METADATA):
            if day in known:
                # One run per day and load: a day re-settles when more of its cash arrives.
                requests[day] = dg.RunRequest(
                    run_key=f"settle:{day}:{record.storage_id}",
                    partition_key=day,
                    tags={"settlement_trigger": "remittance_load"},
                )
            else:
                ignored.add(day)
    if ignored:
        context.log.warning(f"payments dated outside the settlement days: {sorted(ignored)}")
    return dg.SensorResult(run_requests=list(requests.values()), cursor=str(records[-1].storage_id))


# What can clear a held payment besides a code change (a GL seed gaining a code): NetSuite
# gaining the customer or the invoices the payment needs.
FIXING_INPUTS = (
    dg.AssetKey(["raw", "netsuite_customers"]),
    dg.AssetKey(["raw", "netsuite_invoices"]),
)
POSTINGS = dg.AssetKey(["finance", "netsuite_postings"])


def _latest_storage_id(instance: dg.DagsterInstance, key: dg.AssetKey) -> int:
    records = instance.fetch_materializations(key, limit=1).records
    return records[0].storage_id if records else 0


@dg.sensor(
    job=settlement_job,
    minimum_interval_seconds=DEPLOYMENT.sensor_interval_seconds,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Settles again a day whose payment was held, once something that can fix it "
    "changed (customers, invoices) or HELD_SETTLEMENT_RETRY_MINUTES passed (a seed fix).",
)
def retry_held_settlements(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    # Cursor: the last postings event read, and per held day when it was held / last retried.
    state = json.loads(context.cursor) if context.cursor else {"after": None, "held": {}}
    records = context.instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=POSTINGS, after_storage_id=state["after"]),
        limit=200,
        ascending=True,
    ).records
    held: dict[str, dict[str, float]] = state["held"]
    for record in records:
        still_held = set(days_in(record.event_log_entry, "held_settlement_days"))
        for day in [record.partition_key] if record.partition_key else sorted(still_held):
            if day in still_held:
                held.setdefault(day, {"since": record.storage_id, "retried": record.timestamp})
            else:
                held.pop(day, None)  # settled again and nothing is held any more
    if records:
        state["after"] = records[-1].storage_id
    fixes = max(_latest_storage_id(context.instance, key) for key in FIXING_INPUTS)
    now = time.time()
    retry_after = DEPLOYMENT.held_settlement_retry_minutes * 60
    requests = []
    for day, seen in sorted(held.items()):
        fixed_since = fixes > seen["since"]
        due = now - seen["retried"] >= retry_after
        if fixed_since or due:
            trigger = f"input:{fixes}" if fixed_since else f"retry:{int(now)}"
            requests.append(
                dg.RunRequest(
                    run_key=f"held:{day}:{trigger}",
                    partition_key=day,
                    tags={"settlement_trigger": "held_payment"},
                )
            )
            seen["since"], seen["retried"] = max(fixes, seen["since"]), now
    state["held"] = held
    if not requests:
        return dg.SensorResult(
            skip_reason=f"{len(held)} settlement day(s) holding payments, nothing new to try",
            cursor=json.dumps(state),
        )
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(state))
