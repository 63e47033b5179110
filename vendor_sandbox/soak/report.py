"""The soak's judgement: what the outside world did, against what the pipeline did about it.

Everything is read from the systems themselves after the deployment stopped: the sandbox's
Amazon (documents received, with their transactions) and NetSuite (records), the warehouse
(read only), the remittance inbox and the Dagster instance (runs and their tags). Nothing is
taken from the pipeline's own bookkeeping where the other side can say it.

Deadlines are the soak's: with every loop on a one-minute cadence, an item has `DEADLINE_S`
seconds after it becomes actionable (a PO available, a fulfilment made, an invoice issued, a
remittance file dropped) to reach its next stage. An item past its deadline that is neither
there nor named by an open exception is *stuck*.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from vendor_pipelines.finance.netsuite_bodies import journal_external_id, payment_external_id
from vendor_sandbox.live import LiveEvent, LiveSandbox
from vendor_sandbox.netsuite.records.base import Books

DEADLINE_S = 300.0
ACK_KINDS = ("rp_acknowledgements", "df_acknowledgements")
CONFIRMATION_KINDS = ("rp_shipment_confirmations", "df_shipment_confirmations")
QUEUED = [dg.DagsterRunStatus.QUEUED]


@dataclass
class SoakObservations:
    started: float
    live_stopped: float | None = None
    ended: float | None = None
    daemon_restarted: float | None = None
    events: list[LiveEvent] = field(default_factory=list)
    max_queue: int = 0
    kills: list[Any] = field(default_factory=list)

    def add_live_event(self, event: LiveEvent) -> None:
        self.events.append(event)

    def sample_queue(self, instance: dg.DagsterInstance) -> None:
        queued = len(instance.get_run_records(filters=dg.RunsFilter(statuses=QUEUED), limit=500))
        self.max_queue = max(self.max_queue, queued)


@dataclass
class SoakReport:
    purchase_orders: dict[str, int]
    stages: dict[str, int]
    stuck: list[str]
    duplicates: list[str]
    lost: list[str]
    runs_by_launcher: dict[str, int]
    failed_runs: int
    recovered_runs: int
    max_queue: int
    latency_s: dict[str, dict[str, float | None]]
    unexplained_variance: str  # over the payments posted
    held_variance: str  # over the payments held by an exception
    chaos: dict[str, Any]
    minutes: float

    @property
    def summary_line(self) -> str:
        other = self.runs_by_launcher.get("other", 0)
        return (
            f"stuck={len(self.stuck)} duplicates={len(self.duplicates)} lost={len(self.lost)} "
            f"other_launched={other} unrecovered={self.failed_runs - self.recovered_runs}"
        )

    @property
    def clean(self) -> bool:
        return self.summary_line == ("stuck=0 duplicates=0 lost=0 other_launched=0 unrecovered=0")

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, default=str)

    def lines(self) -> list[str]:
        out = [f"soak of {self.minutes:.1f} min"]
        out.append(
            "purchase orders: " + ", ".join(f"{k} {v}" for k, v in self.purchase_orders.items())
        )
        out.append("stages reached: " + ", ".join(f"{k} {v}" for k, v in self.stages.items()))
        out.append(
            "runs by launcher: " + ", ".join(f"{k} {v}" for k, v in self.runs_by_launcher.items())
        )
        out.append(f"failed runs {self.failed_runs}, recovered by automation {self.recovered_runs}")
        out.append(f"longest run queue: {self.max_queue}")
        for name, figures in self.latency_s.items():
            p50, p95, n = figures["p50"], figures["p95"], figures["n"]
            shown = "n/a" if p50 is None else f"p50 {p50:.0f} s, p95 {p95:.0f} s"
            out.append(f"latency {name}: {shown} (n={n:.0f})")
        out.append(
            f"unexplained variance after the last settlement: {self.unexplained_variance} on "
            f"the payments posted ({self.held_variance} on payments held by an exception)"
        )
        out.append(f"chaos: {self.chaos}")
        for label, items in (
            ("stuck", self.stuck),
            ("duplicate", self.duplicates),
            ("lost", self.lost),
        ):
            out += [f"{label}: {item}" for item in items[:20]]
        out.append(self.summary_line)
        return out


def _moment(value: Any) -> float | None:
    if not value:
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None, "n": 0}
    ordered = sorted(values)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]

    return {"p50": at(0.5), "p95": at(0.95), "n": len(ordered)}


@dataclass
class _Amazon:
    """What Amazon received and accepted, by kind and by PO."""

    accepted: dict[str, list[dict[str, Any]]]  # kind -> accepted, non-duplicate documents

    @classmethod
    def read(cls, live: LiveSandbox) -> _Amazon:
        state = live.amazon
        accepted: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for entry in state.received():
            if entry.get("duplicateOf"):
                continue
            transaction = state.transaction(entry["transactionId"])
            if transaction and state.transaction_status(transaction) == "Success":
                accepted[entry["kind"]].append(entry)
        return cls(accepted)

    def first(self, kinds: tuple[str, ...], po: str, after: float = 0.0) -> float | None:
        times = [
            _moment(e["receivedAt"])
            for kind in kinds
            for e in self.accepted.get(kind, [])
            if po in e["refs"] or e["ref"] == po
        ]
        times = [t for t in times if t is not None and t >= after - 1]
        return min(times) if times else None

    def invoice_kinds(self) -> tuple[str, ...]:
        return tuple(kind for kind in self.accepted if "invoice" in kind)


def _warehouse(root: Path) -> duckdb.DuckDBPyConnection | None:
    path = root / "warehouse.duckdb"
    return duckdb.connect(str(path), read_only=True) if path.exists() else None


def _rows(conn: duckdb.DuckDBPyConnection | None, sql: str) -> list[tuple]:
    if conn is None:
        return []
    try:
        return conn.execute(sql).fetchall()
    except duckdb.CatalogException:
        return []  # the table was never created: nothing reached that stage


def _launcher(run: dg.DagsterRun) -> str:
    tags = run.tags
    if tags.get("dagster/parent_run_id") or tags.get("dagster/retry_number"):
        return "automation"  # the daemon's run retries
    if tags.get("dagster/schedule_name"):
        return "schedule"
    if tags.get("dagster/sensor_name"):
        name = tags["dagster/sensor_name"]
        return "automation" if "automation" in name else "sensor"
    if tags.get("dagster/from_automation_condition") or tags.get("dagster/auto_materialize"):
        return "automation"
    return "other"


def run_outcomes(instance: dg.DagsterInstance) -> tuple[dict[str, int], int, int]:
    """Runs by launcher, failed runs, and those of them recovered (retried or done again)."""
    runs = [r.dagster_run for r in instance.get_run_records(limit=100_000)]
    by_launcher = Counter(_launcher(run) for run in runs)
    failed = [run for run in runs if run.status == dg.DagsterRunStatus.FAILURE]
    succeeded = [run for run in runs if run.status == dg.DagsterRunStatus.SUCCESS]
    times = {
        r.dagster_run.run_id: (r.start_time or r.create_timestamp.timestamp())
        for r in instance.get_run_records(limit=100_000)
    }
    recovered = 0
    for run in failed:
        root = run.tags.get("dagster/root_run_id", run.run_id)
        retried = any(
            s.tags.get("dagster/root_run_id", s.run_id) == root and s.run_id != run.run_id
            for s in succeeded
        )
        # Or the work was done again by the next run of the same job the daemon launched.
        redone = any(
            s.job_name == run.job_name
            and s.tags.get("dagster/partition") == run.tags.get("dagster/partition")
            and times.get(s.run_id, 0) > times.get(run.run_id, 0)
            and _launcher(s) != "other"
            for s in succeeded
        )
        recovered += retried or redone
    return dict(by_launcher), len(failed), recovered


def judge(
    root: Path,
    instance: dg.DagsterInstance,
    live: LiveSandbox,
    observations: SoakObservations,
    *,
    chaos_requested: bool,
) -> SoakReport:
    ended = observations.ended or time.time()
    books = Books(live.netsuite_store, {})
    amazon = _Amazon.read(live)
    conn = _warehouse(root)
    try:
        return _judge(
            root, instance, live, observations, books, amazon, conn, ended, chaos_requested
        )
    finally:
        if conn is not None:
            conn.close()


def _judge(
    root: Path,
    instance: dg.DagsterInstance,
    live: LiveSandbox,
    observations: SoakObservations,
    books: Books,
    amazon: _Amazon,
    conn: duckdb.DuckDBPyConnection | None,
    ended: float,
    chaos_requested: bool,
) -> SoakReport:
    started = observations.started
    live_pos = {e.ref: e.at.timestamp() for e in observations.events if e.kind.endswith("_order")}
    rp, df = live.amazon.rp_orders(), live.amazon.df_orders()
    every_po = {**{po: d for po, d in rp.items()}, **{po: d for po, d in df.items()}}
    available = {po: live_pos.get(po, started) for po in every_po}

    sales_orders = books.all("salesOrder")
    so_by_po: dict[str, list[dict]] = defaultdict(list)
    for so in sales_orders:
        so_by_po[str(so.get("otherRefNum"))].append(so)
    fulfilments = books.all("itemFulfillment")
    invoices = books.all("invoice")
    so_po = {str(so["id"]): str(so.get("otherRefNum")) for so in sales_orders}
    invoice_po = {
        str(i["id"]): so_po.get(str((i.get("createdFrom") or {}).get("id"))) for i in invoices
    }
    payments = books.all("customerPayment")
    journals = books.all("journalEntry")
    journal_ids = {str(j.get("externalId")) for j in journals}
    paid_pos: dict[str, str] = {}
    for payment in payments:
        for line in (payment.get("apply") or {}).get("items", []):
            po = invoice_po.get(str((line.get("doc") or {}).get("id")))
            if po:
                paid_pos[po] = str(payment.get("externalId", ""))

    open_exceptions = _rows(
        conn,
        "select exception_type, coalesce(purchase_order_number, ''), entity_key, "
        "coalesce(reference, ''), coalesce(detail, '') from ops.open_exceptions",
    )

    def explained(*needles: str) -> str | None:
        for kind, po, key, reference, detail in open_exceptions:
            for needle in needles:
                if needle and (
                    needle == po or needle in key or needle in reference or needle in detail
                ):
                    return kind
        return None

    def cancelled(po: str) -> bool:
        order = every_po[po]["order"]
        details = order["orderDetails"]
        if details.get("orderStatus") == "CANCELLED":
            return True
        return all(item["orderedQuantity"].get("amount") == 0 for item in details["items"])

    stuck: list[str] = []
    acked_latency: list[float] = []
    stages = Counter()
    for po, moment in sorted(available.items()):
        ack = amazon.first(ACK_KINDS, po)
        if so_by_po.get(po):
            stages["sales_order"] += 1
        if ack is not None:
            stages["acknowledged"] += 1
            if po in live_pos:
                acked_latency.append(ack - moment)
        if amazon.first(CONFIRMATION_KINDS, po) is not None:
            stages["asn_accepted"] += 1
        if amazon.first(amazon.invoice_kinds(), po) is not None:
            stages["invoice_accepted"] += 1
        if po in paid_pos:
            stages["payment_applied"] += 1
            settlement = paid_pos[po].removeprefix("AMZ-PMT-")
            if journal_external_id(settlement) in journal_ids:
                stages["journal_posted"] += 1
        if ack is None and moment + DEADLINE_S <= ended and not cancelled(po):
            reason = explained(po)
            if reason is None:
                stuck.append(f"PO {po}: not acknowledged {ended - moment:.0f} s after it came")

    asn_latency, invoice_latency = [], []
    for fulfilment in fulfilments:
        po = so_po.get(str((fulfilment.get("createdFrom") or {}).get("id")))
        made = _moment(fulfilment.get("createdDate"))
        if po is None or made is None:
            continue
        confirmed = amazon.first(CONFIRMATION_KINDS, po, after=made)
        if confirmed is not None:
            asn_latency.append(confirmed - made)
        elif made + DEADLINE_S <= ended and not explained(po, str(fulfilment.get("tranId"))):
            stuck.append(f"fulfilment {fulfilment.get('tranId')} of PO {po}: no shipment notice")
    for invoice in invoices:
        po = invoice_po.get(str(invoice["id"]))
        made = _moment(invoice.get("createdDate"))
        if po is None or made is None:
            continue
        sent = amazon.first(amazon.invoice_kinds(), po, after=made)
        if sent is not None:
            invoice_latency.append(sent - made)
        elif made + DEADLINE_S <= ended and not explained(po, str(invoice.get("tranId"))):
            # An invoice waits for its shipment notice; a held notice explains it too.
            stuck.append(f"invoice {invoice.get('tranId')} of PO {po}: not submitted")

    payment_created = {str(p.get("externalId")): _moment(p.get("createdDate")) for p in payments}
    loaded = {name for (name,) in _rows(conn, "select file_name from raw.remittance_files")}
    rejected = {name for (name,) in _rows(conn, "select file_name from raw.remittance_quarantine")}
    # A portal export of a payment already loaded from its 820 (or the other way round) is
    # accounted for as a repeat: its payments count once, under the file that loaded them.
    repeated = {name for (name,) in _rows(conn, "select file_name from raw.remittance_repeats")}
    file_payments: dict[str, list[str]] = defaultdict(list)
    for name, number in _rows(
        conn,
        "select f.file_name, p.payment_number from raw.remittance_payments p "
        "join raw.remittance_files f using (file_hash)",
    ):
        file_payments[name].append(number)
    posting_latency: list[float] = []
    lost: list[str] = []
    for event in observations.events:
        if event.kind != "remittance_file":
            continue
        dropped = event.at.timestamp()
        due = dropped + DEADLINE_S <= ended
        if event.ref in repeated:
            stages["remittance_files_repeated"] += 1
            continue
        if event.ref not in loaded and event.ref not in rejected:
            if due:
                lost.append(f"remittance file {event.ref}: neither loaded nor rejected")
            continue
        for number in file_payments.get(event.ref, []):
            stages["payments_loaded"] += 1
            posted = payment_created.get(payment_external_id(number))
            if posted is not None:
                stages["payments_posted"] += 1
                posting_latency.append(posted - dropped)
            elif explained(number, event.ref):
                stages["payments_held_by_an_exception"] += 1
            elif due:
                stuck.append(f"payment {number} ({event.ref}): not posted")

    landed = {
        po for (po,) in _rows(conn, "select purchase_order_number from raw.amazon_purchase_orders")
    }
    quarantined = {
        k for (k,) in _rows(conn, "select payload_key from raw.amazon_quarantined_payloads")
    }
    for po, moment in sorted(available.items()):
        if moment + DEADLINE_S <= ended and po not in landed | quarantined:
            lost.append(f"PO {po}: never landed nor quarantined")
    ns_ids = {str(so["id"]) for so in sales_orders}
    for key, ref in _rows(
        conn,
        "select submission_key, external_ref from ops.submissions "
        "where channel = 'netsuite.salesOrder' and status = 'succeeded'",
    ):
        if ref and str(ref) not in ns_ids:
            lost.append(f"sales order {key} (NetSuite {ref}) vanished")

    duplicates = [
        f"PO {po}: {len(sos)} sales orders" for po, sos in so_by_po.items() if len(sos) > 1
    ]
    for record_type, records in (("customerPayment", payments), ("journalEntry", journals)):
        counts = Counter(str(r.get("externalId")) for r in records)
        duplicates += [f"{record_type} {k}: {n} records" for k, n in counts.items() if n > 1]
    for kind, entries in amazon.accepted.items():
        originals = [
            e
            for e in entries
            if (
                e["body"].get("shipmentConfirmationType")
                or e["body"].get("transactionType")
                or "Original"
            )
            in ("Original", "New")
        ]
        counts = Counter(e["ref"] for e in originals)
        duplicates += [
            f"Amazon {kind} {ref}: accepted {n} times" for ref, n in counts.items() if n > 1
        ]

    changes = [
        e
        for e in observations.events
        if e.kind in ("quantity_down", "line_cancelled", "po_cancelled")
    ]
    followed = sum(1 for e in changes if _change_followed(e, so_by_po.get(e.ref, [])))
    for event in changes:
        if (
            event.at.timestamp() + DEADLINE_S <= ended
            and not _change_followed(event, so_by_po.get(event.ref, []))
            and not explained(event.ref)
        ):
            stuck.append(f"PO {event.ref}: Amazon's {event.kind} not followed by its sales order")
    stages["changes_made"] = len(changes)
    stages["changes_followed"] = followed

    # Per payment: what was posted must be reconciled to the cent; a held payment's variance
    # is reported apart (its exception names it, and it posts once the cause is fixed).
    variance = _rows(
        conn,
        "select coalesce(sum(abs(unexplained_variance)) filter (where is_postable), 0)::varchar,"
        " coalesce(sum(abs(unexplained_variance)) filter (where not coalesce(is_postable, false)),"
        " 0)::varchar from finance.settlement_reconciliation where grain = 'payment'",
    )
    by_launcher, failed, recovered = run_outcomes(instance)
    kills = observations.kills
    return SoakReport(
        purchase_orders={
            "created": sum(1 for e in observations.events if e.kind.endswith("_order")),
            "at_start": len(every_po) - len(live_pos),
            "changed_by_amazon": len(changes),
        },
        stages=dict(stages),
        stuck=stuck,
        duplicates=duplicates,
        lost=lost,
        runs_by_launcher=by_launcher,
        failed_runs=failed,
        recovered_runs=recovered,
        max_queue=observations.max_queue,
        latency_s={
            "po_to_acknowledgement": _percentiles(acked_latency),
            "fulfilment_to_asn": _percentiles(asn_latency),
            "invoice_to_submission": _percentiles(invoice_latency),
            "remittance_file_to_posted": _percentiles(posting_latency),
        },
        unexplained_variance=variance[0][0] if variance else "0",
        held_variance=variance[0][1] if variance else "0",
        chaos={
            "requested": chaos_requested,
            "runs_killed": [f"{k.job_name}:{k.step_key}" for k in kills],
            "daemon_restarted": observations.daemon_restarted is not None,
        },
        minutes=(ended - started) / 60,
    )


def _change_followed(event: LiveEvent, sales_orders: list[dict]) -> bool:
    """Whether the sales order says what Amazon's change says (or there is no order to fix)."""
    if not sales_orders:
        # Cancelled before it became an order: nothing to follow. Otherwise the order is due.
        return event.kind == "po_cancelled"
    if len(sales_orders) != 1:
        return False
    lines = {
        str(line.get("custcol_amazon_item_sequence")): line
        for line in (sales_orders[0].get("item") or {}).get("items", [])
    }
    for seq, change in event.detail.items():
        line = lines.get(seq)
        if line is None:
            continue  # the line never reached NetSuite
        if change["to"] == 0:
            if not line.get("isClosed"):
                return False
        elif float(line.get("quantity", 0)) != change["to_eaches"] and not line.get("isClosed"):
            return False
    return True
