-- Every column of the raw table (one per field the parsers give a line, see
-- vendor_pipelines/finance/ddl.py), plus the line's key and its base invoice key: a field the
-- parsers gain reaches this model, and what is built on it, with no edit here.
select
    file_hash || ':' || line_no as line_id,
    {{ base_invoice_key('reference') }} as base_invoice_key,
    * replace (
        coalesce(invoice_amount, amount) as invoice_amount,
        -- lineage as the parser read it: the invoice a claim or in-loop adjustment belongs to,
        -- normalised like every invoice key
        case when original_invoice is not null then {{ base_invoice_key('original_invoice') }} end
            as original_invoice
    )
from {{ source('raw', 'remittance_lines') }}
