{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='case_id',
        on_schema_change='append_new_columns',
        post_hook="delete from {{ this }} where judgement is null"
    )
}}
-- One judged dispute case per shortage claim, price claim and chargeback Amazon deducted, as of
-- the end of the window (or the day of the build), from our own records (vendor-finance-edi.md
-- §2, §3.3):
-- * shortage: units invoiced vs units on the ASN Amazon accepted vs units NetSuite packed in
--   the cartons vs units the cartons' scale weights imply (int_dispute_shipment_items), with
--   the carrier tracking of every carton;
-- * price claim: our invoice rate vs Amazon's net cost on the PO (now and as issued) and the
--   NetSuite price;
-- * chargeback: for a late-ASN claim, when each shipment of the PO left vs when its ASN was
--   sent and accepted; for an ASN-accuracy claim, ASN vs packed vs weighed units per item.
-- A claim and everything Amazon did to it is one case: its reversals (links_to), and for a
-- shortage the whole SC / SCR / SCRSC chain.
-- Stored, and judged again only where the evidence changed: judging a year of claims takes
-- seconds, while finance.dispute_cases, its tests and the views over it read the judgement many
-- times a run. Each build hashes what every case reads (int_dispute_case_fingerprints), judges
-- the cases whose hash differs from the one stored with them (new claims, reversals, late
-- evidence, a window that moved) and drops the cases no longer in the window; a full build
-- (--full-refresh, or a warehouse without the stored hash) judges them all. What changes
-- between builds without the evidence changing (a dispute recorded as submitted, the day the
-- deadlines count from) stays in the view finance.dispute_cases. The close pack renders this
-- model in full as of a past month's last day (vendor_pipelines.finance.dbt_sql), so keep it
-- to refs, sources, vars and the project's macros.
with fingerprints as (
    select * from {{ ref('int_dispute_case_fingerprints') }}
),

