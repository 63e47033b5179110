"""Finance exceptions of a settlement window, read from the dbt models after each build.

Recorded from the dbt step itself (not from a downstream asset), because a failing blocking
check stops everything downstream: the exception rows must exist precisely when that happens.
"""

SETTLEMENT_PROBLEMS = """
select 'unmapped_deduction_code' as exception_type, journal_line_id as entity_key,
       null as vendor_code, null as purchase_order_number, null as asin, null as sku,
       settlement_id as reference,
       'deduction class ' || class_code || ' (' || coalesce(memo, '') || ') has no GL account'
       || ' in finance_config.deduction_gl_mapping: posting of payment ' || settlement_id
       || ' is blocked' as detail
from finance.gl_postings
where gl_account_number is null and settlement_date between ? and ?
union all
select 'unexplained_variance', reconciliation_id, null, null, null, null, settlement_id,
       'unexplained variance ' || unexplained_variance || ' (tolerance ' || variance_tolerance
       || ') on payment ' || settlement_id || ': posting is blocked'
from finance.settlement_reconciliation
where grain = 'payment' and not is_within_tolerance and settlement_date between ? and ?
union all
select 'settlement_drift', reconciliation_id, null, null, null, null, settlement_id,
       'payment ' || settlement_id || ' total differs from the sum of its lines by ' || file_drift
from finance.settlement_reconciliation
where grain = 'payment' and file_drift <> 0 and settlement_date between ? and ?
union all
select 'unapplied_cash', line_id, null, null, null, null, reference,
       'remittance line ' || reference || ' (' || cash_amount || ') matches no NetSuite invoice'
from finance.cash_application
where match_type = 'UNMATCHED' and settlement_date between ? and ?
"""
