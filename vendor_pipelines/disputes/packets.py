"""The evidence packet of a dispute case: a PDF to read and a CSV to upload in Vendor Central.

There is no dispute API: a person opens the case in Vendor Central (Payments > Invoices > Review
/ dispute shortages, Dispute price discrepancy, or Operational Performance > Dispute
chargeback), pastes the judgement sentence and uploads these files. The PDF holds the case
summary, the claim's remittance lines, the purchase order, the ASN Amazon accepted, every
carton (SSCC, units, scale weight, tracking), the carrier proof and the invoice; the CSV the
same lines in the columns Vendor Central's dispute upload asks for, per kind of claim.

Every table is one SQL query joining the warehouse's own records to the case
(`finance.dispute_cases`): nothing is re-derived here. The files are deterministic (no
timestamps in the PDF, rows in a fixed order), so writing a packet again gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import duckdb
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from vendor_pipelines.query_rows import rows

# The case and the NetSuite fulfilments (ASNs) behind it: the one its evidence names
# (shipment_id) and the ones NetSuite links to its invoice.
_CASE = """
with the_case as (select * from {cases} where case_id = $case_id),
case_fulfilments as (
    select distinct f.fulfilment_id, f.tranid as shipment_id, f.created_at as shipped_at,
           f.purchase_order_number
    from raw.netsuite_item_fulfilments f, the_case c
    where f.tranid = c.shipment_id
       or f.fulfilment_id in (
           select link.fulfilment_id
           from raw.netsuite_invoice_fulfilments link
           join raw.netsuite_invoices i on i.invoice_id = link.invoice_id
           where i.tranid = c.invoice_number)
),
-- Every carton line of those shipments: a carton holds units of one or more PO items.
carton_lines as (
    select cf.shipment_id, p.package_number, p.sscc, p.pallet_sscc, p.tracking_number,
           p.weight_lb, fl.item_sequence_number, coalesce(pol.asin, fl.asin) as asin,
           pc.quantity as units
    from case_fulfilments cf
    join raw.netsuite_fulfilment_packages p using (fulfilment_id)
    join fulfilment.package_contents pc using (fulfilment_id, package_number)
    left join raw.netsuite_item_fulfilment_lines fl
        on fl.fulfilment_id = pc.fulfilment_id and fl.order_line = pc.order_line
    left join raw.amazon_purchase_order_lines pol
        on pol.purchase_order_number = cf.purchase_order_number
       and pol.item_sequence_number = fl.item_sequence_number
),
-- The cartons of the claim: those holding its ASIN, every carton when it names none.
cartons as (
    select k.* from carton_lines k, the_case c where c.asin is null or k.asin = c.asin
)
"""

REMITTANCE_SQL = """
select l.settlement_date, l.payment_number, l.reference, l.description, l.transaction_type,
       l.po_number, l.amount
from the_case c
join raw.remittance_lines l on list_contains(c.line_ids, l.file_hash || ':' || l.line_no)
order by l.settlement_date, l.payment_number, l.line_no
"""

PURCHASE_ORDER_SQL = """
select pol.purchase_order_number, po.purchase_order_date, po.ship_to_party_id,
       pol.item_sequence_number, pol.asin, pol.vendor_sku, pol.ordered_quantity, pol.net_cost,
       pol.currency
from the_case c
join raw.amazon_purchase_order_lines pol on pol.purchase_order_number = c.po_number
left join raw.amazon_purchase_orders po using (purchase_order_number)
where c.asin is null or pol.asin = c.asin
order by pol.item_sequence_number
"""

ASN_SQL = """
, picked as (
    select fl.fulfilment_id, fl.item_sequence_number,
           any_value(coalesce(pol.asin, fl.asin)) as asin, sum(fl.quantity) as picked_units,
           sum(coalesce(pc.packed, 0)) as packed_units
    from raw.netsuite_item_fulfilment_lines fl
    join case_fulfilments cf using (fulfilment_id)
    left join raw.amazon_purchase_order_lines pol
        on pol.purchase_order_number = cf.purchase_order_number
       and pol.item_sequence_number = fl.item_sequence_number
    left join (
        select fulfilment_id, order_line, sum(quantity) as packed
        from fulfilment.package_contents group by all
    ) pc using (fulfilment_id, order_line)
    group by all
),
sent as (
    select fulfilment_id, item_sequence_number, sum(quantity) as asn_units
    from fulfilment.sent_shipment_lines
    where fulfilment_id in (select fulfilment_id from case_fulfilments)
    group by all
)
select cf.shipment_id, cf.shipped_at, c.asn_sent_at, c.asn_accepted_at, p.item_sequence_number,
       p.asin, p.picked_units, p.packed_units, s.asn_units
