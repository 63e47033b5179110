{#- warn, not error: an unbalanced dispute journal is refused by NetSuite, so it is a
    posting_failed exception for that one case; as an error it would stop the day's build. -#}
{{ config(severity='warn') }}
-- Every dispute reclass journal (finance.dispute_journal_lines) balances to the cent.
select journal_external_id, sum(debit) as debits, sum(credit) as credits
from {{ ref('dispute_journal_lines') }}
group by journal_external_id
having sum(debit) <> sum(credit)
