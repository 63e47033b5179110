{{ config(materialized='view') }}
-- Why the claims we accepted were right, per month taken, class, root cause and currency (short-
-- packed cartons, short shipments, invoices above the PO's cost, late or differing ASNs): what
-- operations fixes at the source. Valid cases only, as of the day dispute_cases is evaluated.
select
    date_trunc('month', claimed_on)::date as claim_month,
    case_class,
    root_cause,
    -- amounts are summed in one currency only
    currency,
    count(*) as cases,
    coalesce(sum(claimed_units), 0) as units,
    sum(claimed_amount) as amount
from {{ ref('dispute_cases') }}
where judgement = 'valid'
group by all
