"""Direct Fulfillment inventory: what each warehouse can promise, sent full daily, partial hourly.

Available = NetSuite on hand - committed - backordered (never below zero), per ASIN and NetSuite
location that claims an Amazon warehouse (custrecord_amazon_party_id), per vendor code. The first
update of a UTC day per (warehouse, vendor code) is a full snapshot (`isFullUpdate`); later ones
carry only the items whose availability changed since the last accepted update. Keys are
deterministic (`<warehouse>|<vendor>|full|<day>`, `...|partial|<content hash>`), so a re-run sends
nothing new.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import duckdb
import pandas as pd

from vendor_pipelines.amazon.client import AmazonVendorClient, Submission
from vendor_pipelines.amazon.regions import AmazonRegions
from vendor_pipelines.fulfilment.asn import records
from vendor_pipelines.fulfilment.submit import (
    Document,
    ledger_state,
    needs_sending,
    rejections_sql,
    send_documents,
)
from vendor_pipelines.submissions.amazon_transactions import SubmissionReport, poll_transactions
from vendor_pipelines.submissions.ledger import payload_hash

INVENTORY_CHANNEL = "amazon.df.inventory"

AVAILABILITY = """
select loc.amazon_party_id as warehouse_id, c.vendor_code, i.asin, i.sku,
       greatest(coalesce(st.quantity_on_hand, 0) - coalesce(st.quantity_committed, 0)
                - coalesce(st.quantity_backordered, 0), 0)::integer as available,
       sent.available as last_sent
from raw.netsuite_locations loc
cross join (select distinct vendor_code from raw.netsuite_customers
            where vendor_code is not null) c
join raw.netsuite_items i on i.asin is not null and not coalesce(i.is_inactive, false)
left join raw.netsuite_item_stock st
    on st.item_id = i.item_id and st.location_id = loc.location_id
left join fulfilment.df_inventory_sent sent
    on sent.warehouse_id = loc.amazon_party_id and sent.vendor_code = c.vendor_code
   and sent.asin = i.asin
where loc.amazon_party_id is not null
order by warehouse_id, c.vendor_code, i.asin
"""


def inventory_documents(
    conn: duckdb.DuckDBPyConnection, now: datetime, force_full: bool = False
) -> list[Document]:
    by_target: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in records(conn.execute(AVAILABILITY)):
        by_target[(row["warehouse_id"], row["vendor_code"])].append(row)
    state = ledger_state(conn, INVENTORY_CHANNEL)
    day = now.astimezone(UTC).date().isoformat()
    docs = []
    for (warehouse, vendor), rows in by_target.items():
        full_key = f"{warehouse}|{vendor}|full|{day}"
        full = force_full or state.get(full_key, ("",))[0] != "succeeded"
        chosen = rows if full else [r for r in rows if r["available"] != r["last_sent"]]
        if not chosen:
            continue
        body = {
            "warehouseId": warehouse,
            "inventory": {
                "sellingParty": {"partyId": vendor},
                "isFullUpdate": full,
                "items": [
                    {
                        "buyerProductIdentifier": r["asin"],
                        "vendorProductIdentifier": r["sku"],
                        "availableQuantity": {"amount": r["available"], "unitOfMeasure": "Each"},
                    }
                    for r in chosen
                ],
            },
        }
        key = full_key if full else f"{warehouse}|{vendor}|partial|{payload_hash(body)[:16]}"
        docs.append(Document(key, body, vendor))
    return docs


def remember_sent(conn: duckdb.DuckDBPyConnection, doc: Document) -> None:
    """After Amazon accepted an update, its quantities are the base of the next partial."""
    inventory = doc.body["inventory"]
    frame = pd.DataFrame(
        [
            (
                doc.body["warehouseId"],
                inventory["sellingParty"]["partyId"],
                item["buyerProductIdentifier"],
                item["availableQuantity"]["amount"],
            )
            for item in inventory["items"]
        ],
        columns=["warehouse_id", "vendor_code", "asin", "available"],
    )
    conn.register("sent_inventory", frame)
    try:
        conn.execute(
            """insert or replace into fulfilment.df_inventory_sent
               select warehouse_id, vendor_code, asin, available, ? from sent_inventory""",
            [datetime.now(UTC)],
        )
    finally:
        conn.unregister("sent_inventory")


def _send_inventory(client: AmazonVendorClient, bodies: list[dict[str, Any]]) -> Submission:
    (body,) = bodies  # the operation takes one warehouse a request
    return client.submit_df_inventory_update(body["warehouseId"], body["inventory"])


def submit_inventory(
    conn: duckdb.DuckDBPyConnection,
    amazon: AmazonRegions,
    now: datetime | None = None,
    force_full: bool = False,
    budget_seconds: float = 60.0,
) -> SubmissionReport:
    report = SubmissionReport()
    docs = inventory_documents(conn, now or datetime.now(UTC), force_full)
    state = ledger_state(conn, INVENTORY_CHANNEL)
    todo = [
        d for d in docs if needs_sending(state.get(d.key), d.payload_hash, resend_changed=False)
    ]
    send_documents(
        conn,
        INVENTORY_CHANNEL,
        todo,
        amazon,
        _send_inventory,
        report,
    )
    poll_transactions(conn, amazon, INVENTORY_CHANNEL, "df", report, budget_seconds)
    accepted = ledger_state(conn, INVENTORY_CHANNEL)
    for doc in todo:
        if accepted.get(doc.key, ("",))[0] == "succeeded":
            remember_sent(conn, doc)
    return report


# A rejected update stops mattering once a later update of the same warehouse and vendor code
# was accepted: Amazon then holds current quantities again, so the exception resolves itself.
INVENTORY_REJECTIONS = f"""
select r.* from ({
    rejections_sql((INVENTORY_CHANNEL,), "inventory_update_rejected", "DF inventory update")
}) r
join ops.submissions failed
    on failed.channel = '{INVENTORY_CHANNEL}' and failed.submission_key = r.reference
where not exists (
    select 1 from ops.submissions later
    where later.channel = '{INVENTORY_CHANNEL}' and later.status = 'succeeded'
      and split_part(later.submission_key, '|', 1) = split_part(failed.submission_key, '|', 1)
      and split_part(later.submission_key, '|', 2) = split_part(failed.submission_key, '|', 2)
      and later.last_attempt_at > failed.last_attempt_at
)
"""
