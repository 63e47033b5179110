{{ config(materialized='view') }}
-- The reclass journal of every decided shortage and price claim still on 1205 (Amazon
-- deductions in dispute), two lines each, posted once per journal_external_id:
-- * valid: accepted, moved to its contra account (SHORTAGE_VALID 4170, PRICE_CLAIM_VALID 4160);
--   or, once NetSuite holds the credit memo that settles it (dispute_credit_note_lines), onto
--   the customer's receivable (DISPUTE_CREDIT_MEMO 1200), where the memo clears it: the memo
--   reverses the revenue (and restocks a short unit), so the contra account is not used twice;
-- * lost, expired, and the part of a partly won claim Amazon kept: written off
--   (DEDUCTION_WRITE_OFF 6900).
-- Chargebacks need none: gl_postings expenses them on 6200 when taken and credits 6200 with
-- their reversal. Accounts come from the seed deduction_gl_mapping, so finance changes them
-- there. A view over dispute_cases (as of the same day).
with decided as (
    select
        c.*,
        case
            when cn.credit_memo_status = 'succeeded' then 'DISPUTE_CREDIT_MEMO'
            when c.status = 'valid' and c.case_class = 'SHORTAGE' then 'SHORTAGE_VALID'
            when c.status = 'valid' then 'PRICE_CLAIM_VALID'
            else 'DEDUCTION_WRITE_OFF'
        end as debit_class,
        -- a valid claim is accepted on the day Amazon took it (a fixed date, so its journal
        -- is posted once, not moved every night); a decided one on its decision day
        case when c.status = 'valid' then c.claimed_on else c.decided_on end as posting_date,
        cn.credit_memo_external_id
    from {{ ref('dispute_cases') }} as c
    left join {{ ref('dispute_credit_note_lines') }} as cn
        on cn.case_id = c.case_id and c.status = 'valid'
    where c.case_class in ('SHORTAGE', 'PRICE_CLAIM')
      and c.status in ('valid', 'lost', 'expired', 'partly_won')
      and c.open_amount > 0
),

lines as (
    select d.*, 1 as journal_line_no, d.debit_class as class_code,
           d.open_amount as debit, 0 as credit
    from decided as d
    union all
    select d.*, 2, d.case_class, 0, d.open_amount
    from decided as d
)

select
    'AMZ-DJE-' || l.case_id as journal_external_id,
    l.case_id,
    l.status,
    l.posting_date,
    l.journal_line_no,
    m.gl_account_number,
    m.gl_account_name,
    l.debit::decimal(18, 2) as debit,
    l.credit::decimal(18, 2) as credit,
    case l.status
        when 'valid' then 'Accepted '
        when 'partly_won' then 'Written off (not recovered) '
        else 'Written off (' || l.status || ') '
    end || lower(replace(l.case_class, '_', ' ')) || ' ' || l.claim_reference
        || coalesce(' (' || l.root_cause || ')', '')
        || case when l.debit_class = 'DISPUTE_CREDIT_MEMO' and l.journal_line_no = 1
                then ', settled by credit memo ' || l.credit_memo_external_id else '' end as memo,
    l.customer_id,
    l.currency
from lines as l
left join {{ ref('deduction_gl_mapping') }} as m using (class_code)
