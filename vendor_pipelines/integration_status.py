"""Integration status (`ops.integration_status`): one row per flow, and whether it is healthy.

Pure logic, no Dagster objects: the flows and their key assets and jobs, the warehouse queries
(records moved, open exceptions, overdue items, unexplained variance), the health rule, the next
tick of a cron schedule, the markdown the UI shows and the table the analysts' copy carries. The
asset in `defs/exceptions/status.py` adds what only the Dagster instance knows (last success, failed
runs) and how each job is launched in the code location (its schedules and sensors).

Health is not up/down. A flow is **healthy** only when nothing of it is overdue (`OVERDUE`, the
one place that says per flow what "overdue" means and after how long) and, for the finance flows
(remittances, settlement, postings), no payment of `finance.settlement_reconciliation` carries an
unexplained variance or is held from posting. A failed run alone does not make a flow unhealthy:
it shows as the flow's last error, and what it leaves undone shows as overdue once late.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import duckdb

from vendor_pipelines.disputes.credit_notes import CREDIT_MEMO_CHANNEL, CREDIT_NOTE_CHANNEL
from vendor_pipelines.finance.posting import JOURNAL_CHANNEL, PAYMENT_CHANNEL
from vendor_pipelines.fulfilment.asn import ASN_CHANNEL, ASN_REPLACE_CHANNEL
from vendor_pipelines.fulfilment.df import DF_CONFIRM_CHANNEL, DF_STATUS_CHANNEL
from vendor_pipelines.fulfilment.inventory import INVENTORY_CHANNEL
from vendor_pipelines.fulfilment.invoices import INVOICE_CHANNELS
from vendor_pipelines.orders.detections import UNACKNOWLEDGED_PURCHASE_ORDERS
from vendor_pipelines.orders.plans import (
    ACK_CHANNELS,
    SALES_ORDER_CANCELLATION_CHANNEL,
    SALES_ORDER_CHANNEL,
    OrderRules,
)

Owner = Literal["operations", "finance"]

TABLE = "ops.integration_status"
# Records moved are counted over this window (ledger submissions by their last attempt, landed
# rows by their load time).
RECORDS_WINDOW = timedelta(hours=24)
# Ledger statuses in the order they are shown.
STATUS_ORDER = ("succeeded", "sent", "pending", "failed", "withdrawn")


@dataclass(frozen=True)
class Count:
    """A warehouse count shown under "records moved" (`select count(*) ...`, `$since` allowed)."""

    label: str
    sql: str
    tables: tuple[str, ...]


@dataclass(frozen=True)
class Flow:
    """One flow of the integration and where its status comes from."""

    id: str
    label: str
    owner: Owner
    key_asset: tuple[str, ...]  # its last materialization is the flow's last success
    job: str  # the job that carries it (failed runs of it are its errors)
    channels: tuple[str, ...] = ()  # submission ledger channels it writes
    sources: tuple[str, ...] = ()  # ops.exceptions sources it records (before any ':')
    counts: tuple[Count, ...] = ()


FLOWS: tuple[Flow, ...] = (
    Flow(
        "po_pull",
        "PO pull",
        "operations",
        ("raw", "amazon_purchase_orders"),
        "order_sync",
        sources=("raw/amazon_purchase_orders",),
        counts=(
            Count(
                "PO versions landed",
                "select count(*) from raw.amazon_purchase_order_versions where seen_at >= $since",
                ("raw.amazon_purchase_order_versions",),
            ),
            Count(
                "POs in warehouse",
                "select count(*) from raw.amazon_purchase_orders",
                ("raw.amazon_purchase_orders",),
            ),
        ),
    ),
    Flow(
        "sales_orders",
        "Sales orders",
        "operations",
        ("orders", "sales_orders"),
        "order_sync",
        channels=(SALES_ORDER_CHANNEL, SALES_ORDER_CANCELLATION_CHANNEL),
        # Closing the lines a closed ship window left open is done on the sales orders.
        sources=("orders/sales_orders", "orders/closed_po_lines"),
    ),
    Flow(
        "acknowledgements",
        "Acknowledgements",
        "operations",
        ("orders", "acknowledgements"),
        "order_sync",
        channels=(ACK_CHANNELS["RP"], ACK_CHANNELS["DF"]),
        sources=("orders/acknowledgements",),
    ),
    Flow(
        "asns",
        "ASNs",
        "operations",
        ("fulfilment", "shipment_confirmations"),
        "fulfilment_sync",
        channels=(ASN_CHANNEL, ASN_REPLACE_CHANNEL),
        sources=("fulfilment/shipment_confirmations",),
        counts=(
            Count(
                "RP fulfilments landed",
                "select count(*) from raw.netsuite_item_fulfilments"
                " where program = 'RP' and loaded_at >= $since",
                ("raw.netsuite_item_fulfilments",),
            ),
        ),
    ),
    Flow(
        "df_confirmations",
        "DF confirmations",
        "operations",
        ("fulfilment", "df_shipments"),
        "fulfilment_sync",
        channels=(DF_CONFIRM_CHANNEL, DF_STATUS_CHANNEL),
        sources=("fulfilment/df_shipments",),
        counts=(
            Count(
                "DF fulfilments landed",
                "select count(*) from raw.netsuite_item_fulfilments"
                " where program = 'DF' and loaded_at >= $since",
                ("raw.netsuite_item_fulfilments",),
            ),
        ),
    ),
    Flow(
        "invoices",
        "Invoices",
        "operations",
        ("fulfilment", "invoice_submissions"),
        "fulfilment_sync",
        channels=(INVOICE_CHANNELS["RP"], INVOICE_CHANNELS["DF"]),
        sources=("fulfilment/invoice_submissions",),
        counts=(
            Count(
                "NetSuite invoices in warehouse",
                "select count(*) from raw.netsuite_invoices",
                ("raw.netsuite_invoices",),
            ),
        ),
    ),
    Flow(
        "inventory",
        "Inventory",
        "operations",
        ("fulfilment", "df_inventory_updates"),
        "df_inventory",
        channels=(INVENTORY_CHANNEL,),
        sources=("fulfilment/df_inventory_updates",),
        counts=(
            Count(
                "availability rows sent",
                "select count(*) from fulfilment.df_inventory_sent where sent_at >= $since",
                ("fulfilment.df_inventory_sent",),
            ),
        ),
    ),
    Flow(
        "remittances",
        "Remittances",
        "finance",
        ("raw", "remittance_payments"),
        "remittance_load",
        sources=("raw/remittance_files", "raw/remittance_inbox"),
        counts=(
            # loaded_at / quarantined_at are naive UTC
            Count(
                "files loaded",
                "select count(*) from raw.remittance_files"
                " where loaded_at >= timezone('UTC', $since::timestamptz)",
                ("raw.remittance_files",),
            ),
            Count(
                "payments loaded",
                "select coalesce(sum(payment_count), 0) from raw.remittance_files"
                " where loaded_at >= timezone('UTC', $since::timestamptz)",
                ("raw.remittance_files",),
            ),
            Count(
                "files rejected",
                "select count(*) from raw.remittance_quarantine"
                " where quarantined_at >= timezone('UTC', $since::timestamptz)",
                ("raw.remittance_quarantine",),
            ),
        ),
    ),
    Flow(
        "settlement",
        "Settlement",
        "finance",
        ("finance", "settlement_reconciliation"),
        "nightly_settlement",
        sources=("finance/settlements",),
        counts=(
            Count(
                "payments reconciled",
                "select count(*) from finance.settlement_reconciliation where grain = 'payment'",
                ("finance.settlement_reconciliation",),
            ),
            Count(
                "payments held",
                "select count(*) from finance.settlement_reconciliation"
                " where grain = 'payment' and is_postable is not true",
                ("finance.settlement_reconciliation",),
            ),
        ),
    ),
    Flow(
        "postings",
        "Postings",
        "finance",
        ("finance", "netsuite_postings"),
        "nightly_settlement",
        channels=(PAYMENT_CHANNEL, JOURNAL_CHANNEL),
        sources=("finance/netsuite_postings",),
    ),
    Flow(
        "disputes",
        "Disputes",
        "finance",
        ("finance", "dispute_deadlines"),
        "nightly_settlement",
        channels=(CREDIT_NOTE_CHANNEL, CREDIT_MEMO_CHANNEL),
        sources=("finance/dispute_deadlines", "finance/dispute_credit_notes"),
        counts=(
            Count(
                "cases disputable",
                "select count(*) from finance.dispute_cases where status = 'disputable'",
                ("finance.dispute_cases",),
            ),
            Count(
                "cases submitted, awaiting Amazon",
                "select count(*) from finance.dispute_cases where status = 'submitted'",
                ("finance.dispute_cases",),
            ),
            Count(
                "valid claims not yet settled by credit note and memo",
                "select count(*) from finance.dispute_credit_note_lines"
                " where credit_memo_status <> 'succeeded'",
                ("finance.dispute_credit_note_lines",),
            ),
        ),
    ),
)

FLOWS_BY_ID: dict[str, Flow] = {flow.id: flow for flow in FLOWS}

# Open exceptions whose source no flow names (a source added later) go by their type.
TYPE_FLOWS: dict[str, str] = {
    "quarantined_payload": "po_pull",
    "po_not_mapped": "sales_orders",
    "sku_mapping_gap": "sales_orders",
    "location_mapping_gap": "sales_orders",
    "price_discrepancy": "sales_orders",
    "po_window_closed_open_lines": "sales_orders",
    "acknowledgement_failed": "acknowledgements",
    "acknowledgement_overdue": "acknowledgements",
    "asn_validation_failed": "asns",
    "asn_quantity_mismatch": "asns",
    "asn_rejected": "asns",
    "df_partial_held": "df_confirmations",
    "invoice_rejected": "invoices",
    "invoice_mismatch": "invoices",
    "inventory_update_rejected": "inventory",
    "remittance_file_rejected": "remittances",
    "remittance_payment_repeated": "remittances",
    "remittance_file_refused": "remittances",
    "remittance_file_too_large": "remittances",
    "unmapped_deduction_code": "settlement",
    "unexplained_variance": "settlement",
    "settlement_drift": "settlement",
    "settlement_customer_missing": "settlement",
    "unapplied_cash": "settlement",
    "posting_failed": "postings",
    "dispute_window_closing": "disputes",
    "dispute_expired": "disputes",
    "credit_note_rejected": "disputes",
}
# Failed runs handed to ops.exceptions by the run-failure sensor (entity key `run|<job>`).
RUN_FAILURE_SOURCE = "dagster/run_failures"


# --- Overdue: what is late, per flow -------------------------------------------------------


@dataclass(frozen=True)
class Overdue:
    """What counts as an overdue item of a flow, and after how long.

    Items are counted once each (by PO, reference or submission key) from: open exceptions of
    `exception_types` first seen at least `deadline` ago; submissions on the flow's ledger
    channels still `pending` or `sent` (sent, never answered) `deadline` after their first
    attempt, when `in_flight` is set; and the rows `items_sql` returns (a SELECT of one column
    `item`, with `$cutoff` = now - deadline and `$post_by` = the finance day whose payments must
    be posted by now).
    """

    rule: str
    deadline: timedelta
    exception_types: tuple[str, ...] = ()
    in_flight: bool = False
    items_sql: str | None = None
    tables: tuple[str, ...] = ()


_ACK_HOURS = OrderRules().acknowledgement_deadline_hours

# The one place that says what "overdue" means per flow.
OVERDUE: dict[str, Overdue] = {
    "po_pull": Overdue(
        "a PO payload in quarantine (it never reached the pipeline)",
        timedelta(0),
        exception_types=("quarantined_payload",),
    ),
    "sales_orders": Overdue(
        "a PO still without its NetSuite sales order 1 h after it was first flagged",
        timedelta(hours=1),
        exception_types=("po_not_mapped",),
    ),
    "acknowledgements": Overdue(
        f"a PO not acknowledged {_ACK_HOURS} h after its order date (Amazon's rule), or an "
        "open acknowledgement_overdue",
        timedelta(hours=_ACK_HOURS),
        exception_types=("acknowledgement_overdue",),
        items_sql=f"""
            select p.purchase_order_number as item
            {UNACKNOWLEDGED_PURCHASE_ORDERS}
              and p.purchase_order_date <= $cutoff""",
        tables=("raw.amazon_purchase_orders",),
    ),
    "asns": Overdue(
        "an ASN held by the gate, mismatched or rejected for 24 h, or sent and unanswered 24 h",
        timedelta(hours=24),
        exception_types=("asn_validation_failed", "asn_quantity_mismatch", "asn_rejected"),
        in_flight=True,
    ),
    "df_confirmations": Overdue(
        "a DF order partly fulfilled and held for 24 h, or a confirmation unanswered 24 h",
        timedelta(hours=24),
        exception_types=("df_partial_held",),
        in_flight=True,
    ),
    "invoices": Overdue(
        "an invoice held (mismatch) or rejected for 24 h, or sent and unanswered 24 h",
        timedelta(hours=24),
        exception_types=("invoice_mismatch", "invoice_rejected"),
        in_flight=True,
    ),
    "inventory": Overdue(
        "a rejected DF inventory update not superseded within 2 h, or one unanswered 2 h",
        timedelta(hours=2),
        exception_types=("inventory_update_rejected",),
        in_flight=True,
    ),
    "remittances": Overdue(
        "a remittance file rejected, refused or too large (its cash is not loaded)",
        timedelta(0),
        exception_types=(
            "remittance_file_rejected",
            "remittance_file_refused",
            "remittance_file_too_large",
        ),
    ),
    "settlement": Overdue(
        "a payment held from posting for more than a day (since its first open finance "
        "exception, else since the end of its settlement day)",
        timedelta(days=1),
        items_sql="""
            select r.settlement_id as item
            from finance.settlement_reconciliation r
            left join (
                select reference, min(first_seen_at) as held_since from ops.exceptions
                where resolved_at is null and owner = 'finance' group by reference
            ) e on e.reference = r.settlement_id
            where r.grain = 'payment' and r.is_postable is not true
              and coalesce(e.held_since, (r.settlement_date + interval 1 day)::timestamptz)
                  <= $cutoff""",
        tables=("finance.settlement_reconciliation",),
    ),
    "postings": Overdue(
        "a postable payment with no accepted customer payment a day after its nightly "
        "settlement, or a posting failure open for a day",
        timedelta(days=1),
        exception_types=("posting_failed",),
        in_flight=True,
        items_sql=f"""
            select r.settlement_id as item
            from finance.settlement_reconciliation r
            where r.grain = 'payment' and r.is_postable and r.settlement_date <= $post_by
              -- a payment of reversals alone settles no invoice: its journal is its posting
              and exists (
                  select 1 from finance.cash_application c
                  where c.payment_number = r.settlement_id and c.apply_amount <> 0)
              and not exists (
                  select 1 from ops.submissions s
                  where s.channel = '{PAYMENT_CHANNEL}' and s.status = 'succeeded'
                    and s.submission_key = 'AMZ-PMT-'
                        || regexp_replace(r.settlement_id, '[^A-Za-z0-9_-]', '-', 'g'))""",
        tables=("finance.settlement_reconciliation", "finance.cash_application"),
    ),
    "disputes": Overdue(
        "a dispute case two days or less from its deadline, or past it, that nobody submitted "
        "(its window-closing error is open, or its expiry)",
        timedelta(0),
        exception_types=("dispute_expired",),
        items_sql="""
            select entity_key as item from ops.exceptions
            where resolved_at is null and exception_type = 'dispute_window_closing'
              and severity = 'error'""",
        tables=("ops.exceptions",),
    ),
}

# The flows a payment with unexplained variance makes unhealthy: the ones that move the money
# (disputes, finance's too, work on claims already posted and are judged by their deadlines).
VARIANCE_FLOWS = ("remittances", "settlement", "postings")
# Payments with an unexplained variance or held from posting; NULLs count (fail closed).
VARIANCE_SQL = """
select count(*) from finance.settlement_reconciliation
where grain = 'payment' and (unexplained_variance is distinct from 0 or is_postable is not true)
"""

HEALTH_RULE = (
    "healthy only when the flow has no overdue item and, for the finance flows (remittances, "
    "settlement, postings), no payment in finance.settlement_reconciliation has an unexplained "
    "variance or is held from posting; otherwise unhealthy, with the reason. Not up/down: a "
    "failed run shows as the last error."
)


# --- What the status is made of ------------------------------------------------------------


@dataclass(frozen=True)
class Incident:
    """Something that went wrong: when, and its first line."""

    at: datetime
    text: str


@dataclass(frozen=True)
class NextRun:
    at: datetime | None  # None: not on a clock (sensor or automation)
    text: str


@dataclass(frozen=True)
class Trigger:
    """How a job is launched in the code location."""

    schedules: tuple[tuple[str, str | Sequence[str], str], ...] = ()  # (name, cron, timezone)
    sensors: tuple[str, ...] = ()
    automated: bool = False  # by an automation condition


@dataclass(frozen=True)
class ExceptionTally:
    open_by_owner: dict[str, int] = field(default_factory=dict)
    latest_error: Incident | None = None


@dataclass(frozen=True)
class WarehouseFacts:
    records: dict[str, int] = field(default_factory=dict)
    overdue_items: tuple[str, ...] = ()
    variance_payments: int = 0
    exceptions: ExceptionTally = field(default_factory=ExceptionTally)


@dataclass(frozen=True)
class FlowStatus:
    flow: Flow
    last_success_at: datetime | None
    records: dict[str, int]
    next_run: NextRun
    last_error: Incident | None
    open_by_owner: dict[str, int]
    overdue_items: tuple[str, ...]
    variance_payments: int
    health: str
    health_reason: str

    @property
    def healthy(self) -> bool:
        return self.health == "healthy"


def judge(flow: Flow, overdue: int, variance_payments: int) -> tuple[str, str]:
    """The health rule: ("healthy", "") or ("unhealthy", why)."""
    reasons = []
    if overdue:
        reasons.append(f"{overdue} overdue")
    if flow.id in VARIANCE_FLOWS and variance_payments:
        reasons.append(
            f"{variance_payments} payment(s) with unexplained variance or held from posting"
        )
    return ("unhealthy", "; ".join(reasons)) if reasons else ("healthy", "")


def flow_status(
    flow: Flow,
    *,
    last_success_at: datetime | None,
    failed_run: Incident | None,
    next_run: NextRun,
    facts: WarehouseFacts,
) -> FlowStatus:
    """A flow's row: the latest of its failed run and its open error exceptions is its error."""
    errors = [e for e in (failed_run, facts.exceptions.latest_error) if e is not None]
    health, reason = judge(flow, len(facts.overdue_items), facts.variance_payments)
    return FlowStatus(
        flow=flow,
        last_success_at=last_success_at,
        records=facts.records,
        next_run=next_run,
        last_error=max(errors, key=lambda e: e.at) if errors else None,
        open_by_owner=facts.exceptions.open_by_owner,
        overdue_items=facts.overdue_items,
        variance_payments=facts.variance_payments,
        health=health,
        health_reason=reason,
    )


