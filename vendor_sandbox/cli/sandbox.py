"""`vendor-pipelines sandbox serve`: both simulators as real servers on 127.0.0.1."""

from __future__ import annotations

import argparse
import contextlib
import signal
import socket
import threading
from pathlib import Path

from vendor_pipelines.amazon.regions import parse_regions
from vendor_pipelines.arguments import check_folder, port, regions, share
from vendor_pipelines.settings import ConfigurationError, load_settings
from vendor_sandbox.embedded import (
    SANDBOX_LWA_CLIENT_ID,
    SANDBOX_NETSUITE_ACCOUNT_ID,
    sandbox_fault_plans,
    sandbox_refresh_token,
    start_sandbox,
)
from vendor_sandbox.faults import FAULT_KINDS, FaultPlan, parse_fault_kinds
from vendor_sandbox.settings import load_sandbox_settings
from vendor_sandbox.world import Scale


def fault_kinds(text: str) -> str:
    """Sandbox fault kinds, comma-separated (`429,5xx,timeout`)."""
    try:
        parse_fault_kinds(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def scale(text: str) -> str:
    """A sandbox scale by name."""
    try:
        Scale.named(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("sandbox", help="run the local Amazon and NetSuite simulators")
    actions = parser.add_subparsers(dest="sandbox_command", required=True)
    serve = actions.add_parser("serve", help="serve both simulators until interrupted")
    serve.add_argument("--amazon-port", type=port, default=8701, help="0 = any free port")
    serve.add_argument("--netsuite-port", type=port, default=8702, help="0 = any free port")
    serve.add_argument(
        "--state-dir",
        type=Path,
        default=None,
        help="where the simulators keep their state (default: SANDBOX_STATE_DIR, beside the"
        " warehouse)",
    )
    serve.add_argument("--seed", type=int, default=None, help="default: SANDBOX_SEED, else 7")
    serve.add_argument(
        "--scale", type=scale, default=None, help="tiny | small | large (default: SANDBOX_SCALE)"
    )
    serve.add_argument(
        "--fault-rate",
        type=share,
        default=None,
        help="share of faulty responses (default: SANDBOX_FAULT_RATE, else 0)",
    )
    serve.add_argument(
        "--faults",
        type=fault_kinds,
        default=None,
        help=f"fault kinds to spread the rate over, e.g. 429,5xx,timeout (default: SANDBOX_FAULTS,"
        f" else all of {','.join(FAULT_KINDS)})",
    )
    serve.add_argument(
        "--fault-seed", type=int, default=None, help="fault RNG seed (default: SANDBOX_FAULT_SEED)"
    )
    serve.add_argument(
        "--regions",
        type=regions,
        default=None,
        help="SP-API regions to serve, e.g. NA,EU: one Amazon host each (the first on"
        " --amazon-port, the others on free ports), vendor codes dealt among them (default:"
        " AMAZON_REGIONS, else NA)",
    )
    serve.set_defaults(handler=serve_forever)


def fault_plans(args: argparse.Namespace) -> tuple[FaultPlan | None, FaultPlan | None]:
    """Faults from the flags, else from the environment (`SANDBOX_FAULT_*`), like the embedded
    sandbox; timeouts are sized to the request timeouts the clients are configured with."""
    settings = load_settings()
    sandbox = load_sandbox_settings(settings, check_paths=False)
    try:
        kinds = parse_fault_kinds(args.faults) if args.faults is not None else None
    except ValueError as exc:
        raise ConfigurationError(f"--faults: {exc}") from None
    rate = sandbox.sandbox_fault_rate if args.fault_rate is None else args.fault_rate
    if not 0 <= rate <= 1:
        raise ConfigurationError(f"--fault-rate: {rate} is not a share between 0 and 1")
    return sandbox_fault_plans(
        rate,
        kinds or sandbox.sandbox_fault_kinds,
        sandbox.sandbox_fault_seed if args.fault_seed is None else args.fault_seed,
        settings.amazon_request_timeout_seconds,
        settings.netsuite_request_timeout_seconds,
    )


def _port_is_free(flag: str, number: int) -> None:
    if number == 0:
        return
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
        try:
            probe.bind(("127.0.0.1", number))
        except OSError as exc:
            raise ConfigurationError(
                f"{flag} {number}: 127.0.0.1:{number} cannot be used ({exc.strerror or exc});"
                " pick a free port, or 0 for any free port"
            ) from None


def serve_forever(args: argparse.Namespace) -> int:
    settings = load_settings()
    sandbox = load_sandbox_settings(settings, check_paths=args.state_dir is None)
    amazon_faults, netsuite_faults = fault_plans(args)
    state_dir = check_folder("--state-dir", args.state_dir or sandbox.sandbox_state_dir)
    seed = sandbox.sandbox_seed if args.seed is None else args.seed
    scale = args.scale or sandbox.sandbox_scale
    _port_is_free("--amazon-port", args.amazon_port)
    _port_is_free("--netsuite-port", args.netsuite_port)
    running = start_sandbox(
        state_dir,
        seed=seed,
        scale=scale,
        amazon_faults=amazon_faults,
        netsuite_faults=netsuite_faults,
        amazon_port=args.amazon_port,
        netsuite_port=args.netsuite_port,
        regions=args.regions or parse_regions(settings.amazon_regions) or ("NA",),
    )
    for region, url in running.amazon_urls.items():
        print(
            f"Amazon SP-API sandbox {region}:  {url}  (LWA client id {SANDBOX_LWA_CLIENT_ID},"
            f" refresh token {sandbox_refresh_token(region)})"
        )
    print(
        f"NetSuite REST sandbox:  {running.netsuite_url}  (account {SANDBOX_NETSUITE_ACCOUNT_ID})"
    )
    if amazon_faults is not None and netsuite_faults is not None:
        kinds = ", ".join(k for k in FAULT_KINDS if amazon_faults.rate(k))
        total = sum(amazon_faults.rate(k) for k in FAULT_KINDS)
        print(
            f"Faults: {total:.1%} of requests ({kinds}), seed {amazon_faults.seed}; timeouts"
            f" held up to {amazon_faults.hold_seconds:g} s (Amazon), "
            f"{netsuite_faults.hold_seconds:g} s (NetSuite)"
        )
    print(f"State: {state_dir.resolve()}  seed={seed} scale={scale}. Ctrl-C stops.")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    running.stop()
    return 0
