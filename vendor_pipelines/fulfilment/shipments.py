"""Confirm Retail Procurement shipments: Original once per fulfilment, Replace on change.

Also the exception detections of the ASN flow: gate failures (held fulfilments), Amazon
rejections with Amazon's error text, and ASNs whose sent quantities diverge from the manifest.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from vendor_pipelines.amazon.client import AmazonVendorClient, Submission
from vendor_pipelines.amazon.regions import AmazonRegions
from vendor_pipelines.fulfilment.asn import (
    ASN_CHANNEL,
    ASN_REPLACE_CHANNEL,
    as_replace,
    ready_asns,
)
from vendor_pipelines.fulfilment.gate import detections_sql
from vendor_pipelines.fulfilment.submit import (
    Document,
    ledger_state,
    needs_sending,
    rejections_sql,
    send_and_poll,
    union_all,
)
from vendor_pipelines.submissions.amazon_transactions import SubmissionReport
from vendor_pipelines.submissions.ledger import record_outcome


def record_sent_lines(conn: duckdb.DuckDBPyConnection, doc: Document) -> None:
    """Keep what the ASN said per item, for the manifest divergence check."""
    frame = pd.DataFrame(
        [
            (doc.key, item["itemSequenceNumber"], int(item["shippedQuantity"]["amount"]))
            for item in doc.body["shippedItems"]
        ],
        columns=["shipment_key", "item_sequence_number", "quantity"],
    )
    conn.execute("delete from fulfilment.sent_shipment_lines where shipment_key = ?", [doc.key])
    conn.register("sent_frame", frame)
    try:
        conn.execute(
            """insert into fulfilment.sent_shipment_lines
               select s.shipment_key, f.fulfilment_id, s.item_sequence_number, s.quantity
               from sent_frame s
               join raw.netsuite_item_fulfilments f on f.tranid = s.shipment_key"""
        )
    finally:
        conn.unregister("sent_frame")


def confirm_rp_shipments(
    conn: duckdb.DuckDBPyConnection, amazon: AmazonRegions, budget_seconds: float = 60.0
) -> SubmissionReport:
    report = SubmissionReport()
    originals = ledger_state(conn, ASN_CHANNEL)
    replaces = ledger_state(conn, ASN_REPLACE_CHANNEL)
    current = ready_asns(conn)
    first_time, replacing = plan_confirmations(conn, current, originals, replaces)

    def send(client: AmazonVendorClient, bodies: list[dict[str, Any]]) -> Submission:
        return client.submit_shipment_confirmations(bodies)

    send_and_poll(conn, ASN_CHANNEL, first_time, amazon, send, report, "rp", budget_seconds)
    send_and_poll(conn, ASN_REPLACE_CHANNEL, replacing, amazon, send, report, "rp", budget_seconds)
    # What could have changed state this run (sent now, or awaiting an answer before), and
    # anything never recorded (a run that stopped between the poll and this step).
    touched = {d.key for d in first_time + replacing} | {
        key
        for ledger in (originals, replaces)
        for key, (status, _) in ledger.items()
        if status == "sent"
    }
    recorded = {
        key
        for (key,) in conn.execute(
            "select distinct shipment_key from fulfilment.sent_shipment_lines"
        ).fetchall()
    }
    record_accepted_lines(conn, [d for d in current if d.key in touched or d.key not in recorded])
    return report


def replacement_of(doc: Document) -> Document:
    """The Replace confirmation of an ASN: same shipment id, same content, type Replace."""
    return Document(doc.key, as_replace(doc.body), doc.vendor_code, doc.purchase_order_number)


def plan_confirmations(
    conn: duckdb.DuckDBPyConnection,
    current: list[Document],
    originals: dict[str, tuple[str, str]],
    replaces: dict[str, tuple[str, str]],
) -> tuple[list[Document], list[Document]]:
    """Originals never sent (or left pending), and Replaces of accepted ASNs that changed."""
    first_time: list[Document] = []
    replacing: list[Document] = []
    for doc in current:
        state = originals.get(doc.key)
        if state == ("succeeded", doc.payload_hash) and replaces.get(doc.key, ("",))[0] == "failed":
            # The fulfilment is back to what Amazon accepted: the rejected Replace is moot.
            record_outcome(conn, ASN_REPLACE_CHANNEL, doc.key, "withdrawn")
        if state is None or state[0] not in ("succeeded", "sent"):
            if needs_sending(state, doc.payload_hash, resend_changed=False):
                first_time.append(doc)
        elif state[0] == "succeeded" and state[1] != doc.payload_hash:
            replacement = replacement_of(doc)
            if needs_sending(replaces.get(doc.key), replacement.payload_hash, resend_changed=True):
                replacing.append(replacement)
    return first_time, replacing


def record_accepted_lines(conn: duckdb.DuckDBPyConnection, docs: list[Document]) -> None:
    """Keep, per shipment, the quantities of the confirmation Amazon accepted last.

    Only an accepted document counts: a rejected Replace leaves Amazon holding the Original, and
    the manifest check must compare the fulfilment with that, not with what we tried to send.
    """
    originals = ledger_state(conn, ASN_CHANNEL)
    replaces = ledger_state(conn, ASN_REPLACE_CHANNEL)
    for doc in docs:
        replacement = replacement_of(doc)
        if replaces.get(doc.key) == ("succeeded", replacement.payload_hash):
            record_sent_lines(conn, replacement)
        elif originals.get(doc.key) == ("succeeded", doc.payload_hash):
            record_sent_lines(conn, doc)


# Accepted ASNs whose per-item quantities differ from the fulfilment lines they confirm.
MANIFEST_DRIFT = f"""
with confirmed as (
    select submission_key from ops.submissions
    where channel = '{ASN_CHANNEL}' and status = 'succeeded'
),
sent as (
    select fulfilment_id, item_sequence_number, sum(quantity) as sent
    from fulfilment.sent_shipment_lines
    where shipment_key in (select submission_key from confirmed) group by all
),
manifest as (
    select l.fulfilment_id, l.item_sequence_number, sum(l.quantity) as fulfilled
    from raw.netsuite_item_fulfilment_lines l
    where l.fulfilment_id in (select fulfilment_id from sent) and l.quantity > 0
    group by all
)
select 'asn_quantity_mismatch' as exception_type,
       f.tranid || '|' || coalesce(s.item_sequence_number, m.item_sequence_number) as entity_key,
       f.vendor_code, f.purchase_order_number, null as asin, null as sku, f.tranid as reference,
       'ASN ' || f.tranid || ' item ' || coalesce(s.item_sequence_number, m.item_sequence_number)
       || ' confirmed ' || coalesce(s.sent, 0) || ' but the fulfilment shipped '
       || coalesce(m.fulfilled, 0) as detail
from sent s full join manifest m using (fulfilment_id, item_sequence_number)
join raw.netsuite_item_fulfilments f
    on f.fulfilment_id = coalesce(s.fulfilment_id, m.fulfilment_id)
where coalesce(s.sent, 0) <> coalesce(m.fulfilled, 0)
"""


def rp_detections_sql() -> str:
    return union_all(
        [
            detections_sql("RP"),
            rejections_sql((ASN_CHANNEL, ASN_REPLACE_CHANNEL), "asn_rejected", "ASN"),
            MANIFEST_DRIFT,
        ]
    )
