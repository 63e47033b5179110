"""The inbox cannot lose a file: content not mtime, settled files only, refusals said out loud.

Real files in a temporary inbox, a real DuckDB warehouse, the real sensor evaluated on a test
instance, and the real `remittance_files` asset run with the config the sensor asked for.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from vendor_pipelines.defs.finance.remittance_inbox import RemittanceInboxResource
from vendor_pipelines.defs.finance.remittances import (
    PAYMENTS,
    remittance_files,
    remittance_inbox_sensor,
)
from vendor_pipelines.defs.resources import SettingsResource, WarehouseResource
from vendor_pipelines.finance.inbox import InboxWatch, content_hash, display_name

MAX_FILE_BYTES = 2000


def vc_csv(payment: str, amount: str = "250.00", title: str = "") -> str:
    """A valid Vendor Central payments export paying one invoice."""
    return (
        (f"{title}\n\n" if title else "")
        + "Payment Number,Payment Date,Amount in Invoice Currency\n"
        + f'{payment},03/07/2026,"${amount}"\n\n'
        + "Payment Number,Invoice Number,Transaction Description,Amount Paid\n"
        + f"{payment},INV-{payment},Payments,{amount}\n"
    )


@dataclass
class Inbox:
    """The inbox, the warehouse and the sensor's cursor between looks."""

    folder: Path
    warehouse: Path
    instance: dg.DagsterInstance
    cursor: str | None = None
    loads: list[dg.ExecuteInProcessResult] = field(default_factory=list)

    def look(self) -> dg.SensorResult:
        result = remittance_inbox_sensor(
            dg.build_sensor_context(
                instance=self.instance,
                cursor=self.cursor,
                resources={"settings": SettingsResource()},
            )
        )
        self.cursor = result.cursor
        return result

    def look_twice(self) -> dg.SensorResult:
        """Two looks: with REMITTANCE_STABLE_SECONDS=0 an unchanged file settles on the second."""
        first = self.look()
        assert not [r for r in first.run_requests if r.run_key.startswith("remittance:")]
        return self.look()

    def load(self, request: dg.RunRequest) -> dg.ExecuteInProcessResult:
        result = dg.materialize(
            [remittance_files],
            instance=self.instance,
            run_config=request.run_config,
            resources={
                "duckdb": WarehouseResource(database=str(self.warehouse)),
                "remittance_inbox": RemittanceInboxResource(
                    path=str(self.folder), max_file_bytes=MAX_FILE_BYTES
                ),
            },
        )
        assert result.success
        self.loads.append(result)
        return result

    def load_all(self, result: dg.SensorResult) -> None:
        for request in result.run_requests:
            self.load(request)

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as conn:
            return conn.execute(sql, params or []).fetchall()

    def payments(self) -> set[str]:
        return {n for (n,) in self.query("select payment_number from raw.remittance_payments")}

    def exceptions(self, kind: str) -> list[tuple]:
        return self.query(
            "select reference, detail, resolved_at is null as open from ops.exceptions"
            " where exception_type = ? order by reference",
            [kind],
        )

    def payments_metadata(self) -> dict[str, dg.MetadataValue]:
        materializations = self.loads[-1].asset_materializations_for_node("remittance_files")
        return next(m for m in materializations if m.asset_key == PAYMENTS).metadata


def file_requests(result: dg.SensorResult) -> list[dg.RunRequest]:
    return [r for r in result.run_requests if r.run_key.startswith("remittance:")]


def review_requests(result: dg.SensorResult) -> list[dg.RunRequest]:
    return [r for r in result.run_requests if r.run_key.startswith("remittance-inbox-review:")]


@pytest.fixture
def inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    folder = tmp_path / "inbox"
    folder.mkdir()
    monkeypatch.setenv("REMITTANCE_INBOX", str(folder))
    monkeypatch.setenv("REMITTANCE_STABLE_SECONDS", "0")
    monkeypatch.setenv("REMITTANCE_MAX_FILE_BYTES", str(MAX_FILE_BYTES))
    with dg.instance_for_test() as instance:
        yield Inbox(folder, tmp_path / "warehouse.duckdb", instance)


