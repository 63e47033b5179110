{{ config(
    materialized='incremental', incremental_strategy='delete+insert', unique_key='settlement_date',
    on_schema_change='append_new_columns'
) }}
-- The charge lines of the dispute cases, day by day: every shortage, price claim and chargeback
-- Amazon took or reversed, each with its case (case_id, case_class, claim_key), its payment's
-- customer and currency, and the hash of the line (line_hash). Stored per settlement day like
-- the charges it comes from, so a night reads its own day's charges once: the judgement
-- (int_dispute_judgements) and the hash of what it reads (int_dispute_case_fingerprints) take
-- their cases' lines from here as of the end of the window, instead of each picking them out
-- of a year of charges and hashing them again.
select l.*, hash(l) as line_hash
from (
    select
        case l.case_class
            when 'SHORTAGE' then 'SC-'
            when 'PRICE_CLAIM' then 'PC-'
            else 'CB-'
        end || l.claim_key as case_id,
        l.*
    from (
        select
            c.line_id,
            c.settlement_date,
            c.reference,
            c.base_invoice_key,
            c.original_invoice,
            c.vendor_code,
            c.amount,
            c.description,
            c.adjustment_reason,
            c.po_number,
            s.customer_id,
            s.currency,
            case
                when c.class_code in ('SHORTAGE', 'SHORTAGE_REVERSAL') then 'SHORTAGE'
                when c.class_code in ('PRICE_CLAIM', 'PRICE_CLAIM_REVERSAL') then 'PRICE_CLAIM'
                else 'CHARGEBACK'
            end as case_class,
            -- a re-claim (INV-1SCRSC) re-opens the claim it follows (INV-1SC): one case per chain
            case
                when c.class_code in ('SHORTAGE', 'SHORTAGE_REVERSAL')
                    then regexp_replace(c.claim_key, '^(.*[0-9]SC)(R|SC)*$', '\1')
                else c.claim_key
            end as claim_key
        from {{ ref('int_settlement_charges') }} as c
        join {{ ref('int_settlements') }} as s using (payment_number)
        where {{ settlement_window('c.settlement_date') }}
          and c.class_code in ('SHORTAGE', 'SHORTAGE_REVERSAL', 'PRICE_CLAIM',
                               'PRICE_CLAIM_REVERSAL', 'CHARGEBACK')
          and c.amount <> 0
    ) as l
) as l
