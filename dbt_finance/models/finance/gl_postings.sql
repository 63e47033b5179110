{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='settlement_date') }}
-- Journal lines per settlement (= Amazon payment): one line per charge on its mapped account,
-- plus one balancing line on settlement clearing, where the customer payment deposited the gross
-- invoice amounts. A deduction (negative cash) debits its account; a reversal credits it.
-- Charges whose class has no mapping keep a NULL account: settlement_reconciliation holds that
-- settlement's posting (posting_blocked_reason) until finance maps them; the other settlements
-- of the day post.
with charges as (
    select c.*, s.customer_id, s.currency
    from {{ ref('int_settlement_charges') }} as c
    join {{ ref('int_settlements') }} as s using (payment_number)
    where {{ settlement_window('c.settlement_date') }}
      and {{ settlement_window('s.settlement_date') }}
      and c.amount <> 0
),

charge_lines as (
    select
        payment_number as settlement_id,
        settlement_date,
        charge_id,
        class_code,
        reference,
        base_invoice_key,
        customer_id,
        currency,
        case when amount < 0 then -amount else 0 end as debit,
        case when amount > 0 then amount else 0 end as credit,
        0 as sort_group
    from charges
),

balancing as (
    select
        settlement_id,
        settlement_date,
        settlement_id || ':clearing' as charge_id,
        'SETTLEMENT_CLEARING' as class_code,
        settlement_id as reference,
        null as base_invoice_key,
        any_value(customer_id) as customer_id,
        any_value(currency) as currency,
        greatest(sum(credit) - sum(debit), 0) as debit,
        greatest(sum(debit) - sum(credit), 0) as credit,
        1 as sort_group
    from charge_lines
    group by settlement_id, settlement_date
),

all_lines as (
    select * from charge_lines
    union all
    select * from balancing
)

select
    'AMZ-JE-' || l.settlement_id as journal_external_id,
    l.settlement_id,
    l.settlement_date,
    row_number() over (
        partition by l.settlement_id order by l.sort_group, l.charge_id
    ) as journal_line_no,
    l.settlement_id || ':' || l.charge_id as journal_line_id,
    l.charge_id,
    l.class_code,
    m.gl_account_number,
    m.gl_account_name,
    l.debit::decimal(18, 2) as debit,
    l.credit::decimal(18, 2) as credit,
    l.reference,
    l.base_invoice_key,
    l.customer_id,
    l.currency,
    l.class_code || ' ' || l.reference as memo
from all_lines as l
left join {{ ref('deduction_gl_mapping') }} as m using (class_code)
