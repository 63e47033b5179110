{#- warn, not error: the payment out of tolerance is held by posting_blocked_reason; the others
    of the day post (see assert_held_settlements_carry_their_block for the gate itself). -#}
{{ config(severity='warn') }}
-- A payment whose invoiced - discounts - deductions - timing - paid is not zero within
-- tolerance (var variance_tolerance, VARIANCE_TOLERANCE, default 0.00) is not posted.
select reconciliation_id, invoiced_amount, paid_amount, unexplained_variance, variance_tolerance
from {{ ref('settlement_reconciliation') }}
where {{ settlement_window('settlement_date') }}
  and grain = 'payment'
  and not is_within_tolerance