def run_failed_flow(
    key_asset: tuple[str, ...],
    planned: set[tuple[str, ...]],
    materialized: set[tuple[str, ...]],
) -> bool:
    """A failed run is a flow's error when it was to materialize the flow's key asset and did
    not (it failed at that step or before it); a failure further down is another flow's."""
    return key_asset in planned and key_asset not in materialized


def first_line(text: str | None, limit: int = 200) -> str:
    for line in (text or "").splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= limit else line[: limit - 1] + "…"
    return ""


# --- Next run ------------------------------------------------------------------------------


def next_tick(cron: str | Sequence[str], timezone: str, now: datetime) -> datetime:
    """The first tick of `cron` in `timezone` strictly after `now` (aware, in that timezone).

    Dagster's own cron iterator, so the tick is the one the daemon will fire (DST included);
    imported here only, like settings.py does, so this module stays free of Dagster objects.
    """
    from dagster._utils.schedules import schedule_execution_time_iterator

    ticks = schedule_execution_time_iterator(now.timestamp(), cron, timezone)
    for tick in ticks:
        if tick.timestamp() > now.timestamp():
            return tick
    raise ValueError(f"cron {cron!r} has no next tick")  # pragma: no cover - iterators are endless


def next_run(trigger: Trigger, now: datetime) -> NextRun:
    if trigger.schedules:
        at, name, tz = min(
            (next_tick(cron, tz, now), name, tz) for name, cron, tz in trigger.schedules
        )
        text = f"{at:%Y-%m-%d %H:%M} {tz} ({name})"
        if trigger.sensors:
            text += "; also on arrival"
        return NextRun(at.astimezone(UTC), text)
    if trigger.sensors:
        return NextRun(None, f"on arrival ({', '.join(trigger.sensors)})")
    if trigger.automated:
        return NextRun(None, "when inputs change")
    return NextRun(None, "not scheduled")


