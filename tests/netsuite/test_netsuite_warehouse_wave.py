"""The sandbox warehouse's own wave: one per poll of new item fulfilments, never in live mode."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from vendor_pipelines.fulfilment.landing import HEADER, _headers
from vendor_pipelines.netsuite import NetSuiteClient
from vendor_sandbox.embedded import embedded_sandbox
from vendor_sandbox.netsuite import warehouse
from vendor_sandbox.netsuite.app import polls_new_fulfilments
from vendor_sandbox.netsuite.credentials import ACCOUNT_ID, sandbox_oauth2_auth
from vendor_sandbox.server import LoopbackServer

SINCE = "2000-01-01T00:00:00.000Z"
POLL = (
    f"SELECT {HEADER} FROM transaction WHERE (type = ? AND lastmodifieddate >= ?) ORDER BY id ASC"
)


def test_only_the_first_page_of_a_poll_of_new_fulfilments_is_one() -> None:
    # The landing's poll (fulfilment/landing.py), as the client's keyset paging sends it.
    assert polls_new_fulfilments(POLL, ["ItemShip", SINCE], 0)
    assert not polls_new_fulfilments(POLL, ["ItemShip", SINCE], 1000)  # its next page
    keyset = POLL.replace("?) ORDER", "?) AND id > 1234 ORDER")
    assert not polls_new_fulfilments(keyset, ["ItemShip", SINCE], 0)  # its next window
    assert not polls_new_fulfilments(POLL, ["CustInvc", SINCE], 0)  # invoices
    assert not polls_new_fulfilments("SELECT id FROM transaction WHERE type = 'ItemShip'", [], 0)


@pytest.fixture
def waves(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    ran: list[int] = []
    monkeypatch.setattr(
        warehouse, "advance_warehouse", lambda store, world, waves=1: ran.append(waves) or {}
    )
    return ran


def _poll(server: LoopbackServer, times: int = 1) -> None:
    with NetSuiteClient(server.url, ACCOUNT_ID, sandbox_oauth2_auth()) as client:
        for _ in range(times):
            _headers(client, "ItemShip", SINCE)


def test_each_landing_poll_runs_one_wave_and_a_retry_of_it_none(
    serve: Callable[..., LoopbackServer], waves: list[int]
) -> None:
    server = serve(warehouse_wave_on_read=True)
    _poll(server, times=2)  # the same poll again in one session: a retry, read only
    assert waves == [1]
    _poll(server)  # the next landing (a new client, a new session)
    assert waves == [1, 1]


def test_no_wave_unless_asked(serve: Callable[..., LoopbackServer], waves: list[int]) -> None:
    _poll(serve())
    assert waves == []


@pytest.mark.parametrize("live", [False, True])
def test_the_embedded_sandbox_waves_on_polls_except_in_live_mode(
    tmp_path: Path, live: bool
) -> None:
    sandbox = embedded_sandbox(tmp_path / "sandbox", 3, "tiny", live=live)
    try:
        app = sandbox.servers[-1]._server.config.app  # the NetSuite server's gate
        assert app.sandbox.options["warehouse_wave_on_read"] is not live
    finally:
        sandbox.stop()
