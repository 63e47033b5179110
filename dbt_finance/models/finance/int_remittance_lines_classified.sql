{{ config(
    materialized='incremental', incremental_strategy='delete+insert', unique_key='settlement_date',
    on_schema_change='append_new_columns'
) }}
-- Every remittance line of the window with its deduction class (set-based: one CASE pass over
-- the finance rules seed), the invoice key it belongs to and its lineage.
-- The staged columns finance works from, by name: a field the parsers gain reaches staging by
-- itself and joins this list when the finance layer needs it.
with lines as (
    select
        line_id, file_hash, payment_number, settlement_date, line_no, record_kind, reference,
        base_invoice_key, vendor_code, original_invoice, links_to, amount, invoice_amount,
        discount_amount, withholding_amount, adjustment_reason, transaction_type, description,
        po_number, invoice_date, parent_line_no
    from {{ ref('stg_remittance_lines') }}
    where {{ settlement_window('settlement_date') }}
)

{{ classified_remittance_lines('lines') }}
