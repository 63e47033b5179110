{{ config(severity='error') }}
-- Blocking: a payment whose invoiced - discounts - deductions - timing - paid is not zero within
-- tolerance (var variance_tolerance_abs / variance_tolerance_pct) is not posted.
select reconciliation_id, invoiced_amount, paid_amount, unexplained_variance, variance_tolerance
from {{ ref('settlement_reconciliation') }}
where {{ settlement_window('settlement_date') }}
  and grain = 'payment'
  and not is_within_tolerance
