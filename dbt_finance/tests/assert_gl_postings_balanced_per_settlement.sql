{#- warn, not error: an unbalanced journal holds its own payment (posting_blocked_reason
    'unbalanced_journal', and the journal builder refuses it again before NetSuite). -#}
{{ config(severity='warn') }}
-- Every settlement's journal must balance to the cent before it is posted.
select settlement_id, sum(debit) as debits, sum(credit) as credits
from {{ ref('gl_postings') }}
where {{ settlement_window('settlement_date') }}
group by settlement_id
having sum(debit) <> sum(credit)
