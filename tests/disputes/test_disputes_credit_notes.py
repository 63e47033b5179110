"""Valid claims settled on both sides: the credit note Amazon gets, the memo NetSuite gets.

The bodies are pure and checked against the product's SP-API models; the settlement runs over
HTTP against the sandbox (Amazon and NetSuite) from a scratch warehouse whose
`finance.dispute_credit_note_lines` is written by hand, with the claim Amazon took and the
invoice it was taken on put into the sandbox's Amazon beforehand.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import dagster as dg
import pytest
from dispute_warehouse import build_warehouse, insert
from sandbox_flow import environment, sandbox_environment

from vendor_pipelines.amazon.models.invoices import InvoiceType, SubmitInvoicesRequest
from vendor_pipelines.connections import netsuite_client, sandbox_for
from vendor_pipelines.defs.disputes.credit_notes import dispute_credit_notes
from vendor_pipelines.defs.resources import (
    AmazonVendorResource,
    NetSuiteResource,
    WarehouseResource,
)
from vendor_pipelines.disputes.credit_notes import CREDIT_NOTE_CHANNEL, credit_memo, rp_credit_note
from vendor_pipelines.netsuite.errors import RecordNotFound
from vendor_pipelines.settings import load_settings
from vendor_sandbox.netsuite.seed import customer_id_for

SHORTAGE_LINE = {
    "case_id": "SC-INV-1003SC",
    "credit_note_id": "CN-SC-INV-1003SC",
    "credit_memo_external_id": "AMZ-CM-SC-INV-1003SC",
    "case_class": "SHORTAGE",
    "debit_note_number": "INV-1003SC",
    "reference_invoice_number": "INV-1003",
    "vendor_code": "VENDA",
    "customer_id": "1001",
    "currency": "USD",
    "credit_date": date(2026, 5, 28),
    "asin": "B0TEST0001",
    "vendor_sku": "SKU-1",
    "item_id": "301",
    "units": 1,
    "unit_amount": Decimal("12.50"),
    "amount": Decimal("12.50"),
    "root_cause": "short_packed_carton",
}
PRICE_LINE = SHORTAGE_LINE | {
    "case_id": "PC-INV-1002",
    "credit_note_id": "CN-PC-INV-1002",
    "credit_memo_external_id": "AMZ-CM-PC-INV-1002",
    "case_class": "PRICE_CLAIM",
    "debit_note_number": "INV-1002",
    "reference_invoice_number": "INV-1002",
    "units": 4,
    "unit_amount": Decimal("0.37"),
    "amount": Decimal("1.48"),
    "root_cause": "invoiced_above_po_cost",
}


def test_the_credit_note_names_the_debit_note_it_settles_and_adds_up() -> None:
    body = rp_credit_note(SHORTAGE_LINE)
    request = SubmitInvoicesRequest.model_validate({"invoices": [body]})
    (note,) = request.invoices
    assert note.invoiceType == InvoiceType.CreditNote
    assert note.id == "CN-SC-INV-1003SC" and note.referenceNumber == "SC-INV-1003SC"
    assert note.date.date() == date(2026, 5, 28)
    (item,) = note.items
    assert item.creditNoteDetails.debitNoteNumber == "INV-1003SC"
    assert item.creditNoteDetails.referenceInvoiceNumber == "INV-1003"
    # No purchase order on a credit note's items (Amazon asks for one on invoices only).
    assert item.purchaseOrderNumber is None
    assert item.invoicedQuantity.amount * item.netCost.amount == note.invoiceTotal.amount
    assert note.invoiceTotal.amount == SHORTAGE_LINE["amount"]
    price = SubmitInvoicesRequest.model_validate({"invoices": [rp_credit_note(PRICE_LINE)]})
    (price_item,) = price.invoices[0].items
    assert (price_item.invoicedQuantity.amount, price_item.netCost.amount) == (4, Decimal("0.37"))
    assert price.invoices[0].invoiceTotal.amount == Decimal("1.48")


def test_a_shortage_memo_restocks_its_item_and_a_price_memo_needs_the_adjustment_item() -> None:
    memo = credit_memo(SHORTAGE_LINE, None)
    assert memo["externalId"] == "AMZ-CM-SC-INV-1003SC"
    assert memo["entity"] == {"id": "1001"} and memo["otherRefNum"] == "INV-1003SC"
    assert memo["tranDate"] == "2026-05-28"
    assert memo["item"]["items"] == [
        {
            "item": {"id": "301"},
            "quantity": 1,
            "rate": 12.5,
            "amount": 12.5,
            "description": "B0TEST0001 shortage on invoice INV-1003",
        }
    ]
    assert "CN-SC-INV-1003SC" in memo["memo"]
    # The units of a price claim did leave: its memo credits the price-adjustment item.
    with pytest.raises(ValueError, match="NETSUITE_PRICE_ADJUSTMENT_ITEM_ID"):
        credit_memo(PRICE_LINE, None)
    price = credit_memo(PRICE_LINE, "900")
    assert price["item"]["items"][0]["item"] == {"id": "900"}
    assert (price["item"]["items"][0]["quantity"], price["item"]["items"][0]["amount"]) == (
        4,
        1.48,
    )
    with pytest.raises(ValueError, match="SKU-1"):
        credit_memo(SHORTAGE_LINE | {"item_id": None}, "900")


# --- over HTTP: the asset against the sandbox's Amazon and NetSuite --------------------------

LINE_COLUMNS = {
    "case_id": "VARCHAR",
    "credit_note_id": "VARCHAR",
    "credit_memo_external_id": "VARCHAR",
    "case_class": "VARCHAR",
    "debit_note_number": "VARCHAR",
    "reference_invoice_number": "VARCHAR",
    "vendor_code": "VARCHAR",
    "customer_id": "VARCHAR",
    "currency": "VARCHAR",
    "credit_date": "DATE",
    "asin": "VARCHAR",
    "vendor_sku": "VARCHAR",
    "item_id": "VARCHAR",
    "units": "INTEGER",
    "unit_amount": "DECIMAL(18, 2)",
    "amount": "DECIMAL(18, 2)",
    "root_cause": "VARCHAR",
    # as the model reads them from the ledger before this run
    "credit_note_status": "VARCHAR",
    "credit_memo_status": "VARCHAR",
}


def test_a_credit_note_amazon_refuses_posts_no_memo_and_is_finance_s_exception(tmp_path) -> None:
    """The claim names an invoice the sandbox's Amazon never received: Amazon refuses the
    credit note, so NetSuite gets no memo; the refusal is `credit_note_rejected` while the case
    is valid, and a second run sends nothing (a credit note number is never reused)."""
    with environment(sandbox_environment(tmp_path)):
        sandbox = sandbox_for(load_settings())
        vendor = sandbox.world.vendors[0].vendor_code
        line = SHORTAGE_LINE | {
            "vendor_code": vendor,
            "customer_id": str(customer_id_for(sandbox.world, vendor)),
            "credit_note_status": "not sent",
            "credit_memo_status": "not posted",
        }
        warehouse = build_warehouse(tmp_path / "warehouse.duckdb")
        with warehouse.connect() as conn:
            ddl = ", ".join(f"{name} {kind}" for name, kind in LINE_COLUMNS.items())
            conn.execute(f"create table finance.dispute_credit_note_lines ({ddl})")
            insert(conn, "finance.dispute_credit_note_lines", [line])
        resources = {
            "duckdb": WarehouseResource(database=str(warehouse.path)),
            "amazon": AmazonVendorResource(),
            "netsuite": NetSuiteResource(),
        }

        def run() -> dict:
            result = dg.materialize(
                [dispute_credit_notes], partition_key="2026-06-30", resources=resources
            )
            (event,) = result.asset_materializations_for_node(dispute_credit_notes.op.name)
            return {name: value.value for name, value in event.metadata.items()}

        first, second = run(), run()
        with warehouse.connect() as conn:
            ledger = conn.execute(
                "select channel, status, last_error from ops.submissions"
                " where submission_key in (?, ?) order by channel",
                [line["credit_note_id"], line["credit_memo_external_id"]],
            ).fetchall()
            (exception,) = conn.execute(
                "select exception_type, owner, severity, detail from ops.exceptions"
                " where resolved_at is null and exception_type = 'credit_note_rejected'"
            ).fetchall()
        with (
            netsuite_client(None, load_settings()) as client,
            pytest.raises(RecordNotFound),
        ):
            client.get_by_external_id("creditMemo", line["credit_memo_external_id"])
    assert (first["sent_this_run"], first["rejected_this_run"], first["memos_posted_this_run"]) == (
        1,
        1,
        0,
    )
    assert (second["sent_this_run"], second["memos_posted_this_run"]) == (0, 0)
    # Only the credit note is in the ledger, refused with Amazon's reason; no memo anywhere.
    assert [(channel, status) for channel, status, _ in ledger] == [(CREDIT_NOTE_CHANNEL, "failed")]
    assert "INVALID_REFERENCE_INVOICE" in ledger[0][2]
    assert exception[:3] == ("credit_note_rejected", "finance", "error")
    assert line["case_id"] in exception[3] and "INVALID_REFERENCE_INVOICE" in exception[3]
