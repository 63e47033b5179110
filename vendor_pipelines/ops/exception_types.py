"""Every kind of exception the flows can raise, who owns it, and how loud it is.

Owners are the two teams that work the queues: operations (orders, shipments, inventory) and
finance (remittances, deductions, postings). `blocks` marks exceptions that stop GL posting.
"""

from __future__ import annotations

from dataclasses import dataclass
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


_TYPES = (
    # Order sync (purchase orders -> sales orders -> acknowledgements).
    ExceptionType(
        "quarantined_payload",
        "operations",
        "error",
        "An Amazon or NetSuite payload failed validation and was quarantined",
    ),
    ExceptionType(
        "po_not_mapped", "operations", "error", "Purchase order has no NetSuite sales order"
    ),
    ExceptionType("sku_mapping_gap", "operations", "error", "Amazon ASIN has no NetSuite item"),
    ExceptionType(
        "location_mapping_gap",
        "operations",
        "error",
        "Ship-from party or vendor code has no NetSuite location/customer mapping",
    ),
    ExceptionType(
        "price_discrepancy",
        "operations",
        "warn",
        "PO net cost differs from the NetSuite price beyond tolerance",
    ),
    ExceptionType(
        "acknowledgement_failed", "operations", "error", "Amazon rejected an order acknowledgement"
    ),
    ExceptionType(
        "acknowledgement_overdue",
        "operations",
        "error",
        "Order not acknowledged within Amazon's 24-hour rule",
    ),
    ExceptionType(
        "po_window_closed_open_lines",
        "operations",
        "warn",
        "Ship window closed with backordered or unshipped lines",
    ),
    ExceptionType("transmission_error", "operations", "error", "API call failed after all retries"),
    # Fulfilment, shipment notices, invoices, inventory.
    ExceptionType(
        "asn_validation_failed",
        "operations",
        "error",
        "Fulfilment held: missing weight, container code or SSCC, bad check digit, "
        "or quantity above the PO",
    ),
    ExceptionType(
        "asn_quantity_mismatch",
        "operations",
        "error",
        "ASN quantities diverge from the fulfilment manifest",
    ),
    ExceptionType("asn_rejected", "operations", "error", "Amazon rejected a shipment confirmation"),
    ExceptionType(
        "df_partial_held",
        "operations",
        "warn",
        "Direct Fulfillment order only partly fulfilled; confirmation held",
    ),
    ExceptionType("invoice_rejected", "operations", "error", "Amazon rejected an invoice"),
    ExceptionType(
        "invoice_mismatch",
        "operations",
        "error",
        "Invoice quantities or prices diverge from the ASN or PO",
    ),
    ExceptionType(
        "inventory_update_rejected",
        "operations",
        "error",
        "Amazon rejected a Direct Fulfillment inventory update",
    ),
    # Settlement and finance.
    ExceptionType(
        "remittance_file_rejected",
        "finance",
        "error",
        "Remittance file could not be parsed and was quarantined",
    ),
    ExceptionType(
        "remittance_payment_repeated",
        "finance",
        "info",
        "The same Amazon payment arrived again (in the other format, or re-exported): recorded "
        "as a repeat of the loaded payment, nothing added",
    ),
    # Open while the entry is in the inbox; removing or renaming it resolves the exception.
    ExceptionType(
        "remittance_file_refused",
        "finance",
        "error",
        "Inbox entry not loaded: a symbolic link, hidden or temporary file, folder, "
        "unreadable file or not a remittance file type",
    ),
    ExceptionType(
        "remittance_file_too_large",
        "finance",
        "error",
        "Inbox file above REMITTANCE_MAX_FILE_BYTES; not read or loaded",
    ),
    ExceptionType(
        "unmapped_deduction_code",
        "finance",
        "error",
        "Deduction class has no GL account mapping",
        blocks="gl_posting",
    ),
    ExceptionType(
        "unexplained_variance",
        "finance",
        "error",
        "Settlement variance above tolerance",
        blocks="gl_posting",
    ),
    ExceptionType(
        "settlement_drift",
        "finance",
        "error",
        "Remittance file total does not equal the sum of its lines",
        blocks="gl_posting",
    ),
    ExceptionType(
        "settlement_customer_missing",
        "finance",
        "error",
        "Payment's vendor code has no NetSuite customer to apply it to",
        blocks="gl_posting",
    ),
    ExceptionType(
        "unapplied_cash", "finance", "warn", "Remittance line matches no NetSuite invoice"
    ),
    ExceptionType("posting_failed", "finance", "error", "NetSuite rejected a settlement posting"),
)

EXCEPTION_TYPES: dict[str, ExceptionType] = {t.name: t for t in _TYPES}


def exception_type(name: str) -> ExceptionType:
    try:
        return EXCEPTION_TYPES[name]
    except KeyError:
        raise KeyError(f"unknown exception type {name!r}; register it in exception_types") from None
