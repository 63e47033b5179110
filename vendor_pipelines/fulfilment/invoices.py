"""Invoices to Amazon: NetSuite invoices, only after their shipment is confirmed, only if they
agree with the PO and the ASN.

An invoice bills one fulfilment (custbody_item_fulfillment). It is sent when that fulfilment's
ASN (RP) or the PO's DF confirmation was accepted by Amazon, and held as `invoice_mismatch` while
a line's price differs from the PO net cost, a quantity differs from what the fulfilment shipped,
a line is not on the PO, the header total differs from lines + freight + discount + tax, or a DF
invoice carries a discount (Amazon's DF invoice has no allowances). The invoice number sent is
NetSuite's tranId; a rejected invoice that is fixed in NetSuite (new content) is resubmitted.

The bodies themselves (freight, discount and tax included) are built in `invoice_bodies`.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import duckdb

from vendor_pipelines.amazon.regions import AmazonRegions
from vendor_pipelines.fulfilment.asn import ASN_CHANNEL, records
from vendor_pipelines.fulfilment.df import DF_CONFIRM_CHANNEL
from vendor_pipelines.fulfilment.invoice_bodies import df_invoice, rp_invoice
from vendor_pipelines.fulfilment.submit import (
    Document,
    ledger_state,
    needs_sending,
    rejections_sql,
    send_and_poll,
    union_all,
)
from vendor_pipelines.submissions.amazon_transactions import SubmissionReport

INVOICE_CHANNELS = {"RP": "amazon.rp.invoice", "DF": "amazon.df.invoice"}
PRICE_TOLERANCE = Decimal("0.005")

INVOICE_LINES = """
select i.invoice_id, i.tranid, i.po_number, i.vendor_code, i.trandate, i.total, i.currency,
       i.tax_total, i.tax_rate, i.shipping_cost, i.discount_total,
       coalesce(po.region, 'NA') as region,
       link.fulfilment_id, link.program, f.tranid as shipment_id,
       il.line, il.quantity, il.rate, il.amount, r.order_line, r.item_sequence_number,
       pol.asin, pol.vendor_sku, pol.net_cost, pol.currency as po_currency,
       po.ship_to_party_id, po.ship_from_party_id
from raw.netsuite_invoices i
join raw.netsuite_invoice_fulfilments link using (invoice_id)
join raw.netsuite_item_fulfilments f using (fulfilment_id)
join raw.netsuite_invoice_lines il using (invoice_id)
left join raw.netsuite_invoice_line_refs r using (invoice_id, line)
left join raw.amazon_purchase_orders po on po.purchase_order_number = i.po_number
left join raw.amazon_purchase_order_lines pol
    on pol.purchase_order_number = i.po_number
   and pol.item_sequence_number = r.item_sequence_number
where link.program in ('RP', 'DF')
"""

INVOICE_PROBLEMS = f"""
with lines as ({INVOICE_LINES}),
shipped as (
    select fulfilment_id, order_line, sum(quantity) as shipped
    from raw.netsuite_item_fulfilment_lines group by all
),
problems as (
    select invoice_id, 'PRICE' as problem,
           'item ' || item_sequence_number || ': rate ' || rate || ' differs from PO net cost '
           || net_cost as detail
    from lines where net_cost is not null and abs(rate - net_cost) > {PRICE_TOLERANCE}
    union all
    select invoice_id, 'NOT_ON_PO', 'line ' || line || ' is not on PO ' || po_number
    from lines where asin is null
    union all
    select l.invoice_id, 'QUANTITY',
           'item ' || l.item_sequence_number || ': invoiced ' || l.quantity
           || ' but fulfilment ' || l.shipment_id || ' shipped ' || coalesce(s.shipped, 0)
    from lines l left join shipped s using (fulfilment_id, order_line)
    where l.quantity <> coalesce(s.shipped, 0)
    union all
    select invoice_id, 'TOTAL',
           'invoice total ' || any_value(total) || ' differs from lines ' || sum(amount)
           || ' + freight ' || any_value(shipping_cost) || ' + discount '
           || any_value(discount_total) || ' + tax ' || any_value(tax_total)
    from lines group by invoice_id
    having abs(any_value(total) - sum(amount) - any_value(shipping_cost)
               - any_value(discount_total) - any_value(tax_total)) > 0.01
    union all
    select invoice_id, 'DF_ALLOWANCE',
           'discount ' || any_value(discount_total) || ' on a Direct Fulfillment invoice: Amazon''s'
           || ' DF invoice carries no allowances, credit it separately'
    from lines where program = 'DF' and discount_total <> 0 group by invoice_id
)
select p.invoice_id, i.tranid, i.po_number, i.vendor_code, p.problem, p.detail
from problems p join raw.netsuite_invoices i using (invoice_id)
"""

MISMATCHES = f"""
select 'invoice_mismatch' as exception_type, tranid || '|' || problem as entity_key, vendor_code,
       po_number as purchase_order_number, null as asin, null as sku, tranid as reference,
       'invoice ' || tranid || ' held, not sent: ' || string_agg(detail, '; ' order by detail)
           as detail
from ({INVOICE_PROBLEMS}) group by tranid, problem, vendor_code, po_number
"""

READY = f"""
select l.* from ({INVOICE_LINES}) l
left join ops.submissions asn
    on asn.channel = '{ASN_CHANNEL}' and asn.submission_key = l.shipment_id
left join ops.submissions df
    on df.channel = '{DF_CONFIRM_CHANNEL}' and df.submission_key = l.po_number
where ((l.program = 'RP' and asn.status = 'succeeded')
       or (l.program = 'DF' and df.status = 'succeeded'))
  and l.invoice_id not in (select invoice_id from ({INVOICE_PROBLEMS}))
order by l.tranid, l.line
"""


def ready_invoices(conn: duckdb.DuckDBPyConnection) -> dict[str, list[Document]]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for row in records(conn.execute(READY)):
        grouped[row["invoice_id"]].append(row)
    out: dict[str, list[Document]] = {"RP": [], "DF": []}
    for lines in grouped.values():
        head = lines[0]
        body = rp_invoice(lines) if head["program"] == "RP" else df_invoice(lines)
        out[head["program"]].append(
            Document(head["tranid"], body, head["vendor_code"], head["po_number"])
        )
    return out


def submit_invoices(
    conn: duckdb.DuckDBPyConnection, amazon: AmazonRegions, budget_seconds: float = 60.0
) -> SubmissionReport:
    report = SubmissionReport()
    senders = {
        "RP": lambda client, bodies: client.submit_invoices(bodies),
        "DF": lambda client, bodies: client.submit_df_invoices(bodies),
    }
    for program, docs in ready_invoices(conn).items():
        channel = INVOICE_CHANNELS[program]
        state = ledger_state(conn, channel)
        # An accepted invoice number is never reused, so only new, pending or fixed ones go.
        todo = [
            d for d in docs if needs_sending(state.get(d.key), d.payload_hash, resend_changed=False)
        ]
        api = "rp" if program == "RP" else "df"
        send_and_poll(conn, channel, todo, amazon, senders[program], report, api, budget_seconds)
    return report


def invoice_detections_sql() -> str:
    return union_all(
        [
            MISMATCHES,
            rejections_sql(tuple(INVOICE_CHANNELS.values()), "invoice_rejected", "invoice"),
        ]
    )
