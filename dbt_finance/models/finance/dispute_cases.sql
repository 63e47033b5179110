{{ config(materialized='view') }}
-- One dispute case per shortage claim, price claim and chargeback Amazon deducted, as of the
-- end of the window (or today): its judgement from our records (finance.int_dispute_judgements),
-- its dispute window and deadline, whether finance submitted it (raw.dispute_submissions) and
-- its status. Dispute clocks as open_deductions: due-date based for shortages and price claims
-- (never past invoice date + 24 months), from the day taken for chargebacks. A view, so that a
-- dispute recorded as submitted shows at once; evaluated as of as_of_date(). The close pack
-- renders it, over int_dispute_judgements rendered alike, as of a past month's last day
-- (vendor_pipelines.finance.dbt_sql), so keep it to refs, sources, vars and the project's
-- macros.
with judgements as (
    select * exclude (evidence_fingerprint) from {{ ref('int_dispute_judgements') }}
),

submissions as (
    select case_id, submitted_at, submitted_by, submitted_at::date as submitted_on
    from raw.dispute_submissions
    where submitted_at::date <= {{ as_of_date() }}
),

windowed as (
    select
        r.*,
        m.dispute_window_days,
        case
            when r.case_class in ('SHORTAGE', 'PRICE_CLAIM') and r.invoice_due_date is not null
                then 'invoice_due_date'
            when r.case_class in ('SHORTAGE', 'PRICE_CLAIM') then 'settlement_date_no_due_date'
            else 'settlement_date'
        end as window_basis,
        case
            when r.case_class in ('SHORTAGE', 'PRICE_CLAIM') and r.invoice_due_date is not null
                then r.invoice_due_date
            else r.claimed_on
        end as clock_start
    from judgements as r
    left join {{ ref('deduction_gl_mapping') }} as m on m.class_code = r.case_class
),

deadlined as (
    select
        w.*,
        {{ dispute_deadline('w.case_class', 'w.clock_start', 'w.invoice_date',
                            'w.dispute_window_days') }} as dispute_deadline,
        s.submitted_at,
        s.submitted_by,
        s.submitted_on,
        greatest(w.claimed_amount - w.recovered_amount, 0)::decimal(18, 2) as open_amount
    from windowed as w
    left join submissions as s using (case_id)
),

statused as (
    select
        d.*,
        case
            when d.recovered_amount >= d.claimed_amount then 'won'
            when d.submitted_at is not null and d.recovered_amount > 0 then 'partly_won'
            when d.submitted_at is not null
                 and {{ as_of_date() }} - d.submitted_on > {{ var('dispute_review_days', 40) }}
                then 'lost'
            when d.submitted_at is not null then 'submitted'
            -- a valid claim is accepted, not disputed: its deadline passing changes nothing
            when d.judgement <> 'valid' and {{ as_of_date() }} > d.dispute_deadline
                then 'expired'
            when d.judgement = 'unjudged' then 'open'
            else d.judgement
        end as status
    from deadlined as d
)

select
    case_id,
    case_class,
    chargeback_type,
    claim_key,
    claim_reference,
    invoice_id,
    invoice_number,
    po_number,
    vendor_code,
    customer_id,
    currency,
    asin,
    claimed_units,
    line_ids,
    claimed_amount,
    recovered_amount,
    open_amount,
    claimed_on,
    invoice_date,
    invoice_due_date,
    window_basis,
    dispute_deadline,
    dispute_deadline - {{ as_of_date() }} as days_left,
    invoiced_units,
    asn_units,
    packed_units,
    weighed_units,
    shipment_id,
    shipped_at,
    asn_sent_at,
    asn_accepted_at,
    cartons,
    invoice_price,
    po_net_cost,
    po_net_cost_at_po_date,
    netsuite_price,
    judgement,
    judgement_reason,
    root_cause,
    submitted_at,
    submitted_by,
    status,
    case status
        when 'won' then last_recovered_on
        when 'partly_won' then last_recovered_on
        when 'lost' then submitted_on + {{ var('dispute_review_days', 40) }} + 1
        when 'expired' then dispute_deadline + 1
    end as decided_on,
    {{ as_of_date() }} as as_of_date
from statused