from picked p
join case_fulfilments cf using (fulfilment_id)
left join sent s using (fulfilment_id, item_sequence_number)
cross join the_case c
where c.asin is null or p.asin = c.asin
order by cf.shipment_id, p.item_sequence_number
"""

CARTONS_SQL = """
select shipment_id, package_number, sscc, item_sequence_number, asin, units, weight_lb,
       tracking_number, pallet_sscc
from cartons
order by shipment_id, package_number, item_sequence_number
"""

# The carrier's proof of delivery to Amazon: the tracking number of every carton of the claim.
CARRIER_SQL = """
select shipment_id, tracking_number, count(distinct package_number) as cartons,
       string_agg(distinct sscc, ' ' order by sscc) as ssccs
from cartons
group by all
order by shipment_id, tracking_number nulls last
"""

INVOICE_SQL = """
select i.tranid as invoice_number, i.trandate, i.due_date, il.line, il.sku, il.asin,
       -- eaches: Amazon orders and NetSuite bills whole units
       cast(il.quantity as integer) as quantity, il.rate, il.amount, i.currency
from the_case c
join raw.netsuite_invoices i
    on i.tranid = c.invoice_number or (c.invoice_number is null and i.po_number = c.po_number)
join raw.netsuite_invoice_lines il on il.invoice_id = i.invoice_id
where c.asin is null or il.asin = c.asin
order by i.tranid, il.line
"""

# The CSV Vendor Central's dispute upload takes, per kind of claim (columns in its order).
UPLOAD_SQL = {
    # A shortage: the units claimed against what the ASN said shipped, carton by carton.
    "SHORTAGE": """
        select c.po_number as "PO Number", c.invoice_number as "Invoice Number",
               coalesce(c.asin, k.asin) as "ASIN", c.claimed_units as "Units Claimed",
               c.asn_units as "Units Shipped", k.sscc as "Carton SSCC",
               k.units as "Units In Carton", k.weight_lb as "Carton Weight (lb)",
               k.tracking_number as "Tracking / BOL"
        from the_case c left join cartons k on true
        order by k.shipment_id, k.package_number, k.item_sequence_number
    """,
    # A price claim: what we invoiced against the cost on Amazon's own purchase order.
    "PRICE_CLAIM": """
        select c.po_number as "PO Number", c.invoice_number as "Invoice Number",
               il.asin as "ASIN", cast(il.quantity as integer) as "Units Invoiced",
               il.rate as "Invoiced Cost",
               pol.net_cost as "PO Cost"
        from the_case c
        join raw.netsuite_invoices i on i.tranid = c.invoice_number
        join raw.netsuite_invoice_lines il on il.invoice_id = i.invoice_id
        left join (
            select purchase_order_number, asin, min(net_cost) as net_cost
            from raw.amazon_purchase_order_lines group by all
        ) pol on pol.purchase_order_number = c.po_number and pol.asin = il.asin
        where c.asin is null or il.asin = c.asin
        order by il.line
    """,
    # An ASN chargeback: when the ASN was sent and accepted, and what it said.
    "CHARGEBACK": """
        select c.claim_reference as "Chargeback ID", c.po_number as "PO Number",
               c.shipment_id as "ASN ID", c.shipped_at as "Shipped At",
               c.asn_sent_at as "ASN Sent At", c.asn_accepted_at as "ASN Accepted At",
               c.asn_units as "Units On ASN", c.packed_units as "Units Packed"
        from the_case c
    """,
}

# The PDF's evidence tables: title, query, (column, heading) in order.
SECTIONS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "The claim: remittance lines",
        REMITTANCE_SQL,
        (
            ("settlement_date", "Paid on"),
            ("payment_number", "Payment"),
            ("reference", "Reference"),
            ("description", "Description"),
            ("po_number", "PO"),
            ("amount", "Amount"),
        ),
    ),
    (
        "Purchase order",
        PURCHASE_ORDER_SQL,
        (
            ("purchase_order_number", "PO"),
            ("purchase_order_date", "Ordered"),
            ("ship_to_party_id", "Ship to"),
            ("item_sequence_number", "Item"),
            ("asin", "ASIN"),
            ("vendor_sku", "SKU"),
            ("ordered_quantity", "Units ordered"),
            ("net_cost", "Net cost"),
        ),
    ),
    (
        "ASN (shipment confirmation Amazon accepted)",
        ASN_SQL,
        (
            ("shipment_id", "ASN"),
            ("shipped_at", "Shipped"),
            ("asn_sent_at", "ASN sent"),
            ("asn_accepted_at", "ASN accepted"),
            ("item_sequence_number", "Item"),
            ("asin", "ASIN"),
            ("picked_units", "Picked"),
            ("packed_units", "Packed"),
            ("asn_units", "On ASN"),
        ),
    ),
    (
        "Cartons",
        CARTONS_SQL,
        (
            ("shipment_id", "ASN"),
            ("package_number", "Carton"),
            ("sscc", "SSCC"),
            ("asin", "ASIN"),
            ("units", "Units"),
            ("weight_lb", "Weight (lb)"),
            ("tracking_number", "Tracking"),
            ("pallet_sscc", "Pallet SSCC"),
        ),
    ),
    (
        "Carrier proof",
        CARRIER_SQL,
        (
            ("shipment_id", "ASN"),
            ("tracking_number", "Tracking number"),
            ("cartons", "Cartons"),
            ("ssccs", "SSCCs"),
        ),
    ),
    (
        "Invoice",
        INVOICE_SQL,
        (
            ("invoice_number", "Invoice"),
            ("trandate", "Dated"),
            ("due_date", "Due"),
            ("line", "Line"),
            ("sku", "SKU"),
            ("asin", "ASIN"),
            ("quantity", "Units"),
            ("rate", "Unit cost"),
            ("amount", "Amount"),
        ),
    ),
)

# The case summary at the top of the PDF: (column, label).
SUMMARY: tuple[tuple[str, str], ...] = (
    ("case_class", "Claim type"),
    ("chargeback_type", "Chargeback type"),
    ("claim_reference", "Claim reference"),
    ("invoice_number", "Invoice"),
    ("po_number", "Purchase order"),
    ("vendor_code", "Vendor code"),
    ("asin", "ASIN"),
    ("claimed_units", "Units claimed"),
    ("claimed_amount", "Amount claimed"),
    ("recovered_amount", "Amount paid back"),
    ("open_amount", "Amount still held"),
    ("currency", "Currency"),
    ("claimed_on", "Claimed on"),
    ("invoice_date", "Invoice date"),
    ("invoice_due_date", "Invoice due date"),
    ("window_basis", "Dispute window from"),
    ("dispute_deadline", "Dispute deadline"),
    ("days_left", "Days left"),
    ("as_of_date", "As of"),
    ("invoiced_units", "Units invoiced"),
    ("asn_units", "Units on the ASN"),
    ("packed_units", "Units packed"),
    ("weighed_units", "Units the carton weights show"),
    ("cartons", "Cartons"),
    ("invoice_price", "Invoice unit cost"),
    ("po_net_cost", "PO net cost"),
    ("po_net_cost_at_po_date", "PO net cost at PO date"),
    ("status", "Status"),
)


class PacketError(LookupError):
    """A packet that cannot be written (no such case), in one line."""


@dataclass(frozen=True)
class Evidence:
    """A case and its evidence tables, in the order of SECTIONS."""

    case: dict[str, Any]
    tables: tuple[list[dict[str, Any]], ...]
    upload_columns: tuple[str, ...]
    upload_rows: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class Packet:
    case_id: str
    pdf: Path
    csv: Path
    upload_rows: int


def file_stem(case_id: str) -> str:
    """The case id as a file name (letters, digits, `.`, `_`, `-`)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", case_id).strip(".") or "case"


