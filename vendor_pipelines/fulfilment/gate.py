"""The validation gate: what makes a fulfilment unfit to confirm to Amazon, in SQL.

`FULFILMENT_PROBLEMS` returns one row per (fulfilment, problem) for shipped fulfilments: a
package without weight, without a container code (SSCC), with a bad SSCC-18 check digit (RP,
cartons and pallets), no packages at all, a line Amazon did not order, shipped quantities that
would exceed the PO when added to earlier fulfilments, and cartons whose packed contents do not
add up to the fulfilment's lines (`MANIFEST_MISMATCH`, an `asn_quantity_mismatch`). A fulfilment
with any row here is held and never sent.
"""

from __future__ import annotations

SHIPPED = """
select f.*, po.ship_to_party_id, po.ship_from_party_id as po_ship_from_party_id
from raw.netsuite_item_fulfilments f
join raw.amazon_purchase_orders po using (purchase_order_number)
where f.ship_status = 'C' and f.program in ('RP', 'DF')
"""

FULFILMENT_PROBLEMS = f"""
with shipped as ({SHIPPED}),
packages as (
    select p.*, s.program
    from raw.netsuite_fulfilment_packages p join shipped s using (fulfilment_id)
),
lines as (
    select l.*, s.purchase_order_number, s.program, s.created_at,
           pol.ordered_quantity, pol.item_sequence_number is not null as on_po
    from raw.netsuite_item_fulfilment_lines l
    join shipped s using (fulfilment_id)
    left join raw.amazon_purchase_order_lines pol
        on pol.purchase_order_number = s.purchase_order_number
       and pol.item_sequence_number = l.item_sequence_number
),
cumulative as (
    select *, sum(quantity) over (
        partition by purchase_order_number, item_sequence_number
        order by created_at, fulfilment_id rows unbounded preceding) as shipped_so_far
    from lines where on_po
),
packed as (
    select fulfilment_id, order_line, sum(quantity) as packed
    from fulfilment.package_contents group by all
),
problems as (
    select fulfilment_id, 'MISSING_WEIGHT' as problem,
           'package ' || package_number || ' (' || coalesce(sscc, 'no SSCC')
           || '): packageWeight is missing' as detail
    from packages where weight_lb is null or weight_lb <= 0
    union all
    select fulfilment_id, 'MISSING_SSCC',
           'package ' || package_number || ': packageCartonNumber (SSCC container code) is missing'
    from packages where coalesce(trim(sscc), '') = ''
    union all
    select fulfilment_id, 'INVALID_SSCC',
           'package ' || package_number || ': packageCartonNumber ' || sscc
           || ' fails the SSCC-18 check digit'
    from packages
    where program = 'RP' and coalesce(trim(sscc), '') <> '' and not fulfilment_sscc_ok(sscc)
    union all
    select distinct fulfilment_id, 'INVALID_SSCC',
           'custpackage_pallet_sscc ' || pallet_sscc || ' fails the SSCC-18 check digit'
    from packages where pallet_sscc is not null and not fulfilment_sscc_ok(pallet_sscc)
    union all
    select fulfilment_id, 'NO_PACKAGES', 'the fulfilment has no packages'
    from shipped anti join raw.netsuite_fulfilment_packages using (fulfilment_id)
    union all
    select fulfilment_id, 'NOT_ON_PO',
           'line ' || line || ': item sequence ' || coalesce(item_sequence_number, '?')
           || ' is not on PO ' || purchase_order_number
    from lines where not on_po
    union all
    select fulfilment_id, 'QUANTITY_ABOVE_PO',
           'item ' || item_sequence_number || ': shipped ' || shipped_so_far
           || ' in total, PO ordered ' || ordered_quantity
    from cumulative where shipped_so_far > ordered_quantity
    union all
    select l.fulfilment_id, 'MANIFEST_MISMATCH',
           'order line ' || l.order_line || ': fulfilled ' || l.quantity
           || ' but cartons hold ' || coalesce(p.packed, 0)
    from lines l left join packed p using (fulfilment_id, order_line)
    where l.quantity <> coalesce(p.packed, 0)
)
select p.fulfilment_id, s.tranid, s.program, s.vendor_code, s.purchase_order_number,
       p.problem, p.detail
from problems p join shipped s using (fulfilment_id)
"""

# Problem -> exception type (everything else is an ASN validation failure).
PROBLEM_TYPES = {"MANIFEST_MISMATCH": "asn_quantity_mismatch"}


def detections_sql(program: str) -> str:
    """FULFILMENT_PROBLEMS as exception detections for one program (RP or DF)."""
    return f"""
    select case problem when 'MANIFEST_MISMATCH' then 'asn_quantity_mismatch'
                else 'asn_validation_failed' end as exception_type,
           tranid || '|' || problem as entity_key, vendor_code, purchase_order_number,
           null as asin, null as sku, tranid as reference,
           'fulfilment ' || tranid || ' held, not sent: '
               || string_agg(detail, '; ' order by detail) as detail
    from ({FULFILMENT_PROBLEMS})
    where program = '{program}'
    group by problem, tranid, vendor_code, purchase_order_number
    """
