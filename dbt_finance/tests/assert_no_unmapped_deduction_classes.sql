{{ config(severity='error') }}
-- Blocking: a charge whose class has no GL account (UNKNOWN code, or a class missing from the
-- finance seed deduction_gl_mapping) must be mapped before the settlement is posted.
select settlement_id, charge_id, class_code, reference, debit, credit
from {{ ref('gl_postings') }}
where {{ settlement_window('settlement_date') }}
  and gl_account_number is null
