"""`vendor-pipelines soak`: the production topology, alone with a live sandbox, then judged."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from vendor_pipelines.arguments import check_folder, non_negative_number, positive_number


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "soak",
        help="run code server, webserver and daemon against a live sandbox and judge the result",
        description=(
            "Starts the production topology (code server, webserver, daemon) on a fresh "
            "instance against the embedded sandbox in live mode: Amazon keeps ordering and "
            "changing orders, the warehouse ships, Amazon pays into the inbox. The soak launches "
            "no run itself. At the end it prints what reached each stage and ends with "
            "`stuck=N duplicates=N lost=N other_launched=N unrecovered=N`; exit 1 unless all 0."
        ),
    )
    parser.add_argument(
        "--minutes", type=positive_number, default=8.0, help="live time (default 8)"
    )
    parser.add_argument(
        "--chaos",
        action="store_true",
        help="SIGKILL runs in acknowledgement, ASN and posting steps; restart the daemon once",
    )
    parser.add_argument("--instance", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--report", type=Path, default=None, help="write the figures as JSON")
    parser.add_argument("--folder", type=Path, default=None, help="keep everything here")
    parser.add_argument(
        "--drain",
        type=non_negative_number,
        default=120.0,
        help="seconds the daemon gets to finish (default 120)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from vendor_sandbox.soak.runner import SoakOptions, run_soak

    if args.folder is not None:
        check_folder("--folder", args.folder)
    if args.report is not None:
        check_folder("--report", args.report.resolve().parent)
    options = SoakOptions(
        minutes=args.minutes,
        chaos=args.chaos,
        instance=args.instance,
        root=args.folder,
        seed=args.seed,
        drain_seconds=args.drain,
    )
    report = run_soak(options, say=lambda line: print(line, flush=True))
    if args.report:
        args.report.write_text(report.to_json())
    for line in report.lines():
        print(line)
    sys.stdout.flush()
    return 0 if report.clean else 1
