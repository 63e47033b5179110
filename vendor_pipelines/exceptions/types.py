"""Every kind of exception the flows can raise, who owns it, how loud it is, and its runbook.

Owners are the two teams that work the queues: operations (orders, shipments, inventory) and
finance (remittances, deductions, postings). `blocks` marks exceptions that stop GL posting.

The runbook fields say, in business words, what an open exception means (`meaning`), what waits
while it is open (`holds`), how to fix its cause (`fix`) and what makes it resolve by itself
(`clears`: every exception is recomputed by the step that detects it, so it resolves when that
step next runs and no longer finds the cause). `shown_on` names the assets whose asset check of
the same name turns red or amber while one is open. `severity` is the type's; a detection may
carry its own (`Detection.severity`, a `severity` column of a detection query) when the type says
when in `louder_when` (a dispute window closing is a warning a week ahead and an error two days
ahead): the exception takes the detection's, else the type's. `docs/runbook.md` is generated
from them (`vendor-pipelines runbook --out docs/runbook.md`, see
`vendor_pipelines.exceptions.runbook`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Owner = Literal["operations", "finance"]
# info: recorded for the record (nothing to fix); warn: look at it; error: fix it.
Severity = Literal["info", "warn", "error"]


@dataclass(frozen=True)
class ExceptionType:
    name: str
    owner: Owner
    severity: Severity
    description: str
    blocks: str | None = None  # what this exception blocks while open, if anything
    # The runbook (docs/runbook.md), in business words.
    meaning: str = field(default="", kw_only=True)
    holds: str = field(default="", kw_only=True)
    fix: str = field(default="", kw_only=True)
    clears: str = field(default="", kw_only=True)
    # Assets (as Dagster writes their keys) carrying the asset check named after this type.
    shown_on: tuple[str, ...] = field(default=(), kw_only=True)
    # When a detection of this type is an error although the type is a warning, in business
    # words; empty: every detection has the type's severity.
    louder_when: str = field(default="", kw_only=True)


_TYPES = (
    # Order sync (purchase orders -> sales orders -> acknowledgements).
    ExceptionType(
        "quarantined_payload",
        "operations",
        "error",
        "An Amazon or NetSuite payload failed validation and was quarantined",
        meaning="A purchase order Amazon sent (RP or DF) could not be landed: a required field is "
        "missing or unreadable (PO number, selling party, order state, order date), the order "
        "has no items, or a line is impossible (no product identifier or item sequence number, "
        "a quantity that is not a positive whole number, a negative cost, two lines with the "
        "same item sequence number). It waits in `raw.amazon_quarantined_payloads` with the "
        "reason; the rest of the batch landed normally.",
        holds="That purchase order only: it gets no NetSuite sales order and the pipeline does "
        "not acknowledge it, so Amazon's 24-hour acknowledgement clock runs without an answer "
        "(an order that never landed raises no `acknowledgement_overdue`).",
        fix="Open the PO in Vendor Central (Orders) and compare it with the reason in the "
        "exception detail. Nothing in NetSuite can repair it: the data came from Amazon. "
        "Acknowledge the order by hand in Vendor Central if it is due, and ask Amazon (Vendor "
        "Central Contact us) to correct the purchase order when the payload is really wrong.",
        clears="When Amazon sends the purchase order again in a valid shape (a changed PO is "
        "pulled by the next order sync) the order lands, leaves quarantine and the exception "
        "resolves at that run. An unchanged PO is not pulled again, so without a change from "
        "Amazon it stays open.",
        shown_on=("raw/amazon_purchase_orders",),
    ),
    ExceptionType(
        "po_not_mapped",
        "operations",
        "error",
        "Purchase order has no NetSuite sales order",
        meaning="An open purchase order still has no NetSuite sales order after the order sync. "
        "The detail gives the reason: no NetSuite location for the ship-from party, no NetSuite "
        "customer for the vendor code, no line that maps to a NetSuite item, every line "
        "cancelled by Amazon, or the sales order upsert failed (with NetSuite's error).",
        holds="The whole PO: nothing can be picked, shipped or invoiced for it. An order with "
        "mapped items but no location or customer is not acknowledged either, so Amazon's "
        "24-hour rule is at risk (`acknowledgement_overdue` follows).",
        fix="Fix the cause the detail names; the companion exceptions on the same PO say which "
        "(`location_mapping_gap`, `sku_mapping_gap`, `transmission_error`). For a failed "
        "upsert, read NetSuite's message: typically a mandatory field, an inactive item, "
        "customer or location, or the integration role lacking permission on sales orders.",
        clears="At the next order sync (every 15 minutes) once the sales order upsert succeeds "
        "(the catalogue snapshot at the start of the sync reads a mapping fixed in NetSuite "
        "first), or once Amazon closes, ships or cancels the PO.",
        shown_on=("orders/sales_orders",),
    ),
    ExceptionType(
        "sku_mapping_gap",
        "operations",
        "error",
        "Amazon ASIN has no NetSuite item",
        meaning="A purchase order line names an ASIN that no NetSuite item carries in its "
        "Amazon ASIN field (`custitem_amazon_asin`).",
        holds="That line: it is left out of the sales order, and the acknowledgement rejects it "
        "(`InvalidProductIdentifier`; a DF order is then rejected whole). With automatic "
        "acknowledgement (the default) that rejection goes to Amazon in the same order sync, "
        "and Amazon does not let a rejected line be accepted later.",
        fix="Set the ASIN on the NetSuite inventory item (custom field Amazon ASIN, "
        "`custitem_amazon_asin`), or create the item if it is new. This fixes the next orders; "
        "for the PO at hand, agree with Amazon (Vendor Central Contact us) whether it will be "
        "re-ordered.",
        clears="At the next order sync after the catalogue snapshot reads the item with its "
        "ASIN, or when Amazon closes, ships or cancels the PO.",
        shown_on=("orders/sales_orders",),
    ),
    ExceptionType(
        "location_mapping_gap",
        "operations",
        "error",
        "Ship-from party or vendor code has no NetSuite location/customer mapping",
        meaning="A purchase order cannot be placed in NetSuite: its ship-from party (the "
        "warehouse Amazon expects it from) matches no NetSuite location, an RP vendor code has "
        "no ship-from warehouse configured, or the vendor code matches no NetSuite customer.",
        holds="The whole PO: no sales order (`po_not_mapped`) and, while any of its items "
        "maps, no acknowledgement, so Amazon's 24-hour rule runs out "
        "(`acknowledgement_overdue`). Fix it the same day.",
        fix="As the detail says: set the Amazon party id (`custrecord_amazon_party_id`) on the "
        "NetSuite location that ships it; for an RP vendor code without a warehouse, add "
        "`VENDOR=PARTY` to the setting `RP_SHIP_FROM_BY_VENDOR_CODE` (the pipeline never "
        "guesses a warehouse); for a vendor code without a customer, set the Amazon vendor code "
        "(`custentity_amazon_vendor_code`) on the NetSuite customer that bills it.",
        clears="At the next order sync: its catalogue snapshot reads the locations, customers "
        "and the ship-from setting, and the PO resolves. It also clears when Amazon closes, "
        "ships or cancels the PO.",
        shown_on=("orders/sales_orders",),
    ),
    ExceptionType(
        "price_discrepancy",
        "operations",
        "warn",
        "PO net cost differs from the NetSuite price beyond tolerance",
        meaning="Amazon ordered a line at a net cost that differs from the NetSuite item's "
        "price by more than `PRICE_TOLERANCE_PCT` (default 1 %) or one cent, whichever is "
        "larger. The sales order still carries Amazon's PO cost, because Amazon pays the PO "
        "cost and the invoice must carry it.",
        holds="Nothing is held: the order, and later its invoice, carry Amazon's PO cost. It "
        "warns that your NetSuite price and Amazon's cost disagree: the order's margin is not "
        "what NetSuite expects, or a cost change has not reached one side.",
        fix="Find which cost is right. If Amazon's cost is the agreed one, update the item's "
        "base price in NetSuite. If not, raise it with Amazon (your vendor manager, or a cost "
        "change in Vendor Central) before you ship and invoice.",
        clears="At the next order sync once the prices agree within tolerance (the catalogue "
        "snapshot reads the new NetSuite price first; a changed PO cost is pulled again), or "
        "when Amazon closes, ships or cancels the PO.",
        shown_on=("orders/sales_orders",),
    ),
    ExceptionType(
        "acknowledgement_failed",
        "operations",
        "error",
        "Amazon rejected an order acknowledgement",
        meaning="An order acknowledgement (RP per line, DF whole order) did not go through: "
        "Amazon answered its transaction with Failure (its error text is in the detail), or the "
        "call failed after every retry (then a `transmission_error` is open beside it).",
        holds="The whole PO downstream: the pipeline sends a PO's shipment notice only after "
        "Amazon accepted its acknowledgement, and its invoice only after the shipment notice.",
        fix="Read Amazon's error in the detail. A call that never reached Amazon needs nothing: "
        "the next order sync sends the same acknowledgement again. An acknowledgement Amazon "
        "processed and refused is never re-sent (a second answer would answer the PO twice): "
        "acknowledge the PO by hand in Vendor Central (Orders), and handle its shipment notice "
        "and invoice there too, since the pipeline will not send them; fix what Amazon objected "
        "to for the next orders.",
        clears="When the acknowledgement is sent again and not refused: automatically for a "
        "call that never reached Amazon (next order sync). One Amazon refused stays open as the "
        "record of the refusal; nothing in the pipeline re-sends it.",
        shown_on=("orders/acknowledgements",),
    ),
    ExceptionType(
        "acknowledgement_overdue",
        "operations",
        "error",
        "Order not acknowledged within Amazon's 24-hour rule",
        meaning="A purchase order still in state New on Amazon has had no acknowledgement sent "
        "for more than 24 hours after its order date. Amazon expects every line answered within "
        "24 hours; a late or missing answer counts against the PO confirmation rate, which can "
        "bring chargebacks.",
        holds="The PO: it is not confirmed to Amazon, so nothing should ship against it.",
        fix="Find why no acknowledgement went: a mapping gap on the same PO "
        "(`location_mapping_gap`, `sku_mapping_gap`, `po_not_mapped`), a failed or refused "
        "acknowledgement (`acknowledgement_failed`, `transmission_error`), or automatic "
        "acknowledgement switched off for the program (`AUTO_ACKNOWLEDGE_RP` / "
        "`AUTO_ACKNOWLEDGE_DF` = false: then the pipeline sends none). Fix that cause, or "
        "acknowledge the PO by hand in Vendor Central (Orders) if it cannot wait.",
        clears="At the next order sync once the acknowledgement has been sent, or once Amazon no "
        "longer shows the PO as New (acknowledged by hand, cancelled or closed: the change is "
        "pulled with the purchase orders).",
        shown_on=("orders/acknowledgements",),
    ),
    ExceptionType(
        "po_window_closed_open_lines",
        "operations",
        "warn",
        "Ship window closed with backordered or unshipped lines",
        meaning="A PO's ship window has closed while its NetSuite sales order still had "
        "unfulfilled lines, and closing those lines in NetSuite failed (NetSuite's error is in "
        "the detail). Lines closed successfully are only recorded (`orders.closed_po_lines`), "
        "never an exception.",
        holds="Nothing is stopped, but the open lines invite a late shipment Amazon will refuse "
        "and, for units Amazon still counts on the PO, a shortage claim later.",
        fix="Read NetSuite's error (a locked or deleted sales order, missing permission). Close "
        "the remaining lines by hand on the sales order in NetSuite (line Closed), or fix the "
        "cause and let the run try again.",
        clears="Only when the window-closing run for the same purchase orders runs again and "
        "finds nothing left open: re-execute the `po_window_close` run that reported it (Runs, "
        "the run, Re-execute). A later run for other POs does not re-judge it.",
        shown_on=("orders/closed_po_lines",),
    ),
    ExceptionType(
        "transmission_error",
        "operations",
        "error",
        "API call failed after all retries",
        meaning="A call to NetSuite or Amazon failed after every retry (outage, throttling, "
        "timeouts, authentication, permissions), or a whole Dagster run failed and no later run "
        "of the same job has succeeded yet (entity `run|<job>`). The detail names the call and "
        "the error.",
        holds="The one document or record the call was for (a sales order, acknowledgement, "
        "ASN, invoice or inventory update); for a failed run, whatever that run did not finish.",
        fix="Usually nothing: the write stays pending in the submission ledger and the next "
        "run sends it again under the same key, so nothing is duplicated. If it repeats, read "
        "the error: NetSuite `INVALID_LOGIN` (credentials, token or certificate), `USER_ERROR` "
        "(the integration role's permissions), `CONCURRENCY_LIMIT_EXCEEDED` "
        "(`NETSUITE_CONCURRENCY_LIMIT` above the account's limit); Amazon 403 Unauthorized "
        "(an expired or revoked Login with Amazon refresh token, or a missing role). For a failed "
        "run, open it under Runs in the Dagster UI.",
        clears="At the next run of the same asset in which the call goes through (the pipeline "
        "retries by itself). A failed run's exception clears once a later run of the same job "
        "succeeds, when `ops/exceptions` next materializes.",
        shown_on=("orders/sales_orders", "fulfilment/invoice_submissions"),
    ),
    # Fulfilment, shipment notices, invoices, inventory.
    ExceptionType(
        "asn_validation_failed",
        "operations",
        "error",
        "Fulfilment held: missing weight, container code or SSCC, bad check digit, "
        "or quantity above the PO",
        meaning="A shipped NetSuite item fulfilment failed the validation gate and its shipment "
        "notice (RP ASN or DF confirmation) was not sent: a package without weight, without a "
        "carton SSCC, an SSCC-18 with a wrong check digit (carton or pallet), no packages at "
        "all, a line Amazon did not order, or quantities that would exceed the PO together with "
        "earlier fulfilments. The detail lists every problem.",
        holds="The shipment notice of that fulfilment, and therefore its invoice, which is only "
        "sent after Amazon accepted the shipment notice. A late or wrong ASN is an ASN "
        "chargeback, so fix it before the goods arrive.",
        fix="Correct the item fulfilment in NetSuite: package weight (`packageWeight`), carton "
        "SSCC (`packageCartonNumber`: an SSCC-18, 18 digits, optionally after the label's `00`, "
        "whose last digit is the GS1 check digit), pallet SSCC (`custpackage_pallet_sscc`), the "
        "packages themselves, or the fulfilled quantities and lines so they match the PO.",
        clears="At the next fulfilment sync (every 15 minutes): the changed fulfilment is "
        "landed again, passes the gate, and its shipment notice is sent.",
        shown_on=("fulfilment/shipment_confirmations",),
    ),
    ExceptionType(
        "asn_quantity_mismatch",
        "operations",
        "error",
        "ASN quantities diverge from the fulfilment manifest",
        meaning="Quantities do not agree between what was packed and what Amazon was told. "
        "Either the cartons' packed contents do not add up to the fulfilment's lines (the "
        "fulfilment is held and not sent), or a shipment notice Amazon already accepted says "
        "other quantities than the fulfilment now shows (it was changed after the ASN went).",
        holds="A held fulfilment's ASN and invoice; for an accepted ASN, Amazon receives "
        "against quantities that are not what shipped, which turns into shortage claims or "
        "overage chargebacks.",
        fix="Make the package contents (`custpackage_contents`) and the fulfilment lines agree "
        "in NetSuite. When an accepted ASN differs, the pipeline sends a Replace by itself; "
        "Amazon accepts a Replace only for lower quantities, so if it refuses, put the "
        "fulfilment back to what Amazon accepted (the refused Replace is withdrawn) and ship "
        "the difference on a new fulfilment.",
        clears="At the next fulfilment sync once the packed contents match the lines, or once "
        "the shipment notice Amazon holds (Original or an accepted Replace) matches the "
        "fulfilment again.",
        shown_on=("fulfilment/shipment_confirmations",),
    ),
    ExceptionType(
        "asn_rejected",
        "operations",
        "error",
        "Amazon rejected a shipment confirmation",
        meaning="Amazon answered a shipment notice with Failure: an RP ASN (Original or "
        "Replace), a DF shipment confirmation or a DF shipment status update. Amazon's error "
        "code and message are in the detail.",
        holds="The shipment's confirmation, and the invoice that waits for it; Amazon treats "
        "the shipment as not notified (ASN chargebacks).",
        fix="Read Amazon's error and correct the item fulfilment in NetSuite (packages, SSCCs, "
        "quantities, ship dates). An unchanged rejected document is never re-sent; one whose "
        "content changed is sent again under the same shipment id. A refused Replace is "
        "withdrawn once the fulfilment is put back to what Amazon accepted.",
        clears="At the next fulfilment sync after the corrected document is sent again (it "
        "reopens if Amazon refuses that one too), or when a refused Replace is withdrawn.",
        shown_on=("fulfilment/shipment_confirmations",),
    ),
    ExceptionType(
        "df_partial_held",
        "operations",
        "warn",
        "Direct Fulfillment order only partly fulfilled; confirmation held",
        meaning="A Direct Fulfillment order has shipped fulfilments that do not cover every "
        "ordered unit. DF orders ship complete or not at all, so no shipment confirmation is "
        "sent until they do; the detail lists the shortfall per item.",
        holds="The order's shipment confirmation, status update and invoice.",
        fix="Fulfil the remaining units in NetSuite so the fulfilments cover the whole order. "
        "If the rest cannot ship, take it up with Amazon (Vendor Central Contact us): the "
        "pipeline never confirms part of a DF order.",
        clears="At the next fulfilment sync once the fulfilments cover every ordered unit; the "
        "confirmation then goes out.",
        shown_on=("fulfilment/df_shipments",),
    ),
    ExceptionType(
        "invoice_rejected",
        "operations",
        "error",
        "Amazon rejected an invoice",
        meaning="Amazon answered an invoice (RP submitInvoices or DF submitInvoice) with "
        "Failure; its error code, message and field are in the detail.",
        holds="Payment of that invoice: Amazon does not pay an invoice it has not accepted.",
        fix="Correct the invoice in NetSuite as Amazon's error says (totals, tax, bill-to "
        "party, an item, a date before the PO). A fixed invoice (new content) is sent again "
        "under the same invoice number; an unchanged rejected invoice is never re-sent.",
        clears="At the next fulfilment sync after the corrected invoice is sent again (it "
        "reopens if Amazon refuses it once more).",
        shown_on=("fulfilment/invoice_submissions",),
    ),
    ExceptionType(
        "invoice_mismatch",
        "operations",
        "error",
        "Invoice quantities or prices diverge from the ASN or PO",
        meaning="A NetSuite invoice failed the three-way match and was not sent: a line's rate "
        "differs from the PO net cost, a quantity differs from what its fulfilment shipped, a "
        "line is not on the PO, the header total is not lines + freight + discount + tax, or a "
        "Direct Fulfillment invoice carries a discount (Amazon's DF invoice has no allowances). "
        "The detail names each problem.",
        holds="That invoice, and so the cash for it. An invoice above the PO cost that did go "
        "out would come back as a price claim.",
        fix="Correct the invoice in NetSuite: rates at the PO net cost, quantities as shipped, "
        "lines that are on the PO, header amounts that add up. Credit a DF discount separately "
        "instead of putting it on the invoice.",
        clears="At the next fulfilment sync: the changed invoice is landed again, passes the "
        "match and is sent (once its shipment notice is accepted).",
        shown_on=("fulfilment/invoice_submissions",),
    ),
    ExceptionType(
        "inventory_update_rejected",
        "operations",
        "error",
        "Amazon rejected a Direct Fulfillment inventory update",
        meaning="Amazon answered a Direct Fulfillment inventory update for one warehouse and "
        "vendor code with Failure; its error is in the detail.",
        holds="Amazon keeps the last availability it accepted for that warehouse, so it may "
        "sell units you do not have (cancellations count against you) or stop selling units "
        "you do.",
        fix="Read Amazon's error: it names what it refused, for instance an item it does not "
        "list for that warehouse (the NetSuite item's ASIN `custitem_amazon_asin` or its SKU), "
        "or a warehouse (the NetSuite location's Amazon party id) and vendor code that are not "
        "set up for Direct Fulfillment together. Correct the item or location in NetSuite, or "
        "take it up with Amazon.",
        clears="By itself once a later update of the same warehouse and vendor code is "
        "accepted (the DF inventory run is hourly; the first update of each day is a full "
        "one).",
        shown_on=("fulfilment/df_inventory_updates",),
    ),
    # Settlement and finance.
    ExceptionType(
        "remittance_file_rejected",
        "finance",
        "error",
        "Remittance file could not be parsed and was quarantined",
        meaning="A remittance file in the inbox (EDI 820 or Vendor Central Payments export) was "
        "rejected whole: it does not parse (the detail names line, segment and field), it is cut "
        "short, it gives an already loaded payment another amount or currency, or it mixes "
        "loaded payments with new ones. Nothing of it was loaded.",
        holds="The payments in that file: they are not settled, applied or posted until a good "
        "file brings them.",
        fix="Get a good copy: download the 820 again, or export the payment again from Vendor "
        "Central (Payments). Check it with `vendor-pipelines remittance check FILE` before "
        "dropping it in the inbox. For a file mixing loaded and new payments, export the new "
        "payments alone.",
        clears="When a good file loads after it carrying one of the payments the rejected file "
        "named, or a good file with the same name when the rejected one named no payment (a "
        "partial upload).",
        shown_on=("raw/remittance_payments",),
    ),
    ExceptionType(
        "remittance_payment_repeated",
        "finance",
        "info",
        "The same Amazon payment arrived again (in the other format, or re-exported): recorded "
        "as a repeat of the loaded payment, nothing added",
        meaning="A file brought only payments that are loaded already, with the same amounts "
        "and currencies: typically the 820 and the Vendor Central export of one payment, or a "
        "re-export. It was recorded as a repeat (`raw.remittance_repeats`) and added nothing.",
        holds="Nothing: the payment was loaded once, from the first file that brought it.",
        fix="Nothing to fix. If the repeat was meant to complete a payment (lines hidden in the "
        "first export), see `settlement_drift`: a repeat never replaces what was loaded.",
        clears="It does not: it stays as the record of the repeat. Being informational it has "
        "no asset check and colours nothing in the UI.",
    ),
    # Open while the entry is in the inbox; removing or renaming it resolves the exception.
    ExceptionType(
        "remittance_file_refused",
        "finance",
        "error",
        "Inbox entry not loaded: a symbolic link, hidden or temporary file, folder, "
        "unreadable file or not a remittance file type",
        meaning="Something in the remittance inbox (`REMITTANCE_INBOX`) is not loaded and never "
        "will be as it is: a symbolic link (never followed), a hidden or temporary name (`.name`, "
        "`~$name`, `*.part`, `*.tmp`, ...), a folder, a file the pipeline cannot read, or a "
        "file type other than `.820`, `.edi`, `.x12`, `.txt`, `.csv`.",
        holds="The entry itself: if it holds a remittance, its payments are not loaded.",
        fix="Put the real file in under its final name: wait for an upload to finish (or "
        "upload under a temporary name and rename), copy the file instead of linking it, move "
        "files out of folders, fix read permissions, save exports as `.csv`. Remove entries "
        "that do not belong there.",
        clears="When the entry leaves the inbox or is renamed to something the inbox takes: the "
        "inbox sensor notices the change and starts a review run.",
        shown_on=("raw/remittance_payments",),
    ),
    ExceptionType(
        "remittance_file_too_large",
        "finance",
        "error",
        "Inbox file above REMITTANCE_MAX_FILE_BYTES; not read or loaded",
        meaning="A file in the remittance inbox is larger than `REMITTANCE_MAX_FILE_BYTES` "
        "(default 50 MB) and was not read.",
        holds="The payments in that file.",
        fix="Export smaller files from Vendor Central (Payments, a shorter date range) and "
        "remove the large one; or, if such files are normal for you, raise "
        "`REMITTANCE_MAX_FILE_BYTES`.",
        clears="When the file leaves the inbox (or the limit is raised and the file is taken): "
        "the inbox sensor notices the change and starts a review run.",
        shown_on=("raw/remittance_payments",),
    ),
    ExceptionType(
        "unmapped_deduction_code",
        "finance",
        "error",
        "Deduction class has no GL account mapping",
        blocks="gl_posting",
        meaning="A deduction on a payment has no GL account: no classification rule matched "
        "the line (class `UNKNOWN`: an unfamiliar line id, description or X12 reason code), or "
        "its class is missing from the GL mapping. The detail names the class, the line and the "
        "payment.",
        holds="GL posting of that payment only: no customer payment and no journal entry go to "
        "NetSuite for it; the other payments of the day post.",
        fix="For `UNKNOWN`, find the line in Vendor Central (Payments, the payment's remittance) "
        "to see what Amazon took, then add a rule to `dbt_finance/seeds/deduction_rules.csv` "
        "(line id pattern, description or reason code -> class). For a known class without an "
        "account, add it to `dbt_finance/seeds/deduction_gl_mapping.csv` (GL account, owner, "
        "dispute window). `vendor-pipelines remittance check FILE` shows how a file classifies "
        "with the seeds as they are. Deploy the seed change: the next build reads it.",
        clears="When the settlement day is built again with the seed fix: the held-payment "
        "sensor re-settles a day holding payments every `HELD_SETTLEMENT_RETRY_MINUTES` "
        "(default 60), then the payment posts and the exception resolves.",
        shown_on=("finance/netsuite_postings",),
    ),
    ExceptionType(
        "unexplained_variance",
        "finance",
        "error",
        "Settlement variance above tolerance",
        blocks="gl_posting",
        meaning="A payment does not reconcile: invoiced - terms discounts - identified "
        "deductions - timing items (provisions) - paid is not zero within `VARIANCE_TOLERANCE` "
        "(to the cent by default). Typical causes: an invoice line matching no NetSuite invoice "
        "(`unapplied_cash`), a deduction nobody classified, a short payment without a claim, "
        "lines hidden from the export.",
        holds="GL posting of that payment only; the other payments of the day post.",
        fix="Open the payment's rows in `finance.cash_application` and "
        "`finance.settlement_reconciliation` (in the analysts' copy, `ANALYTICS_DUCKDB_PATH`) "
        "and compare them with the payment in Vendor Central (Payments). Fix the cause: land the "
        "missing invoice in NetSuite under the number Amazon pays, classify the unknown "
        "deduction in the seeds, see the payment's other exceptions. Raise the tolerance only "
        "as a policy decision.",
        clears="When the settlement day is built again and the payment ties: the held-payment "
        "sensor re-settles the day as soon as NetSuite customers or invoices change, and every "
        "`HELD_SETTLEMENT_RETRY_MINUTES` otherwise.",
        shown_on=("finance/netsuite_postings",),
    ),
    ExceptionType(
        "settlement_drift",
        "finance",
        "error",
        "Remittance file total does not equal the sum of its lines",
        blocks="gl_posting",
        meaning="A payment's amount differs from the sum of the lines its file showed. Files "
        "that do not add up are rejected at load, so what remains is a Vendor Central export "
        "that marked the payment's lines as hidden (the exporting user lacks some vendor "
        "codes).",
        holds="GL posting of that payment only.",
        fix="In Vendor Central, give the exporting user access to every vendor code and export "
        "the payment again to see all its lines. A new export does not replace the loaded "
        "payment (it is recorded as a repeat) and there is no command to replace it yet: ask "
        "data engineering to reload the payment from the complete file. Until then nothing is "
        "posted for it.",
        clears="Only when the loaded payment's lines add up to its amount and its settlement "
        "day is built again; a repeat export does not change what was loaded.",
        shown_on=("finance/netsuite_postings",),
    ),
    ExceptionType(
        "settlement_customer_missing",
        "finance",
        "error",
        "Payment's vendor code has no NetSuite customer to apply it to",
        blocks="gl_posting",
        meaning="No NetSuite customer can be found for a payment: none of the invoices it pays "
        "is in NetSuite, and no NetSuite invoice is billed under its payee vendor code.",
        holds="GL posting of that payment only.",
        fix="Make sure the invoices the payment pays exist in NetSuite, billed to the Amazon "
        "customer of that vendor code (customer field `custentity_amazon_vendor_code`, invoice "
        "field `custbody_amazon_vendor_code`), and that the invoice numbers are the ones Amazon "
        "pays. The fulfilment sync lands new and changed invoices every 15 minutes.",
        clears="When the settlement day is built again and finds the customer: the held-payment "
        "sensor re-settles the day as soon as NetSuite customers or invoices change.",
        shown_on=("finance/netsuite_postings",),
    ),
    ExceptionType(
        "unapplied_cash",
        "finance",
        "warn",
        "Remittance line matches no NetSuite invoice",
        meaning="Amazon paid an invoice number that matches no NetSuite invoice, even after "
        "normalising it (upper case, shortage suffixes stripped, `_` read as `-`). The cash "
        "cannot be applied.",
        holds="Not by itself, but the unmatched cash also shows as unexplained variance on its "
        "payment, which holds that payment's posting.",
        fix="Look the number up in NetSuite: the invoice may not be landed yet, may carry "
        "another number than the one sent to Amazon, or may have been billed outside this "
        "integration. Make the invoice exist in NetSuite under the number Amazon pays; never "
        "write the cash off silently.",
        clears="When the settlement day is built again and the line matches an invoice (the "
        "held-payment sensor re-settles the day when NetSuite invoices change).",
        shown_on=("finance/netsuite_postings",),
    ),
    ExceptionType(
        "posting_failed",
        "finance",
        "error",
        "NetSuite rejected a settlement posting",
        meaning="A verified payment was not posted: NetSuite rejected its customer payment or "
        "journal entry (its message is in the detail), the posting could not be built (no "
        "invoice to apply cash to, a journal line without an account), or its journal does not "
        "balance.",
        holds="That payment's posting to NetSuite (customer payment and deduction journal).",
        fix="Read NetSuite's message: a closed accounting period, an inactive or wrong GL "
        "account (check `gl_account_number` in `deduction_gl_mapping.csv`), a missing mandatory "
        "field, a locked record or the integration role's permissions. Fix it in NetSuite or "
        "the seed. A payment that applies cash to no invoice cannot be posted by the pipeline: "
        "record it in NetSuite by hand.",
        clears="At the next run of that settlement day that posts it (postings are upserts by "
        "external id, so a re-run never posts twice). A NetSuite rejection is not retried by "
        "the held-payment sensor: once the cause is fixed, materialize the day's "
        "`finance/netsuite_postings` partition again (or run the day's `nightly_settlement`). "
        "An unbalanced journal holds its payment, so that day is re-settled by the sensor.",
        shown_on=("finance/netsuite_postings",),
    ),
    # Disputes (finance.dispute_cases): deadlines that cannot be missed.
    ExceptionType(
        "dispute_window_closing",
        "finance",
        "warn",
        "A claim we can still dispute has 7 days or fewer left in its dispute window",
        meaning="A shortage claim, price claim or chargeback Amazon took is still ours to "
        "dispute and nobody has recorded it as submitted: its case (`finance.dispute_cases`) is "
        "`disputable` (our own records show Amazon is wrong) or `open` (records are missing, "
        "so it is not judged yet), and its dispute window closes in 7 days or fewer. The window "
        "is the deduction type's (`dispute_window_days` in `deduction_gl_mapping.csv`), counted "
        "from the invoice's due date for shortage and price claims and from the day Amazon took "
        "it for chargebacks, never past 24 months from the invoice. The detail gives the case "
        "id, the amount still held, the deadline, the days left and the judgement.",
        holds="Nothing yet: the money sits on 1205 (deductions in dispute; a chargeback on "
        "6200). Once the deadline passes Amazon no longer takes the dispute and the amount is "
        "lost (`dispute_expired`): written off to 6900, or kept on 6200 for a chargeback.",
        fix="Write the evidence packet with `vendor-pipelines disputes packet CASE_ID` (a PDF "
        "and the CSV Vendor Central asks for) and upload it in Vendor Central before the "
        "deadline: Payments, Invoices, the invoice, dispute the shortage or the price "
        "discrepancy; Reports, Operational Performance for a chargeback. Then record it with "
        "`vendor-pipelines disputes submitted CASE_ID --by NAME`. For an `open` case, the "
        "judgement sentence says which record is missing (shipment notice, carton, invoice "
        "line); find it, or dispute with what there is rather than let the window close.",
        clears="At the next run of `finance/dispute_deadlines` (every settlement run, nightly "
        "included) once the case is recorded as submitted, judged valid, or reversed by Amazon. "
        "A case whose deadline passes unsubmitted becomes `dispute_expired` instead.",
        shown_on=("finance/dispute_deadlines",),
        louder_when="2 days or fewer are left before the deadline",
    ),
    ExceptionType(
        "credit_note_rejected",
        "finance",
        "error",
        "Amazon rejected the credit note that settles a valid claim",
        meaning="A valid shortage or price claim is settled with an RP credit note to Amazon "
        "(`CN-<case id>`, from `finance.dispute_credit_note_lines`) that names Amazon's debit "
        "note (the claim's reference) and the invoice it was taken on. Amazon answered it "
        "with Failure; its error code and message are in the detail (an unknown invoice or "
        "debit note, a credit above what the claim still holds, a claim already settled).",
        holds="The NetSuite credit memo of that claim: it is posted only after Amazon accepts "
        "the credit note, so both sides agree. The claim stays booked as right on its contra "
        "account (4170 shortages, 4160 price) through its reclass journal; no money moves, "
        "because Amazon netted the claim already.",
        fix="Read Amazon's error. A claim Amazon reversed meanwhile is no longer valid (the "
        "case turns won or partly won at the next settlement run): nothing to do. A wrong "
        "reference is a data problem in the remittance or the invoice; correct it at the "
        "source. A credit note whose content the correction changes is sent again under its "
        "number at the next run (Amazon stored nothing under a number it refused); an "
        "unchanged one is never re-sent.",
        clears="At the next run of `finance/dispute_credit_notes` once the case is no longer "
        "valid (Amazon reversed the claim after all).",
        shown_on=("finance/dispute_credit_notes",),
    ),
    ExceptionType(
        "dispute_expired",
        "finance",
        "error",
        "A claim's dispute window closed and it was never disputed",
        meaning="A case of `finance.dispute_cases` passed its dispute deadline without being "
        "recorded as submitted (status `expired`, or still `open` or `disputable` with its "
        "deadline behind us): Amazon keeps the money. The detail gives the case id, the amount "
        "lost, the deadline and the judgement; a `disputable` judgement means money our records "
        "prove was ours.",
        holds="Nothing is stopped. The amount is a loss: for a shortage or price claim the "
        "case's reclass journal (`AMZ-DJE-<case id>`, from `finance.dispute_journal_lines`) "
        "moves it from 1205 to 6900 deduction write-offs; a chargeback was expensed on 6200 "
        "when Amazon took it and stays there.",
        fix="Nothing brings the window back. Make sure the write-off journal reached NetSuite "
        "(it is posted once, with the other dispute journals). Then find why the case was "
        "missed (nobody owned it, the packet was written but not uploaded, the submission was "
        "not recorded) so the next one is disputed while `dispute_window_closing` is amber.",
        clears="For a shortage or price claim, when its write-off journal `AMZ-DJE-<case id>` "
        "has been accepted by NetSuite and 30 days have passed since the deadline; for a "
        "chargeback, 30 days after the deadline. Checked at each run of "
        "`finance/dispute_deadlines`. A reversal Amazon pays anyway makes the case won and "
        "clears it at that run.",
        shown_on=("finance/dispute_deadlines",),
    ),
)

EXCEPTION_TYPES: dict[str, ExceptionType] = {t.name: t for t in _TYPES}


def exception_type(name: str) -> ExceptionType:
    try:
        return EXCEPTION_TYPES[name]
    except KeyError:
        raise KeyError(f"unknown exception type {name!r}; register it in exception_types") from None