# --- The warehouse -------------------------------------------------------------------------

_PARAMETER = re.compile(r"\$([a-z_]+)")


def _run(conn: duckdb.DuckDBPyConnection, sql: str, values: Mapping[str, Any]) -> list[tuple]:
    """Execute with the named parameters `sql` uses (DuckDB refuses extra ones)."""
    names = set(_PARAMETER.findall(sql))
    return conn.execute(sql, {name: values[name] for name in names}).fetchall()


def existing_tables(conn: duckdb.DuckDBPyConnection) -> set[str]:
    rows = conn.execute(
        """select table_schema || '.' || table_name from information_schema.tables
           where table_catalog = current_database()"""
    ).fetchall()
    return {row[0] for row in rows}


def _ledger_by_channel(
    conn: duckdb.DuckDBPyConnection, since: datetime
) -> dict[str, dict[str, int]]:
    rows = conn.execute(
        """select channel, status, count(*) from ops.submissions
           where last_attempt_at >= ? group by all""",
        [since],
    ).fetchall()
    by_channel: dict[str, dict[str, int]] = {}
    for channel, status, count in rows:
        by_channel.setdefault(channel, {})[status] = int(count)
    return by_channel


def _records(
    conn: duckdb.DuckDBPyConnection,
    flow: Flow,
    ledger: Mapping[str, Mapping[str, int]],
    tables: set[str],
    values: Mapping[str, Any],
) -> dict[str, int]:
    records: dict[str, int] = {}
    if flow.channels:
        totals: dict[str, int] = {}
        for channel in flow.channels:
            for status, count in ledger.get(channel, {}).items():
                totals[status] = totals.get(status, 0) + count
        order = {status: index for index, status in enumerate(STATUS_ORDER)}
        for status in sorted(totals, key=lambda s: (order.get(s, len(order)), s)):
            records[status] = totals[status]
    for count in flow.counts:
        if set(count.tables) <= tables:
            records[count.label] = int(_run(conn, count.sql, values)[0][0] or 0)
    return records


