"""NetSuite sales-order throughput against the sandbox's account concurrency ceiling.

The ceiling is what the account allows: `limit` requests in flight, each taking `latency`
seconds, so at most limit / latency requests per second. A client that keeps every slot busy
without being refused scores close to 1.0. A second run injects faults (429, 5xx, drops, slow
calls, and writes that commit but lose their response) and checks no sales order is duplicated.
"""

from __future__ import annotations

import argparse
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from vendor_pipelines.netsuite import NetSuiteClient, RetryPolicy, SalesOrder, SalesOrderLine
from vendor_sandbox.bench._figures import figure
from vendor_sandbox.faults import FaultPlan
from vendor_sandbox.netsuite.app import create_app
from vendor_sandbox.netsuite.credentials import ACCOUNT_ID, sandbox_tba_auth
from vendor_sandbox.server import LoopbackServer
from vendor_sandbox.store import SandboxStore
from vendor_sandbox.world import Scale, generate_world

HELP = "create N sales orders through the NetSuite client; throughput vs the concurrency ceiling"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--orders", type=int, default=400, help="sales orders per run")
    parser.add_argument("--concurrency-limit", type=int, default=5, help="account limit")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request")
    parser.add_argument("--fault-rate", type=float, default=0.05, help="faulty-run fault share")
    parser.add_argument("--seed", type=int, default=7)


def _run(args: argparse.Namespace, label: str, faults: FaultPlan | None, lost: float) -> bool:
    world = generate_world(args.seed, Scale.named("small"))
    location = world.mapped_warehouses[0].netsuite_location_id
    items = world.items[:3]
    app: Any = create_app(
        world,
        SandboxStore(),
        faults,
        concurrency_limit=args.concurrency_limit,
        latency_seconds=args.latency,
        lost_response_rate=lost,
        seed=args.seed,
    )

    def payload(n: int) -> tuple[str, dict[str, Any]]:
        external_id = f"amazon-po-BENCH{n:06d}"
        order = SalesOrder(
            customer_id=2000,
            external_id=external_id,
            other_ref_num=f"BENCH{n:06d}",
            lines=[
                SalesOrderLine(
                    item_id=i.netsuite_internal_id, quantity=1, location_id=location, line=k
                )
                for k, i in enumerate(items, start=1)
            ],
        )
        return external_id, order.payload()

    retry = RetryPolicy(max_attempts=30, base_delay=0.02, max_delay=0.5)
    server = LoopbackServer(app)
    # Injected connection drops are logged by uvicorn as tracebacks; they are expected here.
    # (Set after the server is built: uvicorn configures its loggers in its Config.)
    logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)
    with (
        server,
        NetSuiteClient(
            server.url,
            ACCOUNT_ID,
            sandbox_tba_auth(),
            concurrency_limit=args.concurrency_limit,
            retry=retry,
        ) as client,
    ):
        client.get("customer", 2000)  # warm the connection pool outside the timed window
        bodies = [payload(n) for n in range(args.orders)]
        started = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency_limit * 2) as pool:
            ids = list(pool.map(lambda b: client.upsert_by_external_id("salesOrder", *b), bodies))
        elapsed = time.perf_counter() - started
        rows = list(
            client.suiteql("SELECT id, externalid FROM transaction WHERE type = 'SalesOrd'")
        )
        stats = client.stats
    ceiling = args.concurrency_limit / args.latency
    throughput = args.orders / elapsed
    external_ids = [row["externalid"] for row in rows]
    duplicates = len(external_ids) - len(set(external_ids))
    missing = args.orders - len(set(external_ids))
    print(
        f"[{label}] {args.orders} sales orders in {elapsed:.2f}s: {throughput:.1f}/s; "
        f"ceiling {ceiling:.1f}/s (limit {args.concurrency_limit} / latency {args.latency}s); "
        f"ratio {throughput / ceiling:.3f}"
    )
    print(
        f"[{label}] requests {stats.requests}, 429 absorbed {stats.throttled}, 5xx "
        f"{stats.server_errors}, connection errors {stats.connection_errors}, "
        f"sandbox refused {app.refused}, peak in flight {app.peak}"
    )
    print(
        f"[{label}] records {len(external_ids)}, distinct ids {len(set(ids))}, "
        f"duplicates {duplicates}, missing {missing}"
    )
    name = "netsuite_clean" if faults is None else "netsuite_faults"
    print(figure(f"{name}_vs_ceiling", throughput / ceiling, "", None, None, 3))
    print(figure(f"{name}_duplicates", duplicates, "", "<=", 0, 0))
    return duplicates == 0 and missing == 0 and len(set(ids)) == args.orders


def run(args: argparse.Namespace) -> int:
    clean = _run(args, "clean", None, 0.0)
    faults = FaultPlan.uniform(args.fault_rate, seed=args.seed, slow_seconds=args.latency * 4)
    # Half the fault budget again as committed-but-lost responses: the hard case for retries.
    faulty = _run(args, f"faults {args.fault_rate:.0%}", faults, args.fault_rate / 2)
    return 0 if clean and faulty else 1
