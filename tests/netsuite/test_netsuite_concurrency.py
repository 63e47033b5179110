"""Governance: 429s under load are absorbed; lost responses never duplicate writes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from vendor_pipelines.netsuite import NetSuiteClient, RetryPolicy, SalesOrder, SalesOrderLine
from vendor_sandbox.faults import FaultPlan
from vendor_sandbox.netsuite.credentials import ACCOUNT_ID, sandbox_tba_auth

RETRY = RetryPolicy(max_attempts=40, base_delay=0.01, max_delay=0.1)


def _payload(n: int) -> dict:
    return SalesOrder(
        customer_id=2000,
        external_id=f"amazon-po-LOAD{n:04d}",
        other_ref_num=f"LOAD{n:04d}",
        lines=[SalesOrderLine(item_id=1000, quantity=1, location_id=100, line=1)],
    ).payload()


def _external_ids(client: NetSuiteClient) -> list[str]:
    rows = client.suiteql("SELECT id, externalid FROM transaction WHERE type = 'SalesOrd'")
    return [row["externalid"] for row in rows]


def test_429_above_the_limit_is_absorbed_with_no_lost_or_duplicated_writes(serve) -> None:
    server = serve(concurrency_limit=2, latency_seconds=0.02)
    # The client believes it has 8 slots: the account has 2, so NetSuite must refuse some.
    with (
        NetSuiteClient(
            server.url, ACCOUNT_ID, sandbox_tba_auth(), concurrency_limit=8, retry=RETRY
        ) as client,
        ThreadPoolExecutor(8) as pool,
    ):
        ids = list(pool.map(lambda n: client.create("salesOrder", _payload(n)), range(40)))
        ids += list(
            pool.map(
                lambda n: client.upsert_by_external_id(
                    "salesOrder", f"amazon-po-LOAD{n:04d}", _payload(n)
                ),
                range(40),
            )
        )
        gate = server.app
        assert gate.refused > 0 and client.stats.throttled == gate.refused
        assert gate.peak <= 2
        external_ids = _external_ids(client)
    assert len(set(ids)) == 40
    assert sorted(external_ids) == sorted(f"amazon-po-LOAD{n:04d}" for n in range(40))


def test_a_client_sized_to_the_limit_is_not_refused(serve) -> None:
    server = serve(concurrency_limit=3, latency_seconds=0.01)
    with (
        NetSuiteClient(
            server.url, ACCOUNT_ID, sandbox_tba_auth(), concurrency_limit=3, retry=RETRY
        ) as client,
        ThreadPoolExecutor(12) as pool,
    ):
        list(pool.map(lambda n: client.create("salesOrder", _payload(n)), range(30)))
        assert server.app.refused == 0 and client.stats.throttled == 0


def test_lost_responses_and_faults_never_duplicate_creates(serve) -> None:
    # 20% of writes commit and then answer 500; 5% injected faults on top (429, 5xx, drops).
    server = serve(
        lost_response_rate=0.2, seed=3, faults=FaultPlan.uniform(0.05, seed=3, slow_seconds=0.05)
    )
    with (
        NetSuiteClient(
            server.url, ACCOUNT_ID, sandbox_tba_auth(), concurrency_limit=5, retry=RETRY
        ) as client,
        ThreadPoolExecutor(5) as pool,
    ):
        ids = list(pool.map(lambda n: client.create("salesOrder", _payload(n)), range(40)))
        transforms = list(
            pool.map(
                lambda pair: client.transform(
                    "salesOrder", pair[1], "itemFulfillment", {"externalId": f"if-{pair[0]}"}
                ),
                enumerate(ids),
            )
        )
        assert client.stats.server_errors > 0  # lost responses really happened
        external_ids = _external_ids(client)
        fulfilments = list(client.suiteql("SELECT id FROM transaction WHERE type = 'ItemShip'"))
    assert len(set(ids)) == 40 and len(external_ids) == 40 == len(set(external_ids))
    assert len(set(transforms)) == 40 == len(fulfilments)


def test_injected_faults_are_retried(serve) -> None:
    server = serve(faults=FaultPlan.uniform(0.2, seed=5, slow_seconds=0.05))
    with (
        NetSuiteClient(server.url, ACCOUNT_ID, sandbox_tba_auth(), retry=RETRY) as client,
        ThreadPoolExecutor(5) as pool,
    ):
        ids = list(pool.map(lambda n: client.create("salesOrder", _payload(n)), range(30)))
        assert len(set(ids)) == 30
        assert sorted(_external_ids(client)) == sorted(f"amazon-po-LOAD{n:04d}" for n in range(30))


def test_the_account_limit_is_shared_by_every_process_serving_one_state(tmp_path) -> None:
    """Each Dagster step serves the embedded sandbox itself; the account limit spans them all."""
    import subprocess
    import sys

    from vendor_sandbox.netsuite.governance import SlotPool

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, pathlib\n"
            "from vendor_sandbox.netsuite.governance import SlotPool\n"
            f"pool = SlotPool(2, pathlib.Path({str(tmp_path)!r}))\n"
            "assert pool.acquire() is not None and pool.acquire() is not None\n"
            "print('held', flush=True)\n"
            "sys.stdin.readline()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        here = SlotPool(2, tmp_path)
        assert here.acquire() is None  # the other process holds the account's two slots
    finally:
        holder.communicate("\n", timeout=30)  # it exits; the kernel frees its locks
    assert here.acquire() is not None and here.acquire() is not None
    assert here.acquire() is None
