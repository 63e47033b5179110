"""Benchmark: a large vendor's day of purchase orders synced to NetSuite sales orders.

NetSuite's throughput is bounded by the account's concurrency limit and its per-request
latency: ceiling = limit / latency sales orders per second. The sync's job is to reach that
ceiling without duplicates; this prints the wall time and the ratio to it.

The sandbox serves from a process of its own, as NetSuite does: served from the bench's own
process, its request handling (validating and storing 2,000 sales orders of 20 lines) would
take turns with the sync's on one interpreter lock, and the figure would measure the two.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from multiprocessing.connection import Connection
from pathlib import Path

import duckdb
import httpx
from cryptography.fernet import Fernet

from vendor_pipelines import warehouse_schema
from vendor_pipelines.amazon.regions import AmazonRegions
from vendor_pipelines.netsuite import NetSuiteClient, eid, record_path
from vendor_pipelines.orders.catalogue import set_ship_from_mapping, snapshot_catalogue
from vendor_pipelines.orders.plans import OrderRules
from vendor_pipelines.orders.pull import pull_purchase_orders
from vendor_pipelines.orders.sync import sync_sales_orders
from vendor_sandbox.bench._figures import figure
from vendor_sandbox.embedded import (
    SANDBOX_NETSUITE_ACCOUNT_ID,
    start_sandbox,
)
from vendor_sandbox.identity import sandbox_amazon_client
from vendor_sandbox.netsuite.credentials import sandbox_oauth2_auth
from vendor_sandbox.netsuite.records.base import Books
from vendor_sandbox.store import SandboxStore
from vendor_sandbox.world import Scale, generate_world

HELP = "sync a large vendor's day of POs to NetSuite sales orders; ratio to the concurrency ceiling"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--purchase-orders", type=int, default=2000)
    parser.add_argument("--lines-per-order", type=int, default=20)
    parser.add_argument("--concurrency-limit", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.05, help="NetSuite seconds/request")


BARE_REQUESTS = 500


class _FirstCall:
    """Notes when a method of `target` is first called (the first request of the sync), and
    keeps the arguments of its first `keep` calls (to send them again bare)."""

    def __init__(self, target: object, name: str, keep: int = 0) -> None:
        self.target, self.name, self.at = target, name, None
        self.calls: list[tuple[object, ...]] = []
        self.original = getattr(target, name)
        lock = threading.Lock()

        def wrapper(*args: object) -> object:
            with lock:
                if self.at is None:
                    self.at = time.monotonic()
                if len(self.calls) < keep:
                    self.calls.append(args)
            return self.original(*args)

        setattr(target, name, wrapper)

    def restore(self) -> None:
        delattr(self.target, self.name)


def _bare_rate(netsuite: NetSuiteClient, calls: list[tuple[object, ...]], workers: int) -> float:
    """Sales orders a second of the least a client can do against the same sandbox: the
    recorded upserts again (same externalIds, so the sandbox updates each order as the sync
    made it), each request encoded beforehand, `workers` threads sending back to back with no
    planning, ledger or retries. What the sandbox itself lets through: the sync's bound."""
    token = netsuite.transport._authorization("PUT", httpx.URL(netsuite.transport.base_url))
    headers = {
        **netsuite._write_headers,
        "Authorization": token,
        "Content-Type": "application/json",
    }
    requests = [
        (
            netsuite.transport.base_url + record_path(str(record_type), eid(str(external_id))),
            json.dumps({k: v for k, v in dict(body).items() if k != "externalId"}).encode(),
        )
        for record_type, external_id, body in calls
    ]
    pending = iter(requests)
    lock = threading.Lock()

    def send_all(client: httpx.Client) -> None:
        while True:
            with lock:
                request = next(pending, None)
            if request is None:
                return
            client.put(request[0], content=request[1], headers=headers).raise_for_status()

    clients = [httpx.Client(timeout=30) for _ in range(workers)]
    started = time.monotonic()
    threads = [threading.Thread(target=send_all, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    for client in clients:
        client.close()
    return len(requests) / wall


SEED = 3


def _serve(state_dir: Path, scale: Scale, netsuite_options: dict, pipe: Connection) -> None:
    """The sandbox's process: serve until the bench says stop, sending it the two URLs first."""
    sandbox = start_sandbox(
        state_dir,
        seed=SEED,
        scale=scale,
        amazon_options={"enforce_rate_limits": False},
        netsuite_options=netsuite_options,
    )
    pipe.send((sandbox.amazon_url, sandbox.netsuite_url))
    # "cpu" asks for this process's CPU seconds so far; anything else stops it.
    while pipe.recv() == "cpu":
        times = os.times()
        pipe.send(times.user + times.system)
    sandbox.stop()


@dataclass(frozen=True)
class _SandboxProcess:
    amazon_url: str
    netsuite_url: str
    pipe: Connection

    def cpu_seconds(self) -> float:
        self.pipe.send("cpu")
        return float(self.pipe.recv())


@contextmanager
def _sandbox_process(
    state_dir: Path, scale: Scale, netsuite_options: dict
) -> Iterator[_SandboxProcess]:
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(
        target=_serve, args=(state_dir, scale, netsuite_options, theirs), daemon=True
    )
    process.start()
    try:
        if not ours.poll(120):
            raise RuntimeError("the sandbox process did not start within 120 s")
        amazon_url, netsuite_url = ours.recv()
        yield _SandboxProcess(amazon_url, netsuite_url, ours)
    finally:
        ours.send("stop")
        process.join(30)
        if process.is_alive():
            process.kill()


def run(args: argparse.Namespace) -> int:
    scale = Scale(
        vendor_codes=3,
        items=2000,
        warehouses=4,
        purchase_orders_per_day=args.purchase_orders,
        lines_per_order=args.lines_per_order,
        df_orders_per_day=0,
        days=1,
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        setup = time.monotonic()
        state_dir = root / "sandbox"
        options = {"concurrency_limit": args.concurrency_limit, "latency_seconds": args.latency}
        with _sandbox_process(state_dir, scale, options) as sandbox:
            return _run(args, root, setup, scale, state_dir, sandbox)


def _run(
    args: argparse.Namespace,
    root: Path,
    setup: float,
    scale: Scale,
    state_dir: Path,
    sandbox: _SandboxProcess,
) -> int:
    conn = duckdb.connect(str(root / "warehouse.duckdb"))
    warehouse_schema.apply(conn)
    amazon = sandbox_amazon_client(sandbox.amazon_url)
    netsuite = NetSuiteClient(
        sandbox.netsuite_url,
        SANDBOX_NETSUITE_ACCOUNT_ID,
        sandbox_oauth2_auth(),
        concurrency_limit=args.concurrency_limit,
    )
    # The sandbox's world, generated alike from its seed and scale.
    world = generate_world(SEED, scale, ("NA",))
    pulled = pull_purchase_orders(
        conn,
        AmazonRegions.single(amazon, "NA"),
        lookback=timedelta(days=2),
        cipher=Fernet(Fernet.generate_key()),
    )
    snapshot_catalogue(conn, netsuite)
    mapped = world.mapped_warehouses
    set_ship_from_mapping(
        conn,
        {v.vendor_code: mapped[i % len(mapped)].party_id for i, v in enumerate(world.vendors)},
    )
    lines = conn.execute("select count(*) from raw.amazon_purchase_order_lines").fetchone()[0]
    print(f"setup: {pulled.received} POs, {lines} lines landed in {time.monotonic() - setup:.1f}s")

    first_request = _FirstCall(netsuite, "upsert_by_external_id", keep=BARE_REQUESTS)
    sandbox_cpu, own_cpu = sandbox.cpu_seconds(), time.process_time()
    started = time.monotonic()
    report = sync_sales_orders(
        conn, netsuite, OrderRules(), Fernet(Fernet.generate_key()), args.concurrency_limit
    )
    wall = time.monotonic() - started
    sandbox_cpu, own_cpu = sandbox.cpu_seconds() - sandbox_cpu, time.process_time() - own_cpu
    first_request.restore()
    planning = (first_request.at - started) if first_request.at is not None else wall
    sales_orders = Books(SandboxStore(state_dir / "netsuite.sqlite"), {}).all("salesOrder")
    per_po = Counter(so["otherRefNum"] for so in sales_orders)
    ceiling = args.concurrency_limit / args.latency
    achieved = report.succeeded / wall if wall else 0.0
    print(
        f"sales orders: {report.succeeded} upserted, {report.failed} failed in {wall:.2f}s "
        f"({achieved:.1f}/s)"
    )
    print(
        f"ceiling: {ceiling:.1f}/s (concurrency {args.concurrency_limit} / latency "
        f"{args.latency}s); ratio {achieved / ceiling:.3f}"
    )
    # What bounds the ratio besides the sync: the sandbox serves every request from one
    # interpreter, so its CPU seconds per wall second cannot pass 1.
    print(
        f"CPU during the sync: sandbox {sandbox_cpu:.1f}s ({sandbox_cpu / wall:.2f} of one "
        f"interpreter, {sandbox_cpu / max(report.succeeded, 1) * 1000:.1f} ms a sales order), "
        f"sync {own_cpu:.1f}s ({own_cpu / wall:.2f})"
    )
    duplicates = sum(count - 1 for count in per_po.values())
    print(f"NetSuite sales orders {len(sales_orders)}, duplicates {duplicates}")
    bare = _bare_rate(netsuite, first_request.calls, args.concurrency_limit)
    print(
        f"bare client ({len(first_request.calls)} of the same upserts, encoded beforehand, "
        f"{args.concurrency_limit} threads back to back): {bare:.1f}/s (ratio "
        f"{bare / ceiling:.3f}): the sandbox's own bound; the sync reaches {achieved / bare:.3f}"
    )
    print(figure("orders_per_second_vs_ceiling", achieved / ceiling, "", ">=", 0.95, 3))
    print(figure("bare_client_vs_ceiling", bare / ceiling, "", None, None, 3))
    print(figure("orders_per_second_vs_bare_client", achieved / bare, "", None, None, 3))
    print(figure("first_request_after", planning, "s", "<=", 0.2, 2))
    netsuite.close()
    amazon.close()
    conn.close()
    return 0 if duplicates == 0 and report.failed == 0 else 1
