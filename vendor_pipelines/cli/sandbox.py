"""`vendor-pipelines sandbox serve`: both simulators as real servers on 127.0.0.1."""

from __future__ import annotations

import argparse
import contextlib
import signal
import threading
from pathlib import Path

from vendor_pipelines.amazon.regions import parse_regions
from vendor_pipelines.sandbox.embedded import (
    SANDBOX_LWA_CLIENT_ID,
    SANDBOX_NETSUITE_ACCOUNT_ID,
    sandbox_refresh_token,
    start_sandbox,
)
from vendor_pipelines.sandbox.faults import FaultPlan


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("sandbox", help="run the local Amazon and NetSuite simulators")
    actions = parser.add_subparsers(dest="sandbox_command", required=True)
    serve = actions.add_parser("serve", help="serve both simulators until interrupted")
    serve.add_argument("--amazon-port", type=int, default=8701)
    serve.add_argument("--netsuite-port", type=int, default=8702)
    serve.add_argument("--state-dir", type=Path, default=Path("data/sandbox"))
    serve.add_argument("--seed", type=int, default=7)
    serve.add_argument("--scale", default="small", help="tiny | small | large")
    serve.add_argument("--fault-rate", type=float, default=0.0, help="share of faulty responses")
    serve.add_argument(
        "--regions",
        default="NA",
        help="SP-API regions to serve, e.g. NA,EU: one Amazon host each (the first on"
        " --amazon-port, the others on free ports), vendor codes dealt among them",
    )
    serve.set_defaults(handler=serve_forever)


def serve_forever(args: argparse.Namespace) -> int:
    faults = FaultPlan.uniform(args.fault_rate, seed=args.seed) if args.fault_rate else None
    running = start_sandbox(
        args.state_dir,
        seed=args.seed,
        scale=args.scale,
        amazon_faults=faults,
        netsuite_faults=faults,
        amazon_port=args.amazon_port,
        netsuite_port=args.netsuite_port,
        regions=parse_regions(args.regions) or ("NA",),
    )
    for region, url in running.amazon_urls.items():
        print(
            f"Amazon SP-API sandbox {region}:  {url}  (LWA client id {SANDBOX_LWA_CLIENT_ID},"
            f" refresh token {sandbox_refresh_token(region)})"
        )
    print(
        f"NetSuite REST sandbox:  {running.netsuite_url}  (account {SANDBOX_NETSUITE_ACCOUNT_ID})"
    )
    print(f"State: {args.state_dir.resolve()}  seed={args.seed} scale={args.scale}. Ctrl-C stops.")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    running.stop()
    return 0