def _overdue_items(
    conn: duckdb.DuckDBPyConnection,
    flow: Flow,
    tables: set[str],
    now: datetime,
    post_by: date,
) -> tuple[str, ...]:
    rule = OVERDUE[flow.id]
    values = {"cutoff": now - rule.deadline, "post_by": post_by}
    parts: list[tuple[str, dict[str, Any]]] = []
    if rule.exception_types:
        parts.append(
            (
                """select coalesce(purchase_order_number, reference, entity_key) as item
                   from ops.exceptions
                   where resolved_at is null
                     and exception_type in (select unnest($types::varchar[]))
                     and first_seen_at <= $cutoff""",
                {**values, "types": list(rule.exception_types)},
            )
        )
    if rule.in_flight and flow.channels:
        parts.append(
            (
                """select submission_key as item from ops.submissions
                   where channel in (select unnest($channels::varchar[]))
                     and status in ('pending', 'sent') and first_attempt_at <= $cutoff""",
                {**values, "channels": list(flow.channels)},
            )
        )
    if rule.items_sql and set(rule.tables) <= tables:
        parts.append((rule.items_sql, values))
    items: set[str] = set()
    for sql, part_values in parts:
        items.update(str(row[0]) for row in _run(conn, sql, part_values))
    return tuple(sorted(items))


