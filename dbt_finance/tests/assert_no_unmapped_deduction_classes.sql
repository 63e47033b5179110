{#- warn, not error: a charge whose class has no GL account (UNKNOWN code, or a class missing
    from the finance seed deduction_gl_mapping) holds its own payment through
    settlement_reconciliation.posting_blocked_reason. As an error it stopped every model
    downstream, and so the posting of every other payment of the day. -#}
{{ config(severity='warn') }}
-- A charge must be mapped before its settlement is posted (the payment is held until then).
select settlement_id, charge_id, class_code, reference, debit, credit
from {{ ref('gl_postings') }}
where {{ settlement_window('settlement_date') }}
  and gl_account_number is null
