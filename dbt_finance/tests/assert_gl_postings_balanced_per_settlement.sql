{{ config(severity='error') }}
-- Blocking: every settlement's journal must balance to the cent before it is posted.
select settlement_id, sum(debit) as debits, sum(credit) as credits
from {{ ref('gl_postings') }}
where {{ settlement_window('settlement_date') }}
group by settlement_id
having sum(debit) <> sum(credit)