def tally_exceptions(rows: Iterable[Sequence[Any]]) -> dict[str, ExceptionTally]:
    """Open exceptions per flow, from rows of (source, entity_key, exception_type, owner,
    severity, count, latest first_seen_at, latest detail).

    Mapped by source (the part before ':'), else by type; a failed run handed over by the
    run-failure sensor counts for every flow of its job. Unmapped rows are under key "".
    """
    open_by: dict[str, dict[str, int]] = {}
    latest: dict[str, Incident] = {}
    by_source = {source: flow.id for flow in FLOWS for source in flow.sources}
    for source, entity_key, kind, owner, severity, count, at, detail in rows:
        source = str(source).split(":", 1)[0]
        if source == RUN_FAILURE_SOURCE:
            job = str(entity_key).split("|", 1)[-1]
            flows = [flow.id for flow in FLOWS if flow.job == job]
        else:
            flow_id = by_source.get(source) or TYPE_FLOWS.get(kind)
            flows = [flow_id] if flow_id else []
        for flow_id in flows or [""]:
            owners = open_by.setdefault(flow_id, {})
            owners[owner] = owners.get(owner, 0) + int(count)
            if severity == "error" and at is not None:
                incident = Incident(at, f"{kind}: {first_line(detail)}")
                if flow_id not in latest or incident.at > latest[flow_id].at:
                    latest[flow_id] = incident
    return {
        flow_id: ExceptionTally(open_by_owner=owners, latest_error=latest.get(flow_id))
        for flow_id, owners in open_by.items()
    }


