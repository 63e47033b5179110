select
    file_hash || ':' || line_no as line_id,
    file_hash,
    payment_number,
    settlement_date,
    line_no,
    record_kind,
    reference,
    {{ base_invoice_key('reference') }} as base_invoice_key,
    vendor_code,
    -- lineage as the parser read it: the invoice a claim or in-loop adjustment belongs to, and
    -- the item a reversal points at (empty where the line names neither)
    case when original_invoice is not null then {{ base_invoice_key('original_invoice') }} end
        as original_invoice,
    links_to,
    amount,
    coalesce(invoice_amount, amount) as invoice_amount,
    discount_amount,
    withholding_amount,
    adjustment_reason,
    transaction_type,
    description,
    po_number,
    invoice_date,
    parent_line_no
from {{ source('raw', 'remittance_lines') }}
