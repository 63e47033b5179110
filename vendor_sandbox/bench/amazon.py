"""`vendor-pipelines bench amazon`: purchase-order paging throughput against the rate limit.

Starts the Amazon sandbox on loopback with the published usage plan enforced (getPurchaseOrders:
10 requests/s, burst 10) and, by default, 5% injected faults (429s, 5xx, slow responses and
dropped connections, in equal shares). Pulls N pages of purchase orders through
`AmazonVendorClient.iter_purchase_orders` (date range split into windows paged concurrently under
one shared token bucket) and prints:

* achieved requests/second as a ratio of the rate limit (goal >= 0.9), counting every request
  the client sent after its initial burst (the sustained rate the usage plan governs), and the
  same for successful pages only;
* failed calls (exceptions reaching the caller; goal 0) and completeness (every PO fetched).

Exit status 0 when the goals are met.
"""

from __future__ import annotations

import argparse
import math
import time
from datetime import timedelta

from vendor_sandbox.bench._figures import figure

HELP = "page purchase orders through the SP-API client against the rate-limited sandbox"
GOAL_RATIO = 0.9


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pages", type=int, default=300, help="pages to pull (default 300)")
    parser.add_argument("--page-size", type=int, default=10, help="POs per page (limit)")
    parser.add_argument("--fault-rate", type=float, default=0.05, help="injected fault share")
    parser.add_argument("--slow-seconds", type=float, default=2.0, help="delay of a slow call")
    parser.add_argument("--timeout", type=float, default=0.75, help="client read timeout (s)")
    parser.add_argument("--workers", type=int, default=4, help="windows paged concurrently")
    parser.add_argument("--seed", type=int, default=7)


def run(args: argparse.Namespace) -> int:
    result = benchmark(
        pages=args.pages,
        page_size=args.page_size,
        fault_rate=args.fault_rate,
        slow_seconds=args.slow_seconds,
        timeout=args.timeout,
        workers=args.workers,
        seed=args.seed,
    )
    print_result(result)
    return 0 if result["goals_met"] else 1


def benchmark(
    *,
    pages: int = 300,
    page_size: int = 10,
    fault_rate: float = 0.05,
    slow_seconds: float = 2.0,
    timeout: float = 0.75,
    workers: int = 4,
    seed: int = 7,
) -> dict:
    from vendor_pipelines.amazon import AmazonTransportError, RetryPolicy
    from vendor_pipelines.amazon.errors import AmazonError
    from vendor_pipelines.amazon.operations import operation
    from vendor_sandbox.amazon import create_app
    from vendor_sandbox.faults import FaultPlan
    from vendor_sandbox.identity import sandbox_amazon_client
    from vendor_sandbox.server import LoopbackServer
    from vendor_sandbox.store import SandboxStore
    from vendor_sandbox.world import Scale, generate_world

    days = 8
    per_day = math.ceil(pages * page_size / days)
    world = generate_world(
        seed,
        Scale(
            vendor_codes=2,
            items=200,
            warehouses=3,
            purchase_orders_per_day=per_day,
            lines_per_order=3,
            df_orders_per_day=0,
            days=days,
        ),
    )
    faults = (
        FaultPlan.uniform(fault_rate, seed=seed, slow_seconds=slow_seconds)
        if (fault_rate > 0)
        else None
    )
    store = SandboxStore(None)
    app = create_app(world, store, faults=faults)
    op = operation("orders.getPurchaseOrders")
    anchor = app.state.anchor
    expected = set(app.state.rp_orders())
    failed = 0
    fetched: set[str] = set()
    with (
        LoopbackServer(app) as server,
        sandbox_amazon_client(
            server.url,
            timeout=timeout,
            retry=RetryPolicy(
                base_delay=0.1, max_delay=2.0, max_attempts=10, max_elapsed_seconds=60
            ),
        ) as client,
    ):
        client._lwa.token()  # LWA is not an SP-API call: fetch the token before timing
        started = time.monotonic()
        try:
            for order in client.iter_purchase_orders(
                created_after=anchor - timedelta(days=days, minutes=1),
                created_before=anchor,
                limit=page_size,
                window=timedelta(days=1),
                max_workers=workers,
            ):
                fetched.add(order.purchaseOrderNumber)
        except (AmazonError, AmazonTransportError) as exc:
            failed += 1
            print(f"failed call: {exc}")
        elapsed = time.monotonic() - started
        stats = client.stats
        served = app.sandbox.requests_served.get(op.key, 0)
        throttled = app.sandbox.throttled.get(op.key, 0)
        injected = dict(app.faults.injected) if app.faults is not None else {}
    pages_ok = stats.responses.get(200, 0)
    attempts = stats.requests
    # The client starts with a full bucket (burst - 1 tokens): discount that initial burst so the
    # ratio measures the sustained rate, which is what the usage plan limits.
    initial_burst = max(1, op.burst - 1)
    ratio_attempts = max(0, attempts - initial_burst) / elapsed / op.rate
    ratio_pages = max(0, pages_ok - initial_burst) / elapsed / op.rate
    complete = fetched == expected
    goals_met = failed == 0 and complete and ratio_attempts >= GOAL_RATIO
    return {
        "pages": pages_ok,
        "orders": len(fetched),
        "expected_orders": len(expected),
        "elapsed": elapsed,
        "attempts": attempts,
        "rate": op.rate,
        "burst": op.burst,
        "ratio_attempts": ratio_attempts,
        "ratio_pages": ratio_pages,
        "retries": stats.retries,
        "transport_errors": stats.transport_errors,
        "responses": dict(sorted(stats.responses.items())),
        "served": served,
        "server_throttled": throttled,
        "injected": injected,
        "failed_calls": failed,
        "complete": complete,
        "goals_met": goals_met,
        "fault_rate": fault_rate,
        "workers": workers,
    }


def print_result(r: dict) -> None:
    from tabulate import tabulate

    rows = [
        ("pages fetched (HTTP 200)", r["pages"]),
        ("purchase orders", f"{r['orders']} of {r['expected_orders']}"),
        ("elapsed", f"{r['elapsed']:.1f} s"),
        ("requests sent (incl. retries)", r["attempts"]),
        ("published rate limit", f"{r['rate']:g} req/s, burst {r['burst']}"),
        ("achieved requests/s", f"{r['attempts'] / r['elapsed']:.2f}"),
        (
            "sustained ratio to rate limit (requests)",
            f"{r['ratio_attempts']:.3f}  (goal >= {GOAL_RATIO})",
        ),
        ("sustained ratio to rate limit (successful pages)", f"{r['ratio_pages']:.3f}"),
        ("injected faults", ", ".join(f"{k} {v}" for k, v in r["injected"].items()) or "none"),
        ("429 from the enforced usage plan", r["server_throttled"]),
        ("responses by status", ", ".join(f"{k}: {v}" for k, v in r["responses"].items())),
        ("timeouts / dropped connections", r["transport_errors"]),
        ("retries", r["retries"]),
        ("failed calls", f"{r['failed_calls']}  (goal 0)"),
        ("all orders fetched", r["complete"]),
    ]
    print(
        f"Amazon SP-API client: getPurchaseOrders paging, {r['workers']} windows in parallel, "
        f"{r['fault_rate']:.0%} injected faults"
    )
    print(tabulate(rows, tablefmt="simple"))
    print(figure("amazon_requests_vs_rate_limit", r["ratio_attempts"], "", ">=", GOAL_RATIO, 3))
    print(figure("amazon_failed_calls", r["failed_calls"], "", "<=", 0, 0))
    print("PASS" if r["goals_met"] else "FAIL")
