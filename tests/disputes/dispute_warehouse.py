"""A scratch warehouse for the dispute tests: the warehouse schema, evidence rows written by
hand, and `finance.dispute_cases` / `finance.dispute_journal_lines` as plain tables with the
columns of the contract (the dbt models are tested on their own; here they are inputs).

The evidence (one RP shipment of PO-1001, two cartons; invoices INV-1001, INV-1002):

    INV-1001  PO-1001  B0TEST0001 10 x 12.50, B0TEST0002 5 x 8.00   ASN-5001 (two cartons)
    INV-1002  PO-1002  B0TEST0001  4 x 12.50 (the PO says 12.50, Amazon paid 12.13)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from vendor_pipelines import warehouse_schema

CASE_COLUMNS = {
    "case_id": "VARCHAR",
    "case_class": "VARCHAR",
    "chargeback_type": "VARCHAR",
    "claim_key": "VARCHAR",
    "claim_reference": "VARCHAR",
    "invoice_number": "VARCHAR",
    "po_number": "VARCHAR",
    "vendor_code": "VARCHAR",
    "customer_id": "VARCHAR",
    "currency": "VARCHAR",
    "asin": "VARCHAR",
    "claimed_units": "INTEGER",
    "line_ids": "VARCHAR[]",
    "claimed_amount": "DECIMAL(18, 2)",
    "recovered_amount": "DECIMAL(18, 2)",
    "open_amount": "DECIMAL(18, 2)",
    "claimed_on": "DATE",
    "invoice_date": "DATE",
    "invoice_due_date": "DATE",
    "window_basis": "VARCHAR",
    "dispute_deadline": "DATE",
    "days_left": "INTEGER",
    "invoiced_units": "INTEGER",
    "asn_units": "INTEGER",
    "packed_units": "INTEGER",
    "weighed_units": "INTEGER",
    "shipment_id": "VARCHAR",
    "shipped_at": "TIMESTAMPTZ",
    "asn_sent_at": "TIMESTAMPTZ",
    "asn_accepted_at": "TIMESTAMPTZ",
    "cartons": "INTEGER",
    "invoice_price": "DECIMAL(18, 4)",
    "po_net_cost": "DECIMAL(18, 2)",
    "po_net_cost_at_po_date": "DECIMAL(18, 2)",
    "netsuite_price": "DECIMAL(18, 4)",
    "judgement": "VARCHAR",
    "judgement_reason": "VARCHAR",
    "root_cause": "VARCHAR",
    "submitted_at": "TIMESTAMPTZ",
    "submitted_by": "VARCHAR",
    "status": "VARCHAR",
    "decided_on": "DATE",
    "as_of_date": "DATE",
}

JOURNAL_COLUMNS = {
    "journal_external_id": "VARCHAR",
    "case_id": "VARCHAR",
    "status": "VARCHAR",
    "posting_date": "DATE",
    "journal_line_no": "INTEGER",
    "gl_account_number": "VARCHAR",
    "gl_account_name": "VARCHAR",
    "debit": "DECIMAL(18, 2)",
    "credit": "DECIMAL(18, 2)",
    "memo": "VARCHAR",
    "customer_id": "VARCHAR",
    "currency": "VARCHAR",
}

AS_OF = date(2026, 6, 30)
SHIPPED = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
ASN_SENT = datetime(2026, 3, 2, 14, 7, tzinfo=UTC)
ASN_ACCEPTED = datetime(2026, 3, 2, 14, 9, tzinfo=UTC)
CARTON_1, CARTON_2 = "000012345600000017", "000012345600000024"
TRACKING_1, TRACKING_2 = "1Z999AA10123456784", "1Z999AA10123456791"
CHARGEBACK = "12345678VCBSINV"


def case(case_id: str, case_class: str, **values: Any) -> dict[str, Any]:
    """A case row: what every case of the tests shares, then `values`."""
    return {
        "case_id": case_id,
        "case_class": case_class,
        "vendor_code": "VENDA",
        "customer_id": "1001",
        "currency": "USD",
        "recovered_amount": Decimal("0.00"),
        "as_of_date": AS_OF,
        "judgement": "disputable",
        "status": "disputable",
        **values,
    }


SHORTAGE = case(
    "SC-INV-1001SC",
    "SHORTAGE",
    claim_key="INV-1001SC",
    claim_reference="INV-1001SC",
    invoice_number="INV-1001",
    po_number="PO-1001",
    asin="B0TEST0001",
    claimed_units=2,
    line_ids=["remit-a:3"],
    claimed_amount=Decimal("25.00"),
    open_amount=Decimal("25.00"),
    claimed_on=date(2026, 5, 28),
    invoice_date=date(2026, 3, 3),
    invoice_due_date=date(2026, 6, 1),
    window_basis="invoice_due_date",
    dispute_deadline=date(2026, 7, 1),
    days_left=1,
    invoiced_units=10,
    asn_units=10,
    packed_units=10,
    weighed_units=10,
    shipment_id="ASN-5001",
    shipped_at=SHIPPED,
    asn_sent_at=ASN_SENT,
    asn_accepted_at=ASN_ACCEPTED,
    cartons=2,
    judgement_reason=(
        "We shipped all 10 units of B0TEST0001: the ASN Amazon accepted, NetSuite's pick and "
        "both cartons' scale weights say 10."
    ),
)
PRICE_CLAIM = case(
    "PC-INV-1002",
    "PRICE_CLAIM",
    claim_key="INV-1002",
    claim_reference="INV-1002",
    invoice_number="INV-1002",
    po_number="PO-1002",
    asin="B0TEST0001",
    claimed_units=4,
    line_ids=["remit-a:5"],
    claimed_amount=Decimal("1.48"),
    open_amount=Decimal("1.48"),
    claimed_on=date(2026, 5, 28),
    invoice_date=date(2026, 3, 10),
    invoice_due_date=date(2026, 6, 8),
    window_basis="invoice_due_date",
    dispute_deadline=date(2026, 7, 8),
    days_left=8,
    invoiced_units=4,
    invoice_price=Decimal("12.5000"),
    po_net_cost=Decimal("12.50"),
    po_net_cost_at_po_date=Decimal("12.50"),
    netsuite_price=Decimal("12.5000"),
    judgement_reason="We invoiced 12.50, the net cost on Amazon's PO PO-1002 at its date.",
)
CHARGEBACK_CASE = case(
    f"CB-{CHARGEBACK}",
    "CHARGEBACK",
    chargeback_type="ASN_LATE",
    claim_key=CHARGEBACK,
    claim_reference=CHARGEBACK,
    invoice_number="INV-1001",
    po_number="PO-1001",
    line_ids=["remit-a:7"],
    claimed_amount=Decimal("3.30"),
    open_amount=Decimal("3.30"),
    claimed_on=date(2026, 6, 15),
    window_basis="settlement_date",
    dispute_deadline=date(2026, 7, 15),
    days_left=15,
    asn_units=15,
    packed_units=15,
    shipment_id="ASN-5001",
    shipped_at=SHIPPED,
    asn_sent_at=ASN_SENT,
    asn_accepted_at=ASN_ACCEPTED,
    cartons=2,
    judgement_reason="The ASN was sent 7 minutes after the shipment left and accepted at once.",
)
VALID = case(
    "SC-INV-1003SC",
    "SHORTAGE",
    claim_key="INV-1003SC",
    claim_reference="INV-1003SC",
    invoice_number="INV-1003",
    po_number="PO-1003",
    claimed_amount=Decimal("12.50"),
    open_amount=Decimal("12.50"),
    dispute_deadline=date(2026, 7, 20),
    judgement="valid",
    judgement_reason="Carton 000012345600000031 weighed 9 units, not the 10 we invoiced.",
    root_cause="short_packed_carton",
    status="valid",
)
SUBMITTED = case(
    "SC-INV-1004SC",
    "SHORTAGE",
    claim_key="INV-1004SC",
    claim_reference="INV-1004SC",
    claimed_amount=Decimal("16.00"),
    open_amount=Decimal("16.00"),
    submitted_at=datetime(2026, 6, 2, 9, 30, tzinfo=UTC),
    submitted_by="dana",
    status="submitted",
)
CASES = (SHORTAGE, PRICE_CLAIM, CHARGEBACK_CASE, VALID, SUBMITTED)


@dataclass
class DisputeWarehouse:
    path: Path

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.path))

    def set_status(self, case_id: str, status: str) -> None:
        with self.connect() as conn:
            conn.execute(
                "update finance.dispute_cases set status = ? where case_id = ?", [status, case_id]
            )

    def replace_journal_lines(self, lines: list[dict[str, Any]]) -> None:
        with self.connect() as conn:
            conn.execute("delete from finance.dispute_journal_lines")
            insert(conn, "finance.dispute_journal_lines", lines)


def insert(conn: duckdb.DuckDBPyConnection, table: str, records: list[dict[str, Any]]) -> None:
    for record in records:
        names = ", ".join(record)
        marks = ", ".join("?" for _ in record)
        conn.execute(f"insert into {table} ({names}) values ({marks})", list(record.values()))


def create_model_tables(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("create schema if not exists finance")
    for table, columns in (
        ("dispute_cases", CASE_COLUMNS),
        ("dispute_journal_lines", JOURNAL_COLUMNS),
    ):
        ddl = ", ".join(f"{name} {kind}" for name, kind in columns.items())
        conn.execute(f"create or replace table finance.{table} ({ddl})")


def insert_evidence(conn: duckdb.DuckDBPyConnection) -> None:
    insert(
        conn,
        "raw.amazon_purchase_orders",
        [
            {
                "purchase_order_number": po,
                "program": "RP",
                "region": "NA",
                "vendor_code": "VENDA",
                "purchase_order_state": "Acknowledged",
                "purchase_order_date": ordered,
                "ship_to_party_id": "SEA8",
                "payload_hash": f"hash-{po}",
                "first_seen_at": ordered,
                "last_changed_at": ordered,
            }
            for po, ordered in (
                ("PO-1001", datetime(2026, 2, 25, tzinfo=UTC)),
                ("PO-1002", datetime(2026, 3, 5, tzinfo=UTC)),
            )
        ],
    )
    po_line = {"is_backorder_allowed": False, "currency": "USD", "unit_size": 1}
    insert(
        conn,
        "raw.amazon_purchase_order_lines",
        [
            {
                **po_line,
                "purchase_order_number": "PO-1001",
                "item_sequence_number": "00001",
                "asin": "B0TEST0001",
                "vendor_sku": "SKU-1",
                "ordered_quantity": 10,
                "net_cost": Decimal("12.50"),
            },
            {
                **po_line,
                "purchase_order_number": "PO-1001",
                "item_sequence_number": "00002",
                "asin": "B0TEST0002",
                "vendor_sku": "SKU-2",
                "ordered_quantity": 5,
                "net_cost": Decimal("8.00"),
            },
            {
                **po_line,
                "purchase_order_number": "PO-1002",
                "item_sequence_number": "00001",
                "asin": "B0TEST0001",
                "vendor_sku": "SKU-1",
                "ordered_quantity": 4,
                "net_cost": Decimal("12.50"),
            },
        ],
    )
    invoice = {"vendor_code": "VENDA", "customer_id": "1001", "currency": "USD"}
    insert(
        conn,
        "raw.netsuite_invoices",
        [
            {
                **invoice,
                "invoice_id": "801",
                "tranid": "INV-1001",
                "po_number": "PO-1001",
                "trandate": date(2026, 3, 3),
                "due_date": date(2026, 6, 1),
                "total": Decimal("165.00"),
            },
            {
                **invoice,
                "invoice_id": "802",
                "tranid": "INV-1002",
                "po_number": "PO-1002",
                "trandate": date(2026, 3, 10),
                "due_date": date(2026, 6, 8),
                "total": Decimal("50.00"),
            },
        ],
    )
    insert(
        conn,
        "raw.netsuite_invoice_lines",
        [
            {
                "invoice_id": "801",
                "line": 1,
                "sku": "SKU-1",
                "asin": "B0TEST0001",
                "quantity": 10,
                "rate": Decimal("12.50"),
                "amount": Decimal("125.00"),
            },
            {
                "invoice_id": "801",
                "line": 2,
                "sku": "SKU-2",
                "asin": "B0TEST0002",
                "quantity": 5,
                "rate": Decimal("8.00"),
                "amount": Decimal("40.00"),
            },
            {
                "invoice_id": "802",
                "line": 1,
                "sku": "SKU-1",
                "asin": "B0TEST0001",
                "quantity": 4,
                "rate": Decimal("12.50"),
                "amount": Decimal("50.00"),
            },
        ],
    )
    insert(
        conn,
        "raw.netsuite_invoice_fulfilments",
        [{"invoice_id": "801", "fulfilment_id": "701", "program": "RP", "created_at": SHIPPED}],
    )
    insert(
        conn,
        "raw.netsuite_item_fulfilments",
        [
            {
                "fulfilment_id": "701",
                "tranid": "ASN-5001",
                "sales_order_id": "601",
                "purchase_order_number": "PO-1001",
                "program": "RP",
                "vendor_code": "VENDA",
                "ship_status": "C",
                "created_at": SHIPPED,
                "loaded_at": SHIPPED,
            }
        ],
    )
    insert(
        conn,
        "raw.netsuite_item_fulfilment_lines",
        [
            {
                "fulfilment_id": "701",
                "line": line,
                "order_line": line,
                "item_sequence_number": f"0000{line}",
                "asin": asin,
                "quantity": units,
            }
            for line, asin, units in ((1, "B0TEST0001", 10), (2, "B0TEST0002", 5))
        ],
    )
    insert(
        conn,
        "raw.netsuite_fulfilment_packages",
        [
            {
                "fulfilment_id": "701",
                "package_number": 1,
                "sscc": CARTON_1,
                "weight_lb": Decimal("13.70"),
                "tracking_number": TRACKING_1,
                "contents": "1:6",
            },
            {
                "fulfilment_id": "701",
                "package_number": 2,
                "sscc": CARTON_2,
                "weight_lb": Decimal("14.20"),
                "tracking_number": TRACKING_2,
                "contents": "1:4,2:5",
            },
        ],
    )
    insert(
        conn,
        "fulfilment.sent_shipment_lines",
        [
            {
                "shipment_key": "ASN-5001",
                "fulfilment_id": "701",
                "item_sequence_number": seq,
                "quantity": units,
            }
            for seq, units in (("00001", 10), ("00002", 5))
        ],
    )
    remittance = {
        "file_hash": "remit-a",
        "payment_number": "PAY-1",
        "record_kind": "adjustment",
        "discount_amount": Decimal("0"),
        "withholding_amount": Decimal("0"),
    }
    conn.execute(
        "insert into raw.remittance_files values ('remit-a', 'pay-1.820', 'x12_820', null, 1, 3,"
        " -29.78, null, now())"
    )
    insert(
        conn,
        "raw.remittance_lines",
        [
            {
                **remittance,
                "settlement_date": date(2026, 5, 28),
                "line_no": 3,
                "reference": "INV-1001SC",
                "amount": Decimal("-25.00"),
                "description": "Shortage claim",
                "po_number": "PO-1001",
            },
            {
                **remittance,
                "settlement_date": date(2026, 5, 28),
                "line_no": 5,
                "reference": "INV-1002",
                "amount": Decimal("-1.48"),
                "description": "Price variance",
                "po_number": "PO-1002",
            },
            {
                **remittance,
                "settlement_date": date(2026, 6, 15),
                "line_no": 7,
                "reference": CHARGEBACK,
                "amount": Decimal("-3.30"),
                "description": "Chargeback: late ASN",
                "po_number": "PO-1001",
            },
        ],
    )


def build_warehouse(path: Path) -> DisputeWarehouse:
    with duckdb.connect(str(path)) as conn:
        warehouse_schema.apply(conn)
        create_model_tables(conn)
        insert_evidence(conn)
        insert(conn, "finance.dispute_cases", list(CASES))
    return DisputeWarehouse(path)
