"""Finance exceptions: remittance files rejected or repeated (after each load), and those of a
settlement window, read from the dbt models after each build.

Recorded from the dbt step itself, right after the models of the window are built: the rows
that name a held payment must exist in the same run that holds it, whatever happens later in the
run. Every cause that holds a payment (`settlement_reconciliation.posting_blocked_reason`) has an
exception here carrying the payment number as `reference`, so finance sees which payment waits
and why, while the other payments of the day post.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from vendor_pipelines.finance.load import STANDING_REJECTIONS

# Remittance files rejected whole and still standing (see load.STANDING_REJECTIONS), and the
# payments that arrived again (informational): recorded by each load run.
REMITTANCE_FILE_PROBLEMS = f"""
select 'remittance_file_rejected' as exception_type, file_hash as entity_key,
       null as vendor_code, null as purchase_order_number, null as asin, null as sku,
       file_name as reference,
       file_name || ': line ' || coalesce(error_line::varchar, '?') || ', segment '
       || coalesce(error_segment, '?') || ', field ' || coalesce(error_field, '?') || ': '
       || reason as detail
from ({STANDING_REJECTIONS}) as standing
union all
-- informational: the same payment delivered again (the 820 and the portal export of one
-- payment, or a re-export); nothing of the repeat was loaded
select 'remittance_payment_repeated', r.file_hash || ':' || r.payment_number, null, null, null,
       null, r.payment_number,
       r.file_name || ': payment ' || r.payment_number || ' (' || r.source_format
       || ') was already loaded from ' || coalesce(f.file_name, r.loaded_file_hash)
       || ' (' || coalesce(f.source_format, '?') || '); recorded as a repeat, nothing added'
from raw.remittance_repeats as r
left join raw.remittance_files as f on f.file_hash = r.loaded_file_hash
"""


# The models the detections read; they are recorded only when this build built all of them.
DETECTION_MODELS = ("cash_application", "gl_postings", "settlement_reconciliation")

SETTLEMENT_PROBLEMS = """
select 'unmapped_deduction_code' as exception_type, g.journal_line_id as entity_key,
       r.vendor_code, null as purchase_order_number, null as asin, null as sku,
       g.settlement_id as reference,
       'deduction class ' || g.class_code || ' (' || coalesce(g.memo, '') || ') has no GL account'
       || ' in finance_config.deduction_gl_mapping: posting of payment ' || g.settlement_id
       || ' is held' as detail
from finance.gl_postings g
left join finance.settlement_reconciliation r
    on r.reconciliation_id = 'payment:' || g.settlement_id
where g.gl_account_number is null and g.settlement_date between ? and ?
union all
select 'unexplained_variance', reconciliation_id, vendor_code, null, null, null, settlement_id,
       'unexplained variance ' || coalesce(unexplained_variance::varchar, 'unknown')
       || ' (tolerance ' || variance_tolerance
       || ') on payment ' || settlement_id || ': posting is held'
from finance.settlement_reconciliation
where grain = 'payment' and is_within_tolerance is not true
  and settlement_date between ? and ?
union all
select 'settlement_drift', reconciliation_id, vendor_code, null, null, null, settlement_id,
       'payment ' || settlement_id || ' total differs from the sum of its lines by '
       || coalesce(file_drift::varchar, 'an unknown amount') || ': posting is held'
from finance.settlement_reconciliation
where grain = 'payment' and file_drift is distinct from 0
  and settlement_date between ? and ?
union all
select 'settlement_customer_missing', reconciliation_id, vendor_code, null, null, null,
       settlement_id,
       'payment ' || settlement_id || ' of vendor code ' || coalesce(vendor_code, '(none)')
       || ' has no NetSuite customer: none of its invoices is in NetSuite and no customer is'
       || ' billed under the vendor code; posting is held'
from finance.settlement_reconciliation
where grain = 'payment' and customer_id is null and settlement_date between ? and ?
union all
-- gl_postings balances by construction; should it ever not, the payment is held and named.
select 'posting_failed', 'journal|' || settlement_id, vendor_code, null, null, null,
       settlement_id,
       'journal of payment ' || settlement_id || ' does not balance: '
       || posting_blocked_reason || '; posting is held'
from finance.settlement_reconciliation
where grain = 'payment' and posting_blocked_reason like '%unbalanced_journal%'
  and settlement_date between ? and ?
union all
select 'unapplied_cash', line_id, null, null, null, null, reference,
       'remittance line ' || reference || ' (' || cash_amount || ') of payment '
       || payment_number || ' matches no NetSuite invoice'
from finance.cash_application
where match_type = 'UNMATCHED' and settlement_date between ? and ?
"""


def settlement_problems(start: date, end: date) -> tuple[str, list[Any]]:
    """The detection query of a settlement window and its parameters (first, last day)."""
    return SETTLEMENT_PROBLEMS, [start, end] * SETTLEMENT_PROBLEMS.count("between ? and ?")