def test_an_old_mtime_file_moved_in_after_a_newer_one_is_loaded(
    inbox: Inbox, tmp_path: Path
) -> None:
    # The cursor of the previous version: the newest mtime seen. It must not hide anything.
    inbox.cursor = str(time.time() + 3600)
    (inbox.folder / "payments-7001.csv").write_text(vc_csv("7001"))
    first = inbox.look_twice()
    assert len(file_requests(first)) == 1
    inbox.load_all(first)
    # Moved in later, but with a modification time from years ago (mv, cp -p, rsync -t).
    outside = tmp_path / "sftp" / "payments-7002.csv"
    outside.parent.mkdir()
    outside.write_text(vc_csv("7002"))
    old = time.time() - 3 * 365 * 86400
    os.utime(outside, (old, old))
    os.rename(outside, inbox.folder / outside.name)
    newer = (inbox.folder / "payments-7001.csv").stat().st_mtime
    assert (inbox.folder / outside.name).stat().st_mtime < newer
    second = inbox.look_twice()
    [request] = file_requests(second)
    assert request.run_key == f"remittance:{content_hash(vc_csv('7002').encode())}"
    inbox.load(request)
    assert inbox.payments() == {"7001", "7002"}
    # Nothing more to do: the next look requests nothing and the first file is not re-read.
    assert inbox.look().run_requests == []


