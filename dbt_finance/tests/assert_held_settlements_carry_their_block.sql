{#- error, and so blocking: this is the posting gate itself. The per-payment tests above only
    warn because posting_blocked_reason holds the bad payment; if a payment showing one of their
    conditions were not held, it would be posted, so a gap here must stop the day. -#}
{#- Two models in, so Dagster needs to be told which asset the check belongs to: the gate. -#}
{{ config(severity='error', meta={'dagster': {'ref': {'name': 'settlement_reconciliation'}}}) }}
-- Every payment with an unmapped charge, unexplained variance, settlement drift, no NetSuite
-- customer or an unbalanced journal is held (not postable) and says why.
with unmapped as (
    select distinct settlement_id
    from {{ ref('gl_postings') }}
    where {{ settlement_window('settlement_date') }}
      and gl_account_number is null
),

unbalanced as (
    select settlement_id
    from {{ ref('gl_postings') }}
    where {{ settlement_window('settlement_date') }}
    group by settlement_id
    having sum(debit) <> sum(credit)
)

select r.reconciliation_id, r.settlement_id, r.posting_blocked_reason, r.is_postable
from {{ ref('settlement_reconciliation') }} as r
where {{ settlement_window('r.settlement_date') }}
  and r.grain = 'payment'
  and (
      r.settlement_id in (select settlement_id from unmapped)
      or r.settlement_id in (select settlement_id from unbalanced)
      or r.is_within_tolerance is not true
      or r.file_drift is distinct from 0
      or r.customer_id is null
  )
  and (r.posting_blocked_reason is null or r.is_postable is distinct from false)
