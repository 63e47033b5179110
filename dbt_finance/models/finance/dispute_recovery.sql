{{ config(materialized='view') }}
-- What the disputes bring back, per month the claims were taken, class and currency: claimed,
-- judged disputable, disputed (submitted), won, recovered, lost, expired and accepted as valid,
-- with the recovery rate of what was disputed and the median days Amazon took to decide. A view
-- over dispute_cases (as of the same day); to render it as of a past day, render dispute_cases as
-- of that day too and point ref('dispute_cases') at it (vendor_pipelines.finance.dbt_sql).
select
    date_trunc('month', claimed_on)::date as claim_month,
    case_class,
    -- amounts are summed in one currency only
    currency,
    count(*) as cases,
    sum(claimed_amount) as claimed_amount,
    coalesce(sum(claimed_amount) filter (where judgement = 'disputable'), 0) as disputable_amount,
    coalesce(sum(claimed_amount) filter (where submitted_at is not null), 0) as disputed_amount,
    coalesce(sum(recovered_amount) filter (where status in ('won', 'partly_won')), 0)
        as won_amount,
    sum(recovered_amount) as recovered_amount,
    -- what a decided dispute did not get back: a lost case whole, the rest of a partly won one
    coalesce(sum(open_amount) filter (where status in ('lost', 'partly_won')), 0) as lost_amount,
    coalesce(sum(open_amount) filter (where status = 'expired'), 0) as expired_amount,
    coalesce(sum(open_amount) filter (where status = 'valid'), 0) as valid_amount,
    sum(open_amount) as open_amount,
    round(
        coalesce(sum(recovered_amount) filter (where submitted_at is not null), 0)
        / nullif(sum(claimed_amount) filter (where submitted_at is not null), 0),
        4
    ) as recovery_rate,
    median(decided_on - submitted_at::date)
        filter (where status in ('won', 'partly_won', 'lost') and submitted_at is not null)
        as median_days_to_decision
from {{ ref('dispute_cases') }}
group by all
