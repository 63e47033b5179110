"""`vendor-pipelines disputes list|packet|submitted` through the CLI's main(), and the
`record_dispute_submission` job (the UI's way in), over a hand-built warehouse."""

from __future__ import annotations

import csv
import getpass
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from dispute_warehouse import CARTON_1, PRICE_CLAIM, SHORTAGE, VALID, build_warehouse

from vendor_pipelines.cli import main
from vendor_pipelines.defs.disputes.submissions import record_dispute_submission
from vendor_pipelines.defs.resources import SettingsResource, WarehouseResource
from vendor_pipelines.deployment.topology import environment


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "warehouse.duckdb"
    build_warehouse(path)
    with environment({"DUCKDB_PATH": str(path)}):
        yield path


def submissions(path: Path) -> list[tuple]:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute(
            "select case_id, submitted_by, packet_file, note from raw.dispute_submissions"
            " order by case_id"
        ).fetchall()


def test_list_shows_the_cases_of_a_status(warehouse: Path, capsys) -> None:
    assert main(["disputes", "list", "--status", "disputable"]) == 0
    out = capsys.readouterr().out
    assert SHORTAGE["case_id"] in out and PRICE_CLAIM["case_id"] in out
    assert VALID["case_id"] not in out
    assert out.rstrip().endswith("(3 cases)")
    assert main(["disputes", "list"]) == 0
    assert "(5 cases)" in capsys.readouterr().out


def test_packet_writes_pdf_and_csv_then_submitted_records_it(
    warehouse: Path, tmp_path: Path, capsys
) -> None:
    # Default folder: disputes/ beside the warehouse, where `submitted` finds the packet.
    assert main(["disputes", "packet", SHORTAGE["case_id"]]) == 0
    pdf = warehouse.parent / "disputes" / "SC-INV-1001SC.pdf"
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
    with pdf.with_suffix(".csv").open() as upload:
        rows = list(csv.DictReader(upload))
    assert [row["Carton SSCC"] for row in rows][:1] == [CARTON_1]
    assert str(pdf) in capsys.readouterr().out

    assert main(["disputes", "packet", PRICE_CLAIM["case_id"], "--out", str(tmp_path / "x")]) == 0
    assert (tmp_path / "x" / "PC-INV-1002.csv").is_file()

    assert main(["disputes", "submitted", SHORTAGE["case_id"], "--note", "VC 7781"]) == 0
    assert f"case {SHORTAGE['case_id']} (INV-1001SC) submitted by" in capsys.readouterr().out
    assert main(["disputes", "submitted", PRICE_CLAIM["case_id"], "--by", "lee"]) == 0
    assert submissions(warehouse) == [
        (PRICE_CLAIM["case_id"], "lee", None, None),  # its packet is not in the default folder
        (SHORTAGE["case_id"], getpass.getuser(), str(pdf), "VC 7781"),
    ]


def test_refusals_are_one_line_and_exit_1(warehouse: Path, capsys) -> None:
    assert main(["disputes", "submitted", VALID["case_id"], "--by", "dana"]) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"error: case {VALID['case_id']} is judged valid")
    assert error.count("\n") == 1
    assert main(["disputes", "packet", "SC-NOPE"]) == 1
    assert "no dispute case SC-NOPE" in capsys.readouterr().err
    assert submissions(warehouse) == []


def test_no_warehouse_is_an_error_not_a_traceback(tmp_path: Path, capsys) -> None:
    with environment({"DUCKDB_PATH": str(tmp_path / "none" / "warehouse.duckdb")}):
        assert main(["disputes", "list"]) == 1
    assert "no warehouse at" in capsys.readouterr().err


def _run_job(path: Path, case_id: str) -> dg.ExecuteInProcessResult:
    return record_dispute_submission.execute_in_process(
        run_config={
            "ops": {
                "record_submission": {
                    "config": {"case_id": case_id, "submitted_by": "dana", "note": "from UI"}
                }
            }
        },
        resources={"duckdb": WarehouseResource(database=str(path)), "settings": SettingsResource()},
        raise_on_error=False,
    )


def test_the_job_records_a_submission_and_fails_on_a_refusal(warehouse: Path) -> None:
    assert _run_job(warehouse, SHORTAGE["case_id"]).success
    refused = _run_job(warehouse, SHORTAGE["case_id"])
    assert not refused.success
    failure = refused.failure_data_for_node("record_submission")
    assert failure is not None and "submitted already" in str(failure.error)
    assert submissions(warehouse) == [(SHORTAGE["case_id"], "dana", None, "from UI")]