{% if is_incremental() -%}
{%- set stored_columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
-- the cases to judge: new, or read something that changed since they were stored; and the
-- cases no longer in the window, which leave as rows without a judgement (the post-hook)
compared as materialized (
    select
        coalesce(f.case_id, t.case_id) as case_id,
        f.evidence_fingerprint,
        f.case_id is null as dropped
    from fingerprints as f
    full join (
        select
            case_id,
            {{ 'evidence_fingerprint' if 'evidence_fingerprint' in stored_columns
               else 'null::ubigint as evidence_fingerprint' }}
        from {{ this }}
    ) as t using (case_id)
    where f.evidence_fingerprint is distinct from t.evidence_fingerprint
),

to_judge as (
    select case_id, evidence_fingerprint from compared where not dropped
),
{%- else %}
to_judge as (
    select case_id, evidence_fingerprint from fingerprints
),
{%- endif %}

charges as (
    select *
    from {{ ref('int_dispute_claim_lines') }}
    where settlement_date <= {{ as_of_date() }}
      and case_id in (select case_id from to_judge)
),

claims as (
    select
        case_id,
        case_class,
        claim_key,
        -- the claim's own line names the case; a reversal seen before its claim still counts
        coalesce(arg_min(reference, settlement_date) filter (where amount < 0),
                 arg_min(reference, settlement_date)) as claim_reference,
        -arg_min(amount, settlement_date) filter (where amount < 0) as first_claim_amount,
        arg_min(description, settlement_date) filter (where amount < 0) as claim_description,
        arg_min(adjustment_reason, settlement_date) filter (where amount < 0) as claim_reason_code,
        -- the same invoice and PO as int_dispute_case_fingerprints hashes
        min(coalesce(original_invoice, base_invoice_key))
            filter (where case_class <> 'CHARGEBACK') as invoice_key,
        min(po_number) as line_po_number,
        min(vendor_code) as vendor_code,
        min(customer_id) as customer_id,
        min(currency) as currency,
        list(line_id order by settlement_date, line_id) as line_ids,
        coalesce(-sum(amount) filter (where amount < 0), 0)::decimal(18, 2) as claimed_amount,
        coalesce(sum(amount) filter (where amount > 0), 0)::decimal(18, 2) as recovered_amount,
        min(settlement_date) filter (where amount < 0) as claimed_on,
        max(settlement_date) filter (where amount > 0) as last_recovered_on
    from charges
    group by case_id, case_class, claim_key
    having {{ dispute_claim_is_open('amount') }}
),

-- the invoices the claims name (a night judges a few cases: not every invoice's first row)
invoices as (
    select * from {{ ref('stg_netsuite_invoices') }}
    where invoice_key in (select invoice_key from claims)
    qualify row_number() over (partition by invoice_key order by invoice_id) = 1
),

cases as (
    select
        cl.*,
        case
            when cl.case_class <> 'CHARGEBACK' then null
            -- the VC export describes the chargeback; the 820 has only its X12 426 reason
            -- (06 quantity contested: ASN units vs received; 70 ASN not received in time)
            when regexp_matches(coalesce(cl.claim_description, ''),
                                '(?i)asn.{0,3}(accuracy|quantit|units)')
                 or cl.claim_reason_code = '06'
                then 'ASN_ACCURACY'
            when regexp_matches(coalesce(cl.claim_description, ''),
                                '(?i)late.{0,3}asn|asn.{0,3}(late|not received)')
                 or cl.claim_reason_code = '70'
                then 'ASN_LATE'
            else 'OTHER'
        end as chargeback_type,
        inv.invoice_id,
        coalesce(inv.tranid, cl.invoice_key) as invoice_number,
        coalesce(cl.line_po_number, inv.po_number) as po_number,
        inv.trandate as invoice_date,
        inv.due_date as invoice_due_date
    from claims as cl
    left join invoices as inv
        on inv.invoice_key = cl.invoice_key and cl.case_class <> 'CHARGEBACK'
),

invoice_lines as (
    select l.invoice_id, l.line, l.sku, l.asin, l.quantity, l.rate, r.item_sequence_number
    from {{ ref('stg_netsuite_invoice_lines') }} as l
    left join raw.netsuite_invoice_line_refs as r using (invoice_id, line)
    where l.quantity > 0
),

-- The invoice lines a claim's amount fits: a shortage of a whole number of units at one line's
-- rate; a price claim of one line's quantity at a per-unit difference in whole cents below
-- its rate. Exactly one ASIN fitting names the case's ASIN; otherwise the case is judged on
-- the whole invoice.
fitting_lines as (
    select
        c.case_id,
        l.asin,
        case
            when c.case_class = 'SHORTAGE' then round(c.first_claim_amount / l.rate)
            else l.quantity
        end as units
    from cases as c
    join invoice_lines as l using (invoice_id)
    where (c.case_class = 'SHORTAGE' and l.rate > 0
           and round(c.first_claim_amount / l.rate) between 1 and l.quantity
           and abs(c.first_claim_amount - round(c.first_claim_amount / l.rate) * l.rate) < 0.005)
       or (c.case_class = 'PRICE_CLAIM'
           and c.first_claim_amount / l.quantity < l.rate
           and abs(c.first_claim_amount
                   - round(c.first_claim_amount / l.quantity, 2) * l.quantity) < 0.0001)
),

case_asins as (
    select case_id, any_value(asin) as asin, any_value(units)::integer as claimed_units
    from fitting_lines
    group by case_id
    having count(distinct asin) = 1 and count(asin) = count(*) and count(distinct units) = 1
),

items as (
    select * from {{ source('raw', 'netsuite_items') }}
    qualify row_number() over (partition by sku order by is_inactive, item_id) = 1
),

-- Each invoice line a shortage or price case covers (its ASIN's, or all), beside what was
-- shipped of it and what the PO and NetSuite say it costs.
line_evidence as (
    select
        c.case_id,
        l.line,
        l.asin,
        l.quantity as invoiced_units,
        l.rate,
        f.fulfilment_id,
        si.shipment_id,
        si.asn_units,
        si.packed_units,
        si.weighed_units,
        si.cartons,
        si.carton_ssccs,
        si.light_cartons,
        si.tracking_numbers,
        si.cartons_without_tracking,
        pc.po_net_cost,
        pc.po_net_cost_at_po_date,
        it.price as netsuite_price,
        -- the order's cost, as issued or as it stands: our invoice at either is what Amazon
        -- ordered at
        greatest(pc.po_net_cost, pc.po_net_cost_at_po_date) as po_cost
    from cases as c
    left join case_asins as a using (case_id)
    join invoice_lines as l on l.invoice_id = c.invoice_id
    left join raw.netsuite_invoice_fulfilments as f
        on f.invoice_id = c.invoice_id
    left join {{ ref('int_dispute_shipment_items') }} as si
        on si.fulfilment_id = f.fulfilment_id
       and (si.item_sequence_number = l.item_sequence_number
            or (l.item_sequence_number is null and si.asin = l.asin))
    left join {{ ref('int_dispute_po_costs') }} as pc
        on pc.purchase_order_number = c.po_number
       and (pc.item_sequence_number = l.item_sequence_number
            or (l.item_sequence_number is null and pc.asin = l.asin))
    left join items as it on it.sku = l.sku
    where c.case_class in ('SHORTAGE', 'PRICE_CLAIM')
      and (a.asin is null or l.asin = a.asin)
),

invoice_evidence as (
    select
        case_id,
        sum(invoiced_units)::integer as invoiced_units,
        case when count(*) = count(asn_units) then sum(asn_units) end::integer as asn_units,
        case when count(*) = count(shipment_id) then sum(packed_units) end::integer
            as packed_units,
        case when count(*) = count(weighed_units) then sum(weighed_units) end::integer
            as weighed_units,
        coalesce(sum(cartons), 0)::integer as cartons,
        -- the lists of the lines that have any (most claimed lines have no carton to list)
        coalesce(list_sort(list_distinct(flatten(
                     list(carton_ssccs) filter (where len(carton_ssccs) > 0)))),
                 []::varchar[]) as carton_ssccs,
        coalesce(list_sort(list_distinct(flatten(
                     list(light_cartons) filter (where len(light_cartons) > 0)))),
                 []::varchar[]) as light_cartons,
        coalesce(list_sort(list_distinct(flatten(
                     list(tracking_numbers) filter (where len(tracking_numbers) > 0)))),
                 []::varchar[]) as tracking_numbers,
        min(fulfilment_id) as fulfilment_id,
        bool_or(fulfilment_id is null) as without_fulfilment,
        bool_or(fulfilment_id is not null and shipment_id is null) as without_shipment_item,
        bool_or(asn_units is null) as without_asn,
        bool_or(weighed_units is null) as without_weight,
        -- the scale shows a carton held less than NetSuite packed into it, and less than billed
        bool_or(weighed_units < invoiced_units and weighed_units < packed_units)
            as short_by_weight,
        bool_or(least(asn_units, packed_units) < invoiced_units) as short_shipped,
        bool_and(invoiced_units <= asn_units and asn_units = packed_units
                 and packed_units = weighed_units and cartons > 0
                 and cartons_without_tracking = 0) as shipped_in_full,
        coalesce(sum(cartons_without_tracking), 0) as cartons_without_tracking,
        -- price: the line furthest above the PO's cost speaks for the invoice (a line without
        -- a PO cost first: it cannot be judged; among equals the first line), all its figures
        -- from that one line
        arg_max({'invoice_price': rate, 'po_net_cost': po_net_cost,
                 'po_net_cost_at_po_date': po_net_cost_at_po_date,
                 'netsuite_price': netsuite_price, 'price_asin': asin},
                {'excess': coalesce(rate - po_cost, 1e9), 'line': -line}) as price_line,
        bool_or(po_cost is null) as without_po_cost,
        bool_or(rate > po_cost + 0.005) as above_po_cost
    from line_evidence
    group by case_id
),

-- A chargeback is judged on every shipment of its PO.
po_items as (
    select
        c.case_id,
        sum(si.asn_units)::integer as asn_units,
        sum(si.packed_units)::integer as packed_units,
        case when count(*) = count(si.weighed_units) then sum(si.weighed_units) end::integer
            as weighed_units,
        sum(si.cartons)::integer as cartons,
        bool_or(si.asn_units is null) as without_asn,
        bool_or(si.weighed_units is null) as without_weight,
        bool_and(si.asn_units = si.packed_units and si.packed_units = si.weighed_units)
            as units_agree,
        string_agg(
            si.shipment_id || ' item ' || si.item_sequence_number || ' (' || coalesce(si.asin, '?')
            || '): ASN ' || coalesce(si.asn_units::varchar, 'none') || ', packed '
            || si.packed_units || ', weighed ' || coalesce(si.weighed_units::varchar, 'unknown')
            || case when len(si.light_cartons) > 0
                    then ' (carton ' || array_to_string(si.light_cartons, ', ') || ' weighs short)'
                    else '' end,
            '; ' order by si.shipment_id, si.item_sequence_number
        ) filter (where si.asn_units is distinct from si.packed_units
                  or si.packed_units is distinct from si.weighed_units) as differing_items
    from cases as c
    join {{ ref('int_dispute_shipment_items') }} as si on si.purchase_order_number = c.po_number
    where c.case_class = 'CHARGEBACK'
    group by c.case_id
),

po_shipments as (
    select
        c.case_id,
        count(*) as shipments,
        bool_and(s.asn_accepted_at is not null
                 and epoch(s.asn_sent_at - s.shipped_at)
                     <= {{ var('asn_on_time_hours', 24) }} * 3600) as asn_on_time,
        -- the latest ASN speaks for the PO (one never sent first)
        arg_max(s.fulfilment_id, coalesce(epoch(s.asn_sent_at - s.shipped_at), 1e12)
                                 + case when s.asn_accepted_at is null then 1e12 else 0 end)
            as fulfilment_id,
        list_sort(list_distinct(flatten(list(s.tracking_numbers)))) as tracking_numbers
    from cases as c
    join {{ ref('int_dispute_shipments') }} as s on s.purchase_order_number = c.po_number
    where c.case_class = 'CHARGEBACK'
    group by c.case_id
),

evidence as (
    select
        c.*,
        a.asin,
        a.claimed_units,
        coalesce(ie.asn_units, pi.asn_units) as asn_units,
        coalesce(ie.packed_units, pi.packed_units) as packed_units,
        coalesce(ie.weighed_units, pi.weighed_units) as weighed_units,
        ie.invoiced_units,
        coalesce(ie.cartons, pi.cartons) as cartons,
        ie.price_line.invoice_price,
        ie.price_line.po_net_cost,
        ie.price_line.po_net_cost_at_po_date,
        ie.price_line.netsuite_price,
        ie.price_line.price_asin,
        -- an invoice without lines (or a case without an invoice) proves nothing
        ie.case_id is null as without_invoice_lines,
        coalesce(ie.without_fulfilment, true) as without_fulfilment,
        coalesce(ie.without_shipment_item, true) as without_shipment_item,
        coalesce(ie.without_asn, true) as invoice_without_asn,
        coalesce(ie.without_weight, true) as invoice_without_weight,
        coalesce(ie.short_by_weight, false) as short_by_weight,
        coalesce(ie.short_shipped, false) as short_shipped,
        coalesce(ie.shipped_in_full, false) as shipped_in_full,
        coalesce(ie.cartons_without_tracking, 0) as cartons_without_tracking,
        coalesce(ie.without_po_cost, true) as without_po_cost,
        coalesce(ie.above_po_cost, false) as above_po_cost,
        array_to_string(ie.carton_ssccs, ', ') as invoice_ssccs,
        array_to_string(ie.light_cartons, ', ') as light_ssccs,
        array_to_string(ie.tracking_numbers, ', ') as invoice_tracking,
        ps.shipments,
        coalesce(ps.asn_on_time, false) as asn_on_time,
        coalesce(pi.without_asn, true) as po_without_asn,
        coalesce(pi.without_weight, true) as po_without_weight,
        coalesce(pi.units_agree, false) as units_agree,
        pi.differing_items,
        array_to_string(ps.tracking_numbers, ', ') as po_tracking,
        s.shipment_id,
        s.shipped_at,
        s.asn_sent_at,
        s.asn_accepted_at,
        s.asn_hours_after_shipping,
        strftime(s.shipped_at at time zone 'UTC', '%Y-%m-%d %H:%M UTC') as shipped_text,
        strftime(s.asn_sent_at at time zone 'UTC', '%Y-%m-%d %H:%M UTC') as sent_text,
        coalesce(strftime(s.asn_accepted_at at time zone 'UTC', '%Y-%m-%d %H:%M UTC'),
                 'never') as accepted_text
    from cases as c
    left join case_asins as a using (case_id)
    left join invoice_evidence as ie using (case_id)
    left join po_items as pi using (case_id)
    left join po_shipments as ps using (case_id)
    left join {{ ref('int_dispute_shipments') }} as s
        on s.fulfilment_id = coalesce(ie.fulfilment_id, ps.fulfilment_id)
),

judged as (
    select
        e.*,
        case
            when e.case_class = 'SHORTAGE' then case
                when e.invoice_id is null or e.without_invoice_lines or e.without_fulfilment
                     or e.without_shipment_item or e.invoice_without_asn then 'unjudged'
                when e.short_by_weight or e.short_shipped then 'valid'
                when e.invoice_without_weight or not e.shipped_in_full then 'unjudged'
                else 'disputable'
            end
            when e.case_class = 'PRICE_CLAIM' then case
                when e.invoice_id is null or e.without_invoice_lines or e.without_po_cost
                    then 'unjudged'
                when e.above_po_cost then 'valid'
                else 'disputable'
            end
            when e.chargeback_type = 'ASN_LATE' then case
                when coalesce(e.shipments, 0) = 0 then 'unjudged'
                when e.asn_on_time then 'disputable'
                else 'valid'
            end
            when e.chargeback_type = 'ASN_ACCURACY' then case
                when coalesce(e.shipments, 0) = 0 or e.po_without_asn or e.po_without_weight
                    then 'unjudged'
                when e.units_agree then 'disputable'
                else 'valid'
            end
            else 'unjudged'
        end as judgement,
        case
            when e.case_class = 'SHORTAGE' and e.short_by_weight then 'short_packed_carton'
            when e.case_class = 'SHORTAGE' and e.short_shipped then 'short_shipped'
            when e.case_class = 'PRICE_CLAIM' and e.above_po_cost then 'invoiced_above_po_cost'
            when e.chargeback_type = 'ASN_LATE' and not e.asn_on_time then 'asn_late'
            when e.chargeback_type = 'ASN_ACCURACY' and not e.units_agree then 'asn_units_differ'
        end as candidate_root_cause,
        -- what the claim is for, as the sentence names it
        case
            when e.asin is not null and e.case_class = 'SHORTAGE'
                then e.claimed_units
                     || case when e.claimed_units = 1 then ' unit of ' else ' units of ' end
                     || e.asin
            when e.asin is not null
                then e.asin || ' (' || e.claimed_units || ' units)'
            else e.claimed_amount::varchar || ' ' || coalesce(e.currency, '')
        end as claim_text,
        coalesce(e.asin, 'every item') as scope_text
    from evidence as e
),

reasoned as (
    select
        j.* exclude (candidate_root_cause),
        case when j.judgement = 'valid' then j.candidate_root_cause end as root_cause,
        case
            -- shortage
            when j.case_class = 'SHORTAGE' and j.invoice_id is null
                then 'Unjudged: invoice ' || j.invoice_number || ' of shortage claim '
                     || j.claim_reference || ' is not in NetSuite.'
            when j.case_class = 'SHORTAGE' and j.without_invoice_lines
                then 'Unjudged: invoice ' || j.invoice_number || ' has no line for '
                     || j.scope_text || ' in NetSuite to hold shortage claim '
                     || j.claim_reference || ' against.'
            when j.case_class = 'SHORTAGE' and j.without_fulfilment
                then 'Unjudged: no NetSuite fulfilment is linked to invoice ' || j.invoice_number
                     || ', so the shipment behind shortage claim ' || j.claim_reference
                     || ' cannot be shown.'
            when j.case_class = 'SHORTAGE' and (j.without_shipment_item or j.invoice_without_asn)
                then 'Unjudged: shipment ' || coalesce(j.shipment_id, '?')
                     || ' of invoice ' || j.invoice_number || ' has no ASN Amazon accepted for '
                     || j.scope_text || ' (ASN '
                     || case when j.asn_sent_at is null then 'never sent'
                             else 'sent ' || j.sent_text || ', accepted ' || j.accepted_text end
                     || '), so shortage claim ' || j.claim_reference || ' cannot be proven.'
            when j.case_class = 'SHORTAGE' and j.judgement = 'valid' and j.short_by_weight
                then 'Valid: Amazon claims ' || j.claim_text || ' on invoice ' || j.invoice_number
                     || '; we invoiced ' || j.invoiced_units || ' and ASN ' || j.shipment_id
                     || ' (accepted ' || j.accepted_text || ') said ' || j.asn_units
                     || ' and cartons ' || j.invoice_ssccs || ' were packed with '
                     || j.packed_units || ', but their scale weights show only '
                     || j.weighed_units || ' units: carton ' || j.light_ssccs
                     || ' was packed short.'
            when j.case_class = 'SHORTAGE' and j.judgement = 'valid'
                then 'Valid: Amazon claims ' || j.claim_text || ' on invoice ' || j.invoice_number
                     || '; we invoiced ' || j.invoiced_units || ' but ASN ' || j.shipment_id
                     || ' (accepted ' || j.accepted_text || ') said ' || j.asn_units
                     || ' and cartons ' || j.invoice_ssccs || ' held ' || j.packed_units
                     || ' (weighed ' || coalesce(j.weighed_units::varchar, 'unknown')
                     || '): we shipped short.'
            when j.case_class = 'SHORTAGE' and j.invoice_without_weight
                then 'Unjudged: a carton of shipment ' || j.shipment_id || ' ('
                     || j.invoice_ssccs || ') or its item has no weight in NetSuite, so the '
                     || 'units shipped of ' || j.scope_text || ' on invoice ' || j.invoice_number
                     || ' cannot be shown by the scale.'
            when j.case_class = 'SHORTAGE' and j.judgement = 'unjudged'
                then 'Unjudged: for ' || j.scope_text || ' on invoice ' || j.invoice_number
                     || ' we invoiced ' || j.invoiced_units || ', ASN ' || j.shipment_id
                     || ' said ' || j.asn_units || ', cartons ' || j.invoice_ssccs || ' held '
                     || j.packed_units || ' and weigh ' || j.weighed_units || ' units'
                     || case when j.cartons_without_tracking > 0
                             then ', but ' || j.cartons_without_tracking
                                  || ' carton(s) have no carrier tracking'
                             else ', which do not agree' end
                     || ': not proof enough to dispute.'
            when j.case_class = 'SHORTAGE'
                then 'Disputable: Amazon claims ' || j.claim_text || ' on invoice '
                     || j.invoice_number || ', but we invoiced ' || j.invoiced_units || ', ASN '
                     || j.shipment_id || ' (sent ' || j.sent_text || ', accepted '
                     || j.accepted_text || ') said ' || j.asn_units || ', cartons '
                     || j.invoice_ssccs || ' were packed with ' || j.packed_units
                     || ' and their scale weights show ' || j.weighed_units
                     || ' units, shipped ' || j.shipped_text || ' with tracking '
                     || j.invoice_tracking || '.'
            -- price claim
            when j.case_class = 'PRICE_CLAIM' and j.invoice_id is null
                then 'Unjudged: invoice ' || j.invoice_number || ' of the price claim is not in '
                     || 'NetSuite.'
            when j.case_class = 'PRICE_CLAIM' and j.without_invoice_lines
                then 'Unjudged: invoice ' || j.invoice_number || ' has no line in NetSuite to '
                     || 'hold price claim ' || j.claimed_amount || ' '
                     || coalesce(j.currency, '') || ' against.'
            when j.case_class = 'PRICE_CLAIM' and j.without_po_cost
                then 'Unjudged: PO ' || coalesce(j.po_number, '?') || ' has no net cost for '
                     || coalesce(j.price_asin, j.scope_text) || ' invoiced on '
                     || j.invoice_number || ', so price claim ' || j.claimed_amount || ' '
                     || coalesce(j.currency, '') || ' cannot be judged.'
            when j.case_class = 'PRICE_CLAIM'
                then case when j.judgement = 'valid' then 'Valid: we invoiced '
                          else 'Disputable: we invoiced ' end
                     || coalesce(j.price_asin, '?') || ' on ' || j.invoice_number || ' at '
                     || j.invoice_price::decimal(18, 4) || case when j.judgement = 'valid'
                        then ', above ' else ', not above ' end
                     || 'PO ' || coalesce(j.po_number, '?') || '''s net cost of '
                     || coalesce(j.po_net_cost::varchar, 'none') || ' (at PO date '
                     || coalesce(j.po_net_cost_at_po_date::varchar, 'unknown')
                     || '; NetSuite price ' || coalesce(j.netsuite_price::varchar, 'none')
                     || '), against Amazon''s price claim of ' || j.claimed_amount || ' '
                     || coalesce(j.currency, '') || '.'
            -- chargebacks
            when j.chargeback_type = 'ASN_LATE' and coalesce(j.shipments, 0) = 0
                then 'Unjudged: no shipment of PO ' || coalesce(j.po_number, '(none named)')
                     || ' is in NetSuite to compare late-ASN chargeback ' || j.claim_reference
                     || ' with.'
            when j.chargeback_type = 'ASN_LATE'
                then case when j.judgement = 'valid' then 'Valid: ' else 'Disputable: ' end
                     || 'shipment ' || j.shipment_id || ' of PO ' || j.po_number || ' left '
                     || j.shipped_text || ' and its ASN was '
                     || case when j.asn_sent_at is null then 'never sent'
                             else 'sent ' || j.sent_text || ' (' || j.asn_hours_after_shipping
                                  || ' h later) and accepted ' || j.accepted_text end
                     || case when j.judgement = 'valid' then ', not within '
                             else ', within ' end
                     || '{{ var('asn_on_time_hours', 24) }} h'
                     || case when j.shipments > 1
                             then ' (the latest of ' || j.shipments || ' shipments)' else '' end
                     || '; carrier tracking ' || coalesce(nullif(j.po_tracking, ''), 'none') || '.'
            when j.chargeback_type = 'ASN_ACCURACY' and j.judgement = 'unjudged'
                then 'Unjudged: PO ' || coalesce(j.po_number, '(none named)')
                     || case when coalesce(j.shipments, 0) = 0 then ' has no shipment in NetSuite'
                             when j.po_without_asn then ' has a shipment without an accepted ASN'
                             else ' has a carton or item without a weight' end
                     || ', so ASN-accuracy chargeback ' || j.claim_reference
                     || ' cannot be judged.'
            when j.chargeback_type = 'ASN_ACCURACY' and j.judgement = 'valid'
                then 'Valid: on PO ' || j.po_number || ' the ASN, the cartons and their scale '
                     || 'weights differ: ' || j.differing_items || '.'
            when j.chargeback_type = 'ASN_ACCURACY'
                then 'Disputable: every item of PO ' || j.po_number || ' was confirmed, packed '
                     || 'and weighed alike (ASN ' || j.asn_units || ', packed ' || j.packed_units
                     || ', weighed ' || j.weighed_units || ' units in ' || j.cartons
                     || ' cartons, latest ASN ' || j.shipment_id || ' accepted '
                     || j.accepted_text || ', tracking '
                     || coalesce(nullif(j.po_tracking, ''), 'none') || ').'
            else 'Unjudged: chargeback ' || j.claim_reference || ' ('
                 || coalesce(j.claim_description, 'no description')
                 || ') is not one our records can judge.'
        end as judgement_reason
    from judged as j
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
    claimed_on,
    last_recovered_on,
    invoice_date,
    invoice_due_date,
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
    evidence_fingerprint
from reasoned
join to_judge using (case_id)
{%- if is_incremental() %}
union all by name
select case_id from compared where dropped
{%- endif %}
