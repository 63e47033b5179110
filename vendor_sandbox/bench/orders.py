"""Benchmark: a large vendor's day of purchase orders synced to NetSuite sales orders.

NetSuite's throughput is bounded by the account's concurrency limit and its per-request
latency: ceiling = limit / latency sales orders per second. The sync's job is to reach that
ceiling without duplicates; this prints the wall time and the ratio to it.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import duckdb
from cryptography.fernet import Fernet

from vendor_pipelines import warehouse_schema
from vendor_pipelines.amazon.regions import AmazonRegions
from vendor_pipelines.netsuite import NetSuiteClient
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
from vendor_sandbox.world import Scale

HELP = "sync a large vendor's day of POs to NetSuite sales orders; ratio to the concurrency ceiling"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--purchase-orders", type=int, default=2000)
    parser.add_argument("--lines-per-order", type=int, default=20)
    parser.add_argument("--concurrency-limit", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.05, help="NetSuite seconds/request")


class _FirstCall:
    """Notes when a method of `target` is first called (the first request of the sync)."""

    def __init__(self, target: object, name: str) -> None:
        self.target, self.name, self.at = target, name, None
        self.original = getattr(target, name)
        lock = threading.Lock()

        def wrapper(*args: object, **kwargs: object) -> object:
            with lock:
                if self.at is None:
                    self.at = time.monotonic()
            return self.original(*args, **kwargs)

        setattr(target, name, wrapper)

    def restore(self) -> None:
        delattr(self.target, self.name)


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
        sandbox = start_sandbox(
            root / "sandbox",
            seed=3,
            scale=scale,
            amazon_options={"enforce_rate_limits": False},
            netsuite_options={
                "concurrency_limit": args.concurrency_limit,
                "latency_seconds": args.latency,
            },
        )
        conn = duckdb.connect(str(root / "warehouse.duckdb"))
        warehouse_schema.apply(conn)
        amazon = sandbox_amazon_client(
            sandbox.amazon_url,
        )
        netsuite = NetSuiteClient(
            sandbox.netsuite_url,
            SANDBOX_NETSUITE_ACCOUNT_ID,
            sandbox_oauth2_auth(),
            concurrency_limit=args.concurrency_limit,
        )
        world = sandbox.world
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
        print(
            f"setup: {pulled.received} POs, {lines} lines landed in {time.monotonic() - setup:.1f}s"
        )

        first_request = _FirstCall(netsuite, "upsert_by_external_id")
        started = time.monotonic()
        report = sync_sales_orders(
            conn, netsuite, OrderRules(), Fernet(Fernet.generate_key()), args.concurrency_limit
        )
        wall = time.monotonic() - started
        first_request.restore()
        planning = (first_request.at - started) if first_request.at is not None else wall
        sales_orders = Books(sandbox.netsuite_store, {}).all("salesOrder")
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
        duplicates = sum(count - 1 for count in per_po.values())
        print(f"NetSuite sales orders {len(sales_orders)}, duplicates {duplicates}")
        print(figure("orders_per_second_vs_ceiling", achieved / ceiling, "", ">=", 0.95, 3))
        print(figure("first_request_after", planning, "s", "<=", 0.2, 2))
        netsuite.close()
        amazon.close()
        conn.close()
        sandbox.stop()
    return 0 if duplicates == 0 and report.failed == 0 else 1
