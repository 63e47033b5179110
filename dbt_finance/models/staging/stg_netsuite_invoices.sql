-- invoice_key is the normalised invoice number both sides of cash application join on. No
-- dedup window here (it would re-rank every invoice on each nightly run); a key NetSuite holds
-- twice is caught by the warn test below and, if it ever matches, by the unique line_id test
-- on cash_application, which blocks posting.
select
    invoice_id,
    tranid,
    {{ base_invoice_key('tranid') }} as invoice_key,
    external_id,
    po_number,
    vendor_code,
    customer_id,
    trandate,
    due_date,
    terms,
    total,
    amount_remaining,
    status,
    currency
from {{ source('raw', 'netsuite_invoices') }}