# Per (source, entity key for run failures, type, owner, severity): how many are open, and the
# most recent one.
OPEN_EXCEPTIONS_SQL = """
select split_part(source, ':', 1) as source,
       case when source = 'dagster/run_failures' then entity_key end as entity_key,
       exception_type, owner, severity, count(*) as open,
       max(first_seen_at) as latest_at, arg_max(detail, first_seen_at) as latest_detail
from ops.exceptions where resolved_at is null
group by all
"""


def warehouse_facts(
    conn: duckdb.DuckDBPyConnection, now: datetime, finance_timezone: str
) -> tuple[dict[str, WarehouseFacts], int]:
    """Every flow's warehouse side, and how many open exceptions no flow claims.

    Reads ops.exceptions and ops.submissions (the caller makes sure they exist) and whichever
    raw and finance tables exist yet.
    """
    tables = existing_tables(conn)
    since = now - RECORDS_WINDOW
    # A day's payments are settled the next night; a day later they must have been posted.
    post_by = now.astimezone(ZoneInfo(finance_timezone)).date() - timedelta(days=2)
    ledger = _ledger_by_channel(conn, since)
    tallies = tally_exceptions(conn.execute(OPEN_EXCEPTIONS_SQL).fetchall())
    variance = 0
    if "finance.settlement_reconciliation" in tables:
        variance = int(conn.execute(VARIANCE_SQL).fetchone()[0])
    facts = {
        flow.id: WarehouseFacts(
            records=_records(conn, flow, ledger, tables, {"since": since}),
            overdue_items=_overdue_items(conn, flow, tables, now, post_by),
            variance_payments=variance if flow.owner == "finance" else 0,
            exceptions=tallies.get(flow.id, ExceptionTally()),
        )
        for flow in FLOWS
    }
    unmapped = sum(tallies[""].open_by_owner.values()) if "" in tallies else 0
    return facts, unmapped