def packet_paths(out_dir: Path, case_id: str) -> tuple[Path, Path]:
    stem = file_stem(case_id)
    return out_dir / f"{stem}.pdf", out_dir / f"{stem}.csv"


def packet_dir(duckdb_path: Path) -> Path:
    """Where packets go by default: `disputes/` beside the warehouse (data/disputes/)."""
    return duckdb_path.expanduser().resolve().parent / "disputes"


def case_evidence(
    conn: duckdb.DuckDBPyConnection, case_id: str, cases: str = "finance.dispute_cases"
) -> Evidence:
    """The case's row and every evidence table, read from the warehouse (`cases`: where the
    case rows are read, the model itself or a snapshot of it)."""
    params = {"case_id": case_id}
    head = _CASE.format(cases=cases)
    found = rows(conn, head + "select * from the_case", params)
    if not found:
        raise PacketError(f"no dispute case {case_id} in finance.dispute_cases")
    case = found[0]
    tables = tuple(rows(conn, head + sql, params) for _, sql, _ in SECTIONS)
    upload = UPLOAD_SQL.get(case["case_class"], UPLOAD_SQL["CHARGEBACK"])
    cursor = conn.execute(head + upload, params)
    columns = tuple(d[0] for d in cursor.description)
    return Evidence(case, tables, columns, tuple(cursor.fetchall()))


