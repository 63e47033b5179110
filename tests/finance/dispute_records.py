# ruff: noqa: E501 -- CSV rows are data, kept one per line as a file has them
"""The dispute cases' own records, built by hand into a warehouse for the dispute tests.

Seven shipments (NetSuite fulfilment, cartons with SSCC, scale weight and tracking, the ASN
Amazon accepted), ten invoices, ten purchase orders and two Amazon payments:

    PAY-1 2026-11-02  7 shortage claims, 3 price claims, 5 chargebacks
    PAY-2 2026-11-20  INV-1SCR +30.00 (all of it), INV-6SCR +5.00 (half), a chargeback reversal

Finance submitted SC-INV-1SC, SC-INV-6SC, SC-INV-7SC and CB-12345678VCBSINV on 2026-11-05.
Invoices are dated 2026-10-01, due 2026-10-31: shortage and price claims may be disputed until
2026-11-30; chargebacks (taken 2026-11-02) until 2026-12-02. Item weights: B0A 0.5 kg
(1.10231 lb), B0B 8 oz, B0C 1 lb; a carton weighs 0.5 lb empty.

A module of its own, not a test module or conftest.py, so that test modules share it by import.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

from vendor_pipelines import warehouse_schema
from vendor_pipelines.finance import load_remittance_bytes

LOADED_AT = datetime(2026, 11, 20, 18, tzinfo=UTC)
BUILT_AS_OF = "2026-11-20"
ASN_CHANNEL = "amazon.rp.shipmentConfirmation"

ITEMS = [
    # item_id, sku, asin, price, weight, weight unit as NetSuite names it
    ("1", "SKU-A", "B0A", "10.00", "0.5", "kg"),
    ("2", "SKU-B", "B0B", "4.00", "8", "oz"),
    ("3", "SKU-C", "B0C", "5.00", "1", "lb"),
]

# fulfilment -> (shipment id, PO, [(order line, item seq, asin, item id, units)],
#                [(sscc, weight lb, tracking, contents)], hours from shipping to the ASN)
SHIPMENTS: dict[str, tuple[str, str, list, list, float]] = {
    # everything right: 12 x B0A weigh 0.5 + 12 x 1.10231 = 13.7 lb, 6 x B0B 3.5 lb
    "F1": (
        "SHIP-1",
        "PO-1",
        [(1, "1", "B0A", "1", 12), (2, "2", "B0B", "2", 6)],
        [
            ("006141410000000011", "13.7", "1Z0000000000000001", "1:12"),
            ("006141410000000028", "3.5", "1Z0000000000000002", "2:6"),
        ],
        0.17,
    ),
    # the picker scanned 12 and the ASN said 12, but the carton weighs 11 units (12.6 lb)
    "F2": (
        "SHIP-2",
        "PO-2",
        [(1, "1", "B0A", "1", 12)],
        [("006141410000000035", "12.6", "1Z0000000000000003", "1:12")],
        0.17,
    ),
    # 10 of the 12 invoiced shipped; its ASN went 30 hours after the shipment left
    "F3": (
        "SHIP-3",
        "PO-3",
        [(1, "1", "B0C", "3", 10)],
        [("006141410000000042", "10.5", "1Z0000000000000004", "1:10")],
        30.0,
    ),
    "F6": (
        "SHIP-6",
        "PO-6",
        [(1, "1", "B0C", "3", 12)],
        [("006141410000000066", "12.5", "1Z0000000000000006", "1:12")],
        0.17,
    ),
    "F7": (
        "SHIP-7",
        "PO-7",
        [(1, "1", "B0C", "3", 12)],
        [("006141410000000073", "12.5", "1Z0000000000000007", "1:12")],
        0.17,
    ),
}
SHIPPED_AT = datetime(2026, 10, 1, 10, tzinfo=UTC)

# invoice id -> (number, PO, fulfilment, [(line, sku, asin, units, rate)])
INVOICES: dict[str, tuple[str, str, str | None, list]] = {
    "101": (
        "INV-1",
        "PO-1",
        "F1",
        [(1, "SKU-A", "B0A", 12, "10.00"), (2, "SKU-B", "B0B", 6, "4.00")],
    ),
    "102": ("INV-2", "PO-2", "F2", [(1, "SKU-A", "B0A", 12, "10.00")]),
    "103": ("INV-3", "PO-3", "F3", [(1, "SKU-C", "B0C", 12, "5.00")]),
    "104": ("INV-4", "PO-4", None, [(1, "SKU-C", "B0C", 12, "5.00")]),
    "106": ("INV-6", "PO-6", "F6", [(1, "SKU-C", "B0C", 12, "5.00")]),
    "107": ("INV-7", "PO-7", "F7", [(1, "SKU-C", "B0C", 12, "5.00")]),
    "108": ("INV-8", "PO-8", None, [(1, "SKU-A", "B0A", 10, "10.00")]),
    "109": ("INV-9", "PO-9", None, [(1, "SKU-A", "B0A", 10, "10.50")]),
    "110": ("INV-10", "PO-10", None, [(1, "SKU-A", "B0A", 10, "10.00")]),
    # PO-11 is not landed: neither line has a PO cost
    "111": (
        "INV-11",
        "PO-11",
        None,
        [(1, "SKU-A", "B0A", 10, "10.00"), (2, "SKU-C", "B0C", 10, "5.00")],
    ),
}

# PO -> (asin of line 1, net cost as issued, net cost now)
PURCHASE_ORDERS = {
    "PO-1": ("B0A", "10.00", "10.00"),
    "PO-2": ("B0A", "10.00", "10.00"),
    "PO-3": ("B0C", "5.00", "5.00"),
    "PO-8": ("B0A", "10.00", "10.00"),
    "PO-9": ("B0A", "10.00", "10.00"),
    # Amazon lowered its cost after we accepted the order at 10.00
    "PO-10": ("B0A", "10.00", "9.70"),
}

LINE_HEADER = (
    "Payment Number,Invoice Number,Invoice Date,Transaction type,Transaction Description,"
    "Reference Details,Original Invoice Number,Invoice Amount,Invoice Currency,"
    "Withholding Amount,Terms Discount Taken,Amount Paid,Remaining Amount"
)

CLAIMS = [
    # reference, description, PO, original invoice, amount
    ("INV-1", "Payments", "PO-1", "", "144.00"),
    ("INV-1SC", "Shortage claim", "PO-1", "INV-1", "-30.00"),  # 3 x B0A at 10.00
    ("INV-2SC", "Shortage claim", "PO-2", "INV-2", "-10.00"),
    ("INV-3SC", "Shortage claim", "PO-3", "INV-3", "-10.00"),  # 2 x B0C at 5.00
    ("INV-4SC", "Shortage claim", "PO-4", "INV-4", "-5.00"),
    ("INV-5SC", "Shortage claim", "PO-5", "INV-5", "-7.00"),  # INV-5 is not in NetSuite
    ("INV-6SC", "Shortage claim", "PO-6", "INV-6", "-10.00"),
    ("INV-7SC", "Shortage claim", "PO-7", "INV-7", "-5.00"),
    ("INV-8", "Price variance", "PO-8", "INV-8", "-3.00"),  # 10 units x 0.30
    ("INV-9", "Price variance", "PO-9", "INV-9", "-5.00"),  # 10 units x 0.50
    ("INV-10", "Price variance", "PO-10", "INV-10", "-3.00"),
    ("INV-11", "Price variance", "PO-11", "INV-11", "-2.00"),  # 10 x 0.20 fits both lines
    ("12345678VCBSINV", "Chargeback: late ASN", "PO-1", "", "-2.88"),
    ("22345678VCBSINV", "Chargeback: late ASN", "PO-3", "", "-1.00"),
    ("32345678VCBSINV", "Chargeback: ASN accuracy", "PO-2", "", "-2.40"),
    ("42345678VCBSINV", "Chargeback: ASN accuracy", "PO-1", "", "-2.88"),
    ("52345678VCBSINV", "Chargeback: carton labels", "PO-1", "", "-1.00"),
]
REVERSALS = [
    ("INV-1SCR", "Shortage claim reversal", "PO-1", "INV-1", "30.00"),
    ("INV-6SCR", "Shortage claim reversal", "PO-6", "INV-6", "5.00"),
    ("12345678VCBSINV", "Chargeback reversal", "PO-1", "", "2.88"),
]
SUBMITTED = ["SC-INV-1SC", "SC-INV-6SC", "SC-INV-7SC", "CB-12345678VCBSINV"]
SUBMITTED_AT = datetime(2026, 11, 5, 15, tzinfo=UTC)


def vc_export(number: str, day: str, lines: list[tuple[str, str, str, str, str]]) -> str:
    total = sum(Decimal(amount) for *_, amount in lines)
    rows = [
        f"{number},{reference},10/01/2026,Invoice,{description},{po},{original},{amount},USD,0,0,{amount},0"
        for reference, description, po, original, amount in lines
    ]
    return (
        "Remittance payments\n\n"
        "Payment Number,Payment Date,Invoice Currency,Amount in Invoice Currency,Payment Currency,"
        "Amount in Payment Currency,Exchange Rate,Payment Type,Payment Status,Payment Voided Reason\n"
        f"{number},{day},USD,{total},USD,{total},1,ACH,Paid,\n\n"
        + LINE_HEADER
        + "\n"
        + "\n".join(rows)
        + "\n"
    )


def load_records(conn: duckdb.DuckDBPyConnection) -> None:
    conn.executemany(
        "INSERT INTO raw.netsuite_items (item_id, sku, asin, price, cost, weight, weight_unit)"
        " VALUES (?, ?, ?, ?, 1, ?, ?)",
        ITEMS,
    )
    for fulfilment, (shipment, po, lines, cartons, asn_hours) in SHIPMENTS.items():
        conn.execute(
            "INSERT INTO raw.netsuite_item_fulfilments (fulfilment_id, tranid, sales_order_id,"
            " purchase_order_number, program, vendor_code, ship_status, created_at, loaded_at)"
            " VALUES (?, ?, 'SO', ?, 'RP', 'ACME1', 'C', ?, ?)",
            [fulfilment, shipment, po, SHIPPED_AT, SHIPPED_AT],
        )
        conn.executemany(
            "INSERT INTO raw.netsuite_item_fulfilment_lines (fulfilment_id, line, order_line,"
            " item_sequence_number, asin, item_id, quantity) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (fulfilment, line, line, seq, asin, item, units)
                for line, seq, asin, item, units in lines
            ],
        )
        conn.executemany(
            "INSERT INTO raw.netsuite_fulfilment_packages (fulfilment_id, package_number, sscc,"
            " weight_lb, tracking_number, contents) VALUES (?, ?, ?, ?, ?, ?)",
            [(fulfilment, n, *carton) for n, carton in enumerate(cartons, start=1)],
        )
        # the ASN as the fulfilment flow leaves it: sent, accepted two minutes later
        sent = SHIPPED_AT + timedelta(hours=asn_hours)
        accepted = sent + timedelta(minutes=2)
        conn.execute(
            "INSERT INTO ops.submissions (channel, submission_key, payload_hash, status,"
            " attempts, first_attempt_at, last_attempt_at) VALUES (?, ?, 'h', 'succeeded', 1, ?, ?)",
            [ASN_CHANNEL, shipment, sent, accepted],
        )
        conn.executemany(
            "INSERT INTO fulfilment.sent_shipment_lines VALUES (?, ?, ?, ?)",
            [(shipment, fulfilment, seq, units) for _, seq, _, _, units in lines],
        )
    for invoice, (number, po, fulfilment, lines) in INVOICES.items():
        total = sum(units * Decimal(rate) for *_, units, rate in lines)
        conn.execute(
            "INSERT INTO raw.netsuite_invoices (invoice_id, tranid, po_number, vendor_code,"
            " customer_id, trandate, due_date, total, currency)"
            " VALUES (?, ?, ?, 'ACME1', '77', '2026-10-01', '2026-10-31', ?, 'USD')",
            [invoice, number, po, total],
        )
        for line, sku, asin, units, rate in lines:
            conn.execute(
                "INSERT INTO raw.netsuite_invoice_lines VALUES (?, ?, ?, ?, ?, ?, ?)",
                [invoice, line, sku, asin, units, rate, units * Decimal(rate)],
            )
            conn.execute(
                "INSERT INTO raw.netsuite_invoice_line_refs VALUES (?, ?, ?, ?)",
                [invoice, line, line, str(line)],
            )
        if fulfilment:
            conn.execute(
                "INSERT INTO raw.netsuite_invoice_fulfilments VALUES (?, ?, 'RP', ?)",
                [invoice, fulfilment, SHIPPED_AT],
            )
    for po, (asin, issued, now) in PURCHASE_ORDERS.items():
        conn.execute(
            "INSERT INTO raw.amazon_purchase_orders (purchase_order_number, program, region,"
            " vendor_code, purchase_order_state, purchase_order_date, payload_hash,"
            " first_seen_at, last_changed_at) VALUES (?, 'RP', 'NA', 'ACME1', 'Acknowledged',"
            " '2026-09-20', ?, '2026-09-20', '2026-09-25')",
            [po, f"{po}-v2"],
        )
        conn.execute(
            "INSERT INTO raw.amazon_purchase_order_lines VALUES (?, '1', ?, 'SKU', 10, 'Eaches',"
            " 1, false, ?, 'USD', NULL)",
            [po, asin, now],
        )
        for version, seen, cost in (
            (f"{po}-v1", "2026-09-20", issued),
            (f"{po}-v2", "2026-09-25", now),
        ):
            payload = (
                '{"purchaseOrderNumber": "'
                + po
                + '", "orderDetails": {"items": [{"itemSequenceNumber": "1",'
                ' "amazonProductIdentifier": "' + asin + '", "netCost": {"amount": "' + cost + '",'
                ' "currencyCode": "USD"}}]}}'
            )
            conn.execute(
                "INSERT INTO raw.amazon_purchase_order_versions VALUES (?, ?, 'Acknowledged', ?, ?)",
                [po, version, seen, payload],
            )
    for name, content in (
        ("pay1.csv", vc_export("PAY-1", "11/02/2026", CLAIMS)),
        ("pay2.csv", vc_export("PAY-2", "11/20/2026", REVERSALS)),
    ):
        assert load_remittance_bytes(conn, content.encode(), name, now=LOADED_AT).status == "loaded"
    conn.executemany(
        "INSERT INTO raw.dispute_submissions (case_id, claim_reference, case_class, submitted_at,"
        " submitted_by) VALUES (?, ?, ?, ?, 'ana')",
        [
            (
                case,
                case.split("-", 1)[1],
                "CHARGEBACK" if case.startswith("CB") else "SHORTAGE",
                SUBMITTED_AT,
            )
            for case in SUBMITTED
        ],
    )


def make_warehouse(path: Path) -> None:
    """A new warehouse file at `path` holding the records."""
    with duckdb.connect(str(path)) as conn:
        warehouse_schema.apply(conn)
        load_records(conn)