# --- The table -----------------------------------------------------------------------------

# (column, DuckDB type, description): the table's DDL, its comments and the asset's schema.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("flow", "varchar", "The flow (PO pull, sales orders, ... postings)."),
    ("flow_id", "varchar", "Stable id of the flow."),
    ("owner", "varchar", "The team that owns the flow (operations, finance)."),
    ("key_asset", "varchar", "The asset whose last materialization is the flow's last success."),
    ("job", "varchar", "The job that carries the flow; its failed runs are the flow's errors."),
    ("last_success_at", "timestamptz", "Last successful materialization of the key asset."),
    (
        "records_moved",
        "varchar",
        "Ledger submissions by status over the last 24 h (last attempt), and landed rows.",
    ),
    ("next_run", "varchar", "Next tick of the job's schedule, or 'on arrival' for sensors."),
    ("next_run_at", "timestamptz", "Next scheduled tick (null when not on a clock)."),
    (
        "last_error_at",
        "timestamptz",
        "When the last error happened: the latest failed run of the job that did not "
        "materialize the key asset, or the latest open error exception of the flow.",
    ),
    ("last_error", "varchar", "First line of the last error."),
    ("open_operations", "integer", "Open exceptions of the flow owned by operations."),
    ("open_finance", "integer", "Open exceptions of the flow owned by finance."),
    (
        "overdue",
        "integer",
        "Overdue items. "
        + "; ".join(f"{FLOWS_BY_ID[flow].label}: {rule.rule}" for flow, rule in OVERDUE.items())
        + ".",
    ),
    ("overdue_items", "varchar", "The first overdue items (PO, reference or submission key)."),
    (
        "variance_payments",
        "integer",
        "Finance flows: payments with unexplained variance or held from posting.",
    ),
    ("health", "varchar", f"healthy | unhealthy: {HEALTH_RULE}"),
    ("health_reason", "varchar", "Why the flow is unhealthy (empty when healthy)."),
    ("refreshed_at", "timestamptz", "When this status was computed."),
)

SHOWN_ITEMS = 5


def _owners_text(open_by_owner: Mapping[str, int]) -> str:
    shown = [f"{owner} {n}" for owner, n in sorted(open_by_owner.items()) if n]
    return ", ".join(shown) or "none"


def records_text(records: Mapping[str, int]) -> str:
    return ", ".join(f"{label} {n}" for label, n in records.items()) or "none"