def cell(value: Any) -> str:
    """A value as the packet writes it: ISO dates, UTC times, decimals as stored."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(UTC) if value.tzinfo else value
        return value.strftime("%Y-%m-%d %H:%M:%S") + (" UTC" if value.tzinfo else "")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        # Money to the cent, unit costs to their own precision: 12.5000 -> 12.50, 0.1234 stays.
        exponent = value.normalize().as_tuple().exponent
        places = max(2, -exponent) if isinstance(exponent, int) else 2
        return f"{value:.{places}f}"
    if isinstance(value, list | tuple):
        return ", ".join(cell(v) for v in value)
    return str(value)


def upload_csv(evidence: Evidence) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(evidence.upload_columns)
    writer.writerows([cell(v) for v in row] for row in evidence.upload_rows)
    return buffer.getvalue().encode("utf-8")


def _table(data: Sequence[Sequence[str]], widths: Sequence[float] | None = None) -> Table:
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("cell", fontSize=7.5, leading=9)
    head = small.clone("head", fontName="Helvetica-Bold")
    body = [
        [Paragraph(escape(text), head if i == 0 else small) for text in row]
        for i, row in enumerate(data)
    ]
    table = Table(body, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def packet_pdf(evidence: Evidence) -> bytes:
    """The PDF of one case (A4 landscape), deterministic for the same evidence."""
    case = evidence.case
    styles = getSampleStyleSheet()
    story: list[Any] = [
        Paragraph(escape(f"Dispute evidence: case {case['case_id']}"), styles["Title"]),
        Paragraph(
            escape(
                f"{case['case_class']} claim {case['claim_reference']} of "
                f"{cell(case['claimed_amount'])} {case['currency'] or ''}, judged "
                f"{case['judgement']} from our own records."
            ),
            styles["Normal"],
        ),
        Spacer(1, 3 * mm),
        Paragraph("Why we dispute it", styles["Heading3"]),
        Paragraph(escape(case["judgement_reason"] or "No judgement recorded."), styles["Normal"]),
        Spacer(1, 3 * mm),
        Paragraph("Case summary", styles["Heading3"]),
    ]
    summary = [[label, cell(case.get(column))] for column, label in SUMMARY]
    story.append(_table([["Field", "Value"], *summary], widths=[60 * mm, 120 * mm]))
    for (title, _, columns), table_rows in zip(SECTIONS, evidence.tables, strict=True):
        story += [Spacer(1, 4 * mm), Paragraph(escape(title), styles["Heading3"])]
        if not table_rows:
            story.append(Paragraph("No records in the warehouse.", styles["Normal"]))
            continue
        data = [[heading for _, heading in columns]]
        data += [[cell(row[column]) for column, _ in columns] for row in table_rows]
        story.append(_table(data))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"Dispute evidence {case['case_id']}",
        author="vendor_pipelines",
        subject=f"{case['case_class']} claim {case['claim_reference']}",
        # No creation date nor random document id: the same evidence gives the same bytes.
        invariant=1,
    )
    document.build(story)
    return buffer.getvalue()


def _write_atomically(path: Path, content: bytes) -> None:
    # A packet half written by a crash must not pass for a written one (the asset skips those).
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(content)
    os.replace(temporary, path)


def write_packet(
    conn: duckdb.DuckDBPyConnection,
    case_id: str,
    out_dir: Path,
    cases: str = "finance.dispute_cases",
) -> Packet:
    """Write `<out_dir>/<case_id>.pdf` and `.csv` for one case (any status)."""
    evidence = case_evidence(conn, case_id, cases)
    out_dir.mkdir(parents=True, exist_ok=True)
    pdf, upload = packet_paths(out_dir, case_id)
    _write_atomically(pdf, packet_pdf(evidence))
    _write_atomically(upload, upload_csv(evidence))
    return Packet(case_id, pdf, upload, len(evidence.upload_rows))


def cases_without_packets(conn: duckdb.DuckDBPyConnection, out_dir: Path) -> list[str]:
    """Disputable cases whose packet (PDF and CSV) is not in `out_dir` yet."""
    disputable = conn.execute(
        "select case_id from finance.dispute_cases where status = 'disputable' order by case_id"
    ).fetchall()
    return [
        case_id
        for (case_id,) in disputable
        if not all(path.is_file() for path in packet_paths(out_dir, case_id))
    ]


def write_new_packets(conn: duckdb.DuckDBPyConnection, out_dir: Path) -> list[Packet]:
    """A packet for every disputable case that has none yet."""
    missing = cases_without_packets(conn, out_dir)
    if not missing:
        return []
    # The case model is a view over every claim and its evidence: evaluated once here, not
    # once per query of every packet (six queries a packet).
    conn.execute(
        """create or replace temp table packet_cases as
           select * from finance.dispute_cases where case_id in (select unnest(?::varchar[]))""",
        [missing],
    )
    try:
        return [write_packet(conn, case_id, out_dir, "packet_cases") for case_id in missing]
    finally:
        conn.execute("drop table if exists packet_cases")