def test_a_growing_file_is_not_requested_until_it_is_stable(
    inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REMITTANCE_STABLE_SECONDS", "1")
    complete = vc_csv("7101")
    path = inbox.folder / "payments-7101.csv"
    path.write_text(complete[:60])
    assert inbox.look().run_requests == []
    with path.open("a") as handle:  # the upload goes on
        handle.write(complete[60:120])
    time.sleep(1.1)
    assert inbox.look().run_requests == [], "changed since the last look: still settling"
    with path.open("a") as handle:
        handle.write(complete[120:])
    assert inbox.look().run_requests == []
    assert inbox.look().run_requests == [], "unchanged, but not for a second yet"
    time.sleep(1.1)
    [request] = file_requests(inbox.look())
    assert request.run_key == f"remittance:{content_hash(complete.encode())}"
    inbox.load(request)
    assert inbox.payments() == {"7101"}
    assert inbox.query("select count(*) from raw.remittance_quarantine") == [(0,)]


@pytest.mark.parametrize(
    "cut",
    [
        pytest.param(lambda text: text[: text.index("Payment Number,Invoice")], id="names-payment"),
        pytest.param(lambda text: text[:30], id="names-nothing"),
    ],
)
def test_a_partial_files_rejection_resolves_once_the_complete_file_loads(
    inbox: Inbox, tmp_path: Path, cut
) -> None:
    complete = vc_csv("7201")
    path = inbox.folder / "payments-7201.csv"
    path.write_text(cut(complete))
    inbox.load_all(inbox.look_twice())
    assert inbox.payments() == set()
    [(reference, detail, is_open)] = inbox.exceptions("remittance_file_rejected")
    assert (reference, is_open) == ("payments-7201.csv", True)
    assert detail.startswith("payments-7201.csv: line ")
    # The complete upload replaces the partial one under the same name.
    staged = tmp_path / "staged.csv"
    staged.write_text(complete)
    os.replace(staged, path)
    inbox.load_all(inbox.look_twice())
    assert inbox.payments() == {"7201"}
    [(_, _, is_open)] = inbox.exceptions("remittance_file_rejected")
    assert not is_open


def test_symlinks_hidden_temporary_and_oversize_files_are_refused_not_loaded(
    inbox: Inbox, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere.csv"
    elsewhere.write_text(vc_csv("7301"))
    (inbox.folder / "linked.csv").symlink_to(elsewhere)
    (inbox.folder / ".hidden.csv").write_text(vc_csv("7302"))
    (inbox.folder / "upload.csv.part").write_text(vc_csv("7303"))
    big = vc_csv("7304", title="x" * MAX_FILE_BYTES)  # valid, but above the limit
    (inbox.folder / "big.csv").write_text(big)
    first = inbox.look()
    assert first.run_requests == [], "refusals settle like files before they are reported"
    second = inbox.look()
    assert file_requests(second) == []
    [review] = review_requests(second)
    inbox.load(review)
    refused = inbox.exceptions("remittance_file_refused")
    assert [(r, o) for r, _, o in refused] == [
        (".hidden.csv", True),
        ("linked.csv", True),
        ("upload.csv.part", True),
    ]
    details = {r: d for r, d, _ in refused}
    assert "symbolic link" in details["linked.csv"]
    assert "hidden or temporary" in details[".hidden.csv"]
    assert "hidden or temporary" in details["upload.csv.part"]
    [(reference, detail, is_open)] = inbox.exceptions("remittance_file_too_large")
    assert (reference, is_open) == ("big.csv", True)
    assert f"REMITTANCE_MAX_FILE_BYTES={MAX_FILE_BYTES}" in detail and "not read" in detail
    # Not loaded, not even by a run over the whole inbox.
    inbox.load(dg.RunRequest(run_config={}))
    assert inbox.payments() == set()
    assert inbox.query("select count(*) from raw.remittance_files") == [(0,)]
    # Nothing changed: no new review. Removing the link resolves its exception by itself.
    assert inbox.look().run_requests == []
    (inbox.folder / "linked.csv").unlink()
    [review] = review_requests(inbox.look())
    inbox.load(review)
    still_open = {r for r, _, o in inbox.exceptions("remittance_file_refused") if o}
    assert still_open == {".hidden.csv", "upload.csv.part"}


def test_hostile_names_are_shown_escaped_in_exceptions_and_metadata(inbox: Inbox) -> None:
    hostile = "pay\n\x1b[31mments **now** [here](x) | ok.csv"
    shown = display_name(hostile)
    assert "\n" not in shown and "\x1b" not in shown and "*" not in shown and "|" not in shown
    assert shown.startswith("pay\\x0a\\x1b\\x5b31mments")
    (inbox.folder / hostile).write_text(vc_csv("7401")[:70])  # rejected: a partial file
    (inbox.folder / f".{hostile}").write_text(vc_csv("7402"))  # refused: hidden
    result = inbox.look_twice()
    [request] = file_requests(result)
    assert request.tags["remittance_file"] == shown
    assert all(hostile not in str(r.run_config) for r in result.run_requests)
    for request in result.run_requests:
        inbox.load(request)
    [(reference, detail, _)] = inbox.exceptions("remittance_file_rejected")
    assert (reference, detail.split(": ")[0]) == (shown, shown)
    [(reference, detail, _)] = inbox.exceptions("remittance_file_refused")
    assert reference == f".{shown}" == display_name(f".{hostile}")
    assert detail.startswith(f".{shown}: is a hidden or temporary file")
    for text in (reference, detail):
        assert "\n" not in text and "\x1b" not in text
    assert inbox.query("select file_name from raw.remittance_quarantine") == [(shown,)]
    # The asset's markdown metadata: escaped names, every markdown character made literal.
    inbox.load(dg.RunRequest(run_config={}))
    metadata = inbox.payments_metadata()
    for key in ("files", "refused"):
        text = metadata[key].value
        assert "\n" not in text.strip("\n").replace("\n- ", " ")
        assert "\x1b" not in text and "**" not in text and "](" not in text
        assert "pay\\\\x0a\\\\x1b" in text  # the escape, its backslash made literal


def test_the_cursor_keeps_only_what_is_in_the_inbox(inbox: Inbox) -> None:
    for number in ("7501", "7502"):
        (inbox.folder / f"payments-{number}.csv").write_text(vc_csv(number))
    (inbox.folder / "notes.pdf").write_text("not a remittance")
    result = inbox.look_twice()
    assert len(file_requests(result)) == 2 and len(review_requests(result)) == 1
    watch = InboxWatch.from_cursor(inbox.cursor)
    assert len(watch.taken) == 2 and len(watch.reviewed) == 1
    (inbox.folder / "payments-7501.csv").unlink()
    (inbox.folder / "notes.pdf").unlink()
    result = inbox.look()
    assert len(review_requests(result)) == 1  # the refusal is gone: its exception resolves
    watch = InboxWatch.from_cursor(inbox.cursor)
    assert len(watch.taken) == 1 and watch.reviewed == [] and watch.settling == {}