def status_rows(statuses: Sequence[FlowStatus], now: datetime) -> list[tuple[Any, ...]]:
    """Rows of ops.integration_status, in COLUMNS order."""
    rows = []
    for s in statuses:
        items = ", ".join(s.overdue_items[:SHOWN_ITEMS])
        if len(s.overdue_items) > SHOWN_ITEMS:
            items += f", ... ({len(s.overdue_items) - SHOWN_ITEMS} more)"
        rows.append(
            (
                s.flow.label,
                s.flow.id,
                s.flow.owner,
                "/".join(s.flow.key_asset),
                s.flow.job,
                s.last_success_at,
                records_text(s.records),
                s.next_run.text,
                s.next_run.at,
                s.last_error.at if s.last_error else None,
                s.last_error.text if s.last_error else None,
                s.open_by_owner.get("operations", 0),
                s.open_by_owner.get("finance", 0),
                len(s.overdue_items),
                items or None,
                s.variance_payments,
                s.health,
                s.health_reason,
                now,
            )
        )
    return rows


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def write_status(
    conn: duckdb.DuckDBPyConnection, statuses: Sequence[FlowStatus], now: datetime
) -> int:
    """Replace ops.integration_status in one transaction (readers never see it half written)."""
    columns = ",\n    ".join(f"{name} {kind}" for name, kind, _ in COLUMNS)
    rows = status_rows(statuses, now)
    conn.execute("begin transaction")
    try:
        conn.execute("create schema if not exists ops")
        conn.execute(f"create or replace table {TABLE} (\n    {columns}\n)")
        # COMMENT takes no parameters: the texts are this module's constants, quoted here.
        conn.execute(f"comment on table {TABLE} is {_quoted(f'One row per flow; {HEALTH_RULE}')}")
        for name, _, description in COLUMNS:
            conn.execute(f"comment on column {TABLE}.{name} is {_quoted(description)}")
        if rows:
            marks = ", ".join("?" for _ in COLUMNS)
            conn.executemany(f"insert into {TABLE} values ({marks})", rows)
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    return len(rows)


# --- Markdown ------------------------------------------------------------------------------

_MARKDOWN = re.compile(r"([\\|*_`<>\[\]#])")


def cell(text: str) -> str:
    """Text as one literal markdown table cell: one line, pipes and emphasis escaped."""
    return _MARKDOWN.sub(r"\\\1", " ".join(str(text).split()))


def _ago(delta: timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    if minutes < 1:
        return "<1 min"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} d"


def _when(at: datetime | None, now: datetime) -> str:
    if at is None:
        return "never"
    return f"{at.astimezone(UTC):%Y-%m-%d %H:%M} UTC ({_ago(now - at)} ago)"


def render_markdown(statuses: Sequence[FlowStatus], now: datetime) -> str:
    """The status table the UI shows, with what healthy and overdue mean under it."""
    header = (
        "| flow | health | last success | records moved (24 h) | next run | last error "
        "| open exceptions | overdue |"
    )
    lines = [header, "|---|---|---|---|---|---|---|---|"]
    for s in statuses:
        health = "healthy" if s.healthy else f"**unhealthy**: {cell(s.health_reason)}"
        next_text = s.next_run.text
        if s.next_run.at is not None:
            next_text = f"in {_ago(s.next_run.at - now)}, {next_text}"
        error = f"{_when(s.last_error.at, now)}: {s.last_error.text}" if s.last_error else "none"
        overdue = str(len(s.overdue_items))
        if s.overdue_items:
            overdue += " (" + ", ".join(s.overdue_items[:3])
            overdue += ", ...)" if len(s.overdue_items) > 3 else ")"
        lines.append(
            "| "
            + " | ".join(
                [
                    cell(s.flow.label),
                    health,
                    cell(_when(s.last_success_at, now)),
                    cell(records_text(s.records)),
                    cell(next_text),
                    cell(error),
                    cell(_owners_text(s.open_by_owner)),
                    cell(overdue),
                ]
            )
            + " |"
        )
    lines += ["", f"**Health**: {cell(HEALTH_RULE)}", "", "**Overdue** means, per flow:", ""]
    lines += [f"- {FLOWS_BY_ID[flow].label}: {cell(rule.rule)}" for flow, rule in OVERDUE.items()]
    lines += ["", f"Refreshed {now.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC."]
    return "\n".join(lines)
