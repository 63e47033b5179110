"""Evidence packets over a hand-built warehouse: the PDF's text read back with pypdf, the CSV
in Vendor Central's upload columns, one file pair per case, the same bytes when written again."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pypdf
import pytest
from dispute_warehouse import (
    CARTON_1,
    CARTON_2,
    CHARGEBACK,
    CHARGEBACK_CASE,
    PRICE_CLAIM,
    SHORTAGE,
    TRACKING_1,
    TRACKING_2,
    DisputeWarehouse,
    build_warehouse,
)

from vendor_pipelines.disputes.packets import (
    PacketError,
    cases_without_packets,
    file_stem,
    write_new_packets,
    write_packet,
)


@pytest.fixture
def warehouse(tmp_path: Path) -> DisputeWarehouse:
    return build_warehouse(tmp_path / "warehouse.duckdb")


def pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(str(path))
    # One space between words whatever the table layout broke them into.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def upload(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


def test_shortage_packet_holds_the_case_the_cartons_and_the_carrier_proof(
    warehouse: DisputeWarehouse, tmp_path: Path
) -> None:
    with warehouse.connect() as conn:
        packet = write_packet(conn, SHORTAGE["case_id"], tmp_path / "out")
    assert packet.pdf == tmp_path / "out" / "SC-INV-1001SC.pdf"
    assert packet.csv == tmp_path / "out" / "SC-INV-1001SC.csv"
    text = pdf_text(packet.pdf)
    assert f"Dispute evidence: case {SHORTAGE['case_id']}" in text
    assert " ".join(SHORTAGE["judgement_reason"].split()) in text
    for fact in (
        "INV-1001SC",  # the claim's remittance line
        "Shortage claim",
        "-25.00",
        "PO-1001",
        "Dispute deadline 2026-07-01",
        "Days left 1",
        "ASN-5001",
        "2026-03-02 14:07:00 UTC",  # ASN sent
        CARTON_1,
        CARTON_2,
        TRACKING_1,
        TRACKING_2,
        "13.70",  # carton 1's scale weight
        "125.00",  # the invoice line of the ASIN
    ):
        assert fact in text, fact
    # Only the claimed ASIN's invoice line and PO line: the other item is not evidence.
    assert "B0TEST0002" not in text
    # One upload row per carton holding the ASIN, with its units and tracking number.
    assert upload(packet.csv) == [
        {
            "PO Number": "PO-1001",
            "Invoice Number": "INV-1001",
            "ASIN": "B0TEST0001",
            "Units Claimed": "2",
            "Units Shipped": "10",
            "Carton SSCC": sscc,
            "Units In Carton": units,
            "Carton Weight (lb)": weight,
            "Tracking / BOL": tracking,
        }
        for sscc, units, weight, tracking in (
            (CARTON_1, "6", "13.70", TRACKING_1),
            (CARTON_2, "4", "14.20", TRACKING_2),
        )
    ]


def test_price_claim_csv_compares_the_invoice_with_the_po_cost(
    warehouse: DisputeWarehouse, tmp_path: Path
) -> None:
    with warehouse.connect() as conn:
        packet = write_packet(conn, PRICE_CLAIM["case_id"], tmp_path)
    assert upload(packet.csv) == [
        {
            "PO Number": "PO-1002",
            "Invoice Number": "INV-1002",
            "ASIN": "B0TEST0001",
            "Units Invoiced": "4",
            "Invoiced Cost": "12.50",
            "PO Cost": "12.50",
        }
    ]
    text = pdf_text(packet.pdf)
    assert "Price variance" in text and "-1.48" in text
    # No shipment is named by this case or linked to its invoice: said, not left blank.
    assert "No records in the warehouse." in text


def test_chargeback_csv_says_when_the_asn_was_sent_and_accepted(
    warehouse: DisputeWarehouse, tmp_path: Path
) -> None:
    with warehouse.connect() as conn:
        packet = write_packet(conn, CHARGEBACK_CASE["case_id"], tmp_path)
    assert upload(packet.csv) == [
        {
            "Chargeback ID": CHARGEBACK,
            "PO Number": "PO-1001",
            "ASN ID": "ASN-5001",
            "Shipped At": "2026-03-02 14:00:00 UTC",
            "ASN Sent At": "2026-03-02 14:07:00 UTC",
            "ASN Accepted At": "2026-03-02 14:09:00 UTC",
            "Units On ASN": "15",
            "Units Packed": "15",
        }
    ]
    text = pdf_text(packet.pdf)
    assert "Chargeback: late ASN" in text
    # A chargeback names the shipment, so every carton of it is evidence.
    assert "B0TEST0002" in text and CARTON_2 in text


def test_packets_are_deterministic_and_written_once_per_disputable_case(
    warehouse: DisputeWarehouse, tmp_path: Path
) -> None:
    out = tmp_path / "packets"
    with warehouse.connect() as conn:
        disputable = [SHORTAGE["case_id"], PRICE_CLAIM["case_id"], CHARGEBACK_CASE["case_id"]]
        assert cases_without_packets(conn, out) == sorted(disputable)
        written = write_new_packets(conn, out)
        assert sorted(p.case_id for p in written) == sorted(disputable)
        first = {path.name: path.read_bytes() for path in out.iterdir()}
        assert len(first) == 6  # a PDF and a CSV each; valid and submitted cases have none
        assert write_new_packets(conn, out) == []
        again = write_packet(conn, SHORTAGE["case_id"], tmp_path / "again")
    assert again.pdf.read_bytes() == first["SC-INV-1001SC.pdf"]
    assert again.csv.read_bytes() == first["SC-INV-1001SC.csv"]


def test_unknown_case_and_unsafe_names(warehouse: DisputeWarehouse, tmp_path: Path) -> None:
    with warehouse.connect() as conn, pytest.raises(PacketError, match="no dispute case"):
        write_packet(conn, "SC-NOPE", tmp_path)
    assert file_stem("CB-1/2 x") == "CB-1_2_x"
    assert file_stem("../../etc") == "_.._etc"
