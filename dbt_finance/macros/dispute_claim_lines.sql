{#- The charge lines of the dispute cases as of the end of the window: every shortage, price
    claim and chargeback Amazon took or reversed, each with its case (case_id, case_class,
    claim_key) and its payment's customer and currency. One definition for the judgement
    (int_dispute_judgements) and for the hash of what it reads (int_dispute_case_fingerprints),
    so both see the same cases. `charges` and `settlements` are the models' refs. -#}
{% macro dispute_claim_lines(charges, settlements) -%}
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
    from {{ charges }} as c
    join {{ settlements }} as s using (payment_number)
    where c.settlement_date <= {{ as_of_date() }}
      and c.class_code in ('SHORTAGE', 'SHORTAGE_REVERSAL', 'PRICE_CLAIM',
                           'PRICE_CLAIM_REVERSAL', 'CHARGEBACK')
      and c.amount <> 0
) as l
{%- endmacro %}

{#- A group of lines is a case once Amazon took something (a reversal seen before its claim is
    not one yet). -#}
{% macro dispute_claim_is_open(amount) -%}
    coalesce(-sum({{ amount }}) filter (where {{ amount }} < 0), 0) > 0
{%- endmacro %}
