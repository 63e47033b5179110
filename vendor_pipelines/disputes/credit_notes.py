"""Settle each valid shortage and price claim on both sides, exactly once.

A claim our own records prove right (`valid` in `finance.dispute_cases`) is accepted, not
disputed. Amazon has already netted it from a payment, so the vendor's part is to say so:

* to Amazon, an RP credit note (`submitInvoices`, `invoiceType` CreditNote) whose items name
  Amazon's debit note (the claim's reference on the remittance, `debitNoteNumber`) and the
  invoice it was taken on (`referenceInvoiceNumber`): Amazon matches it to the claim it took
  instead of netting the credit a second time;
* in NetSuite, once Amazon accepted the credit note, a credit memo on the customer: a
  shortage's units at the invoice rate (the units never left, so NetSuite restocks them), a
  price claim's per-unit difference on the price-adjustment item the NetSuite resource names
  (without one, a valid price claim keeps its 4160 journal). The claim's reclass journal
  (`finance.dispute_journal_lines`) then moves it from 1205 onto the customer's receivable,
  which the memo clears, instead of onto the contra account.

The rows come from `finance.dispute_credit_note_lines`. The credit note goes through the
submission ledger keyed by its number (`CN-<case_id>`): one Amazon accepted is never sent
again; one it refused goes again only with corrected content. The memo is upserted by its
external id (`AMZ-CM-<case_id>`) with the one posting function every finance posting uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb

from vendor_pipelines.amazon.regions import AmazonRegions
from vendor_pipelines.finance.netsuite_bodies import (
    CreditMemoBody,
    CreditMemoItemSublist,
    CreditMemoLine,
    NsRef,
    to_payload,
)
from vendor_pipelines.finance.posting import PostingReport, post_once
from vendor_pipelines.fulfilment.invoice_bodies import amount_text, midnight_utc
from vendor_pipelines.fulfilment.submit import (
    Document,
    ledger_state,
    needs_sending,
    send_documents,
)
from vendor_pipelines.netsuite import NetSuiteClient
from vendor_pipelines.query_rows import rows
from vendor_pipelines.submissions.amazon_transactions import SubmissionReport, poll_transactions

CREDIT_NOTE_CHANNEL = "amazon.rp.credit_note"
CREDIT_MEMO_CHANNEL = "netsuite.creditMemo"

CREDIT_NOTE_LINES_SQL = """
select case_id, credit_note_id, credit_memo_external_id, case_class, debit_note_number,
       reference_invoice_number, vendor_code, customer_id, currency, credit_date, asin,
       vendor_sku, item_id, units, unit_amount, amount, root_cause
