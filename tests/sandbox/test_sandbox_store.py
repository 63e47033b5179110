"""The sandbox's document store: order kept across processes, and a write that does not read
every document (a large vendor's day is tens of thousands of them)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from vendor_sandbox.store import SandboxStore


def test_documents_keep_their_first_insertion_order_across_connections(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    first, second = SandboxStore(path), SandboxStore(path)
    first.put("salesOrder", "b", {"n": 1})
    second.put("salesOrder", "a", {"n": 2})
    first.put("item", "x", {"n": 3})
    second.put("salesOrder", "b", {"n": 4})  # an update keeps its place
    assert [d["n"] for d in first.all("salesOrder")] == [4, 2]
    assert first.get("item", "x") == {"n": 3}


def test_a_write_numbers_its_document_from_an_index_not_a_scan(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    SandboxStore(path)
    with sqlite3.connect(path) as conn:
        plan = conn.execute(
            "explain query plan select coalesce(max(seq), 0) + 1 from documents"
        ).fetchall()
    details = " ".join(row[-1] for row in plan)
    assert "USING COVERING INDEX documents_seq" in details, details  # not "SCAN documents"