from finance.dispute_credit_note_lines
order by case_id
"""


@dataclass
class SettlementReport:
    """What one run did: credit notes to Amazon, memos to NetSuite, claims it could not credit."""

    amazon: SubmissionReport = field(default_factory=SubmissionReport)
    netsuite: PostingReport = field(default_factory=PostingReport)
    # Accepted credit notes without a memo, and why: their claim keeps the reclass journal to
    # the contra account (4170 / 4160), which books it as right in NetSuite just as well.
    without_memo: dict[str, str] = field(default_factory=dict)


def credit_note_lines(conn: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """One row per valid claim a credit note settles (the model decides which)."""
    return rows(conn, CREDIT_NOTE_LINES_SQL, [])


def rp_credit_note(line: dict[str, Any]) -> dict[str, Any]:
    """The Amazon credit note of one claim: one item, the claim's units at the credit per unit,
    naming the debit note it settles and the invoice it was taken on."""

    def money(value: Any) -> dict[str, str]:
        return {"currencyCode": line["currency"], "amount": amount_text(value)}

    return {
        "invoiceType": "CreditNote",
        "id": line["credit_note_id"],
        "referenceNumber": line["case_id"],
        "date": midnight_utc(line["credit_date"]),
        "remitToParty": {"partyId": line["vendor_code"]},
        "invoiceTotal": money(line["amount"]),
        "items": [
            {
                "itemSequenceNumber": 1,
                "amazonProductIdentifier": line["asin"],
                "vendorProductIdentifier": line["vendor_sku"],
                "invoicedQuantity": {"amount": int(line["units"]), "unitOfMeasure": "Eaches"},
                "netCost": money(line["unit_amount"]),
                "creditNoteDetails": {
                    "referenceInvoiceNumber": line["reference_invoice_number"],
                    "debitNoteNumber": line["debit_note_number"],
                },
            }
        ],
    }


def credit_memo(line: dict[str, Any], price_adjustment_item_id: str | None) -> dict[str, Any]:
    """The NetSuite credit memo of one claim. A shortage credits its item (so NetSuite restocks
    the units that never left); a price claim credits the price-adjustment item, because the
    units did leave. Raises ValueError when the item to credit is not known."""
    shortage = line["case_class"] == "SHORTAGE"
    item = line["item_id"] if shortage else price_adjustment_item_id
    if not item:
        raise ValueError(
            f"no NetSuite item {line['vendor_sku']} to restock"
            if shortage
            else "no price-adjustment item is configured (NETSUITE_PRICE_ADJUSTMENT_ITEM_ID)"
        )
    kind = "shortage" if shortage else "price claim"
    return to_payload(
        CreditMemoBody(
            externalId=line["credit_memo_external_id"],
            entity=NsRef(id=str(line["customer_id"])),
            tranDate=line["credit_date"],
            memo=f"Amazon {kind} {line['debit_note_number']} accepted "
            f"({line['root_cause'] or 'valid'}): credit note {line['credit_note_id']}",
            otherRefNum=line["debit_note_number"],
            item=CreditMemoItemSublist(
                items=[
                    CreditMemoLine(
                        item=NsRef(id=str(item)),
                        quantity=int(line["units"]),
                        rate=line["unit_amount"],
                        amount=line["amount"],
                        description=f"{line['asin']} {kind} on invoice "
                        f"{line['reference_invoice_number']}",
                    )
                ]
            ),
        )
    )


def settle_valid_claims(
    conn: duckdb.DuckDBPyConnection,
    amazon: AmazonRegions,
    netsuite: NetSuiteClient,
    *,
    price_adjustment_item_id: str | None = None,
    budget_seconds: float = 60.0,
) -> SettlementReport:
    """Send the credit notes not yet sent, poll Amazon's answers, then post the memo of every
    claim whose credit note Amazon accepted (a claim Amazon refused to match, say because it
    reversed it meanwhile, must not credit the customer)."""
    report = SettlementReport()
    lines = credit_note_lines(conn)
    state = ledger_state(conn, CREDIT_NOTE_CHANNEL)
    documents = [
        Document(line["credit_note_id"], rp_credit_note(line), line["vendor_code"])
        for line in lines
    ]
    # A number Amazon accepted is never reused: new, crash-pending and corrected refused ones go.
    todo = [
        doc
        for doc in documents
        if needs_sending(state.get(doc.key), doc.payload_hash, resend_changed=False)
    ]
    send_documents(
        conn,
        CREDIT_NOTE_CHANNEL,
        todo,
        amazon,
        lambda client, bodies: client.submit_invoices(bodies),
        report.amazon,
        api="rp",
    )
    poll_transactions(conn, amazon, CREDIT_NOTE_CHANNEL, "rp", report.amazon, budget_seconds)
    accepted = {
        key
        for key, (status, _) in ledger_state(conn, CREDIT_NOTE_CHANNEL).items()
        if status == "succeeded"
    }
    for line in lines:
        if line["credit_note_id"] not in accepted:
            continue
        try:
            body = credit_memo(line, price_adjustment_item_id)
        except ValueError as exc:
            report.without_memo[line["case_id"]] = str(exc)
            continue
        post_once(
            conn,
            netsuite,
            CREDIT_MEMO_CHANNEL,
            "creditMemo",
            body,
            line["case_id"],
            report.netsuite,
        )
    return report


# Credit notes Amazon refused, while their claim is still valid: a claim Amazon has since
# reversed (won) has nothing left to settle, so its refusal is no longer an exception.
REJECTED_CREDIT_NOTES = f"""
select 'credit_note_rejected' as exception_type, s.submission_key as entity_key,
       c.vendor_code, null as purchase_order_number, c.asin, c.vendor_sku as sku,
       c.case_id as reference,
       'credit note ' || s.submission_key || ' of dispute case ' || c.case_id || ' ('
           || c.amount || ' ' || c.currency || ', debit note ' || c.debit_note_number
           || ') rejected by Amazon: ' || coalesce(s.last_error, '?') as detail
from ops.submissions s
join finance.dispute_credit_note_lines c on c.credit_note_id = s.submission_key
where s.channel = '{CREDIT_NOTE_CHANNEL}' and s.status = 'failed'
"""
