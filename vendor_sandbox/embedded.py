"""The embedded default: both sandboxes served on loopback from this process, state on disk.

Every process that needs a sandbox (a Dagster step subprocess, the demo, a test) calls
`embedded_sandbox()`; servers start once per process and share state through the SQLite stores
under `SANDBOX_STATE_DIR`, so all processes see one consistent Amazon and one NetSuite.
Faults come from the environment too (`SANDBOX_FAULT_RATE`, `SANDBOX_FAULTS`,
`SANDBOX_FAULT_SEED`, see `sandbox_fault_plans`), sized to the clients' configured timeouts.

The embedded warehouse runs one wave each time the pipeline polls NetSuite for new item
fulfilments (the NetSuite app's `warehouse_wave_on_read`), so each fulfilment sync shows the next
step; in live mode (`SANDBOX_LIVE`) it waits for live.py, which drives it on wall-clock time.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from vendor_sandbox.amazon.state import AmazonSandboxState
from vendor_sandbox.amazon_claims import receive_disputes
from vendor_sandbox.amazon_payments import write_remittances
from vendor_sandbox.faults import FaultInjectionMiddleware, FaultPlan
from vendor_sandbox.identity import (
    SANDBOX_LWA_CLIENT_ID,
    SANDBOX_LWA_CLIENT_SECRET,
    SANDBOX_LWA_REFRESH_TOKEN,
    SANDBOX_NETSUITE_ACCOUNT_ID,
    sandbox_refresh_token,
)
from vendor_sandbox.netsuite.credentials import sandbox_oauth2_auth
from vendor_sandbox.server import LoopbackServer
from vendor_sandbox.store import SandboxStore
from vendor_sandbox.world import Scale, World, generate_world

# The credentials are part of the sandbox's front door: callers import them from here.
__all__ = [
    "SANDBOX_LWA_CLIENT_ID",
    "SANDBOX_LWA_CLIENT_SECRET",
    "SANDBOX_LWA_REFRESH_TOKEN",
    "SANDBOX_NETSUITE_ACCOUNT_ID",
    "RunningSandbox",
    "amazon_pays",
    "amazon_receives_disputes",
    "embedded_sandbox",
    "sandbox_fault_plans",
    "sandbox_oauth2_auth",
    "sandbox_refresh_token",
    "start_sandbox",
]


@dataclass
class RunningSandbox:
    world: World
    amazon_url: str  # the first (home) region's host
    netsuite_url: str
    amazon_store: SandboxStore
    netsuite_store: SandboxStore
    servers: tuple[LoopbackServer, ...]
    amazon_urls: dict[str, str]  # one host per SP-API region, sharing one Amazon state
    fault_layers: tuple[FaultInjectionMiddleware, ...] = ()

    @property
    def injected_faults(self) -> Counter[str]:
        """Faults injected so far by this process's servers, by kind, both APIs together."""
        total: Counter[str] = Counter()
        for layer in self.fault_layers:
            total.update(layer.injected)
        return total

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


def sandbox_fault_plans(
    rate: float,
    kinds: Iterable[str],
    seed: int,
    amazon_timeout_seconds: float,
    netsuite_timeout_seconds: float,
) -> tuple[FaultPlan | None, FaultPlan | None]:
    """(Amazon, NetSuite) plans spreading `rate` over `kinds`; (None, None) when rate is 0.

    Each side's timeouts are sized to the timeout its client is configured with, so a
    `timeout` fault really times the client out. The two sides draw from different seeds so
    their faults do not fall on the same request numbers.
    """
    if not rate:
        return None, None
    kinds = tuple(kinds)
    return (
        FaultPlan.for_client_timeout(rate, amazon_timeout_seconds, kinds, seed=seed),
        FaultPlan.for_client_timeout(rate, netsuite_timeout_seconds, kinds, seed=seed + 1),
    )


def start_sandbox(
    state_dir: Path | None,
    seed: int = 7,
    scale: Scale | str = "small",
    amazon_faults: FaultPlan | None = None,
    netsuite_faults: FaultPlan | None = None,
    amazon_port: int = 0,
    netsuite_port: int = 0,
    amazon_options: dict | None = None,
    netsuite_options: dict | None = None,
    regions: tuple[str, ...] = ("NA",),
) -> RunningSandbox:
    """Start both simulators on loopback; `state_dir=None` keeps state in memory (tests).

    Amazon is served once per SP-API region in `regions` (the first on `amazon_port`), each
    host seeing only its region's vendor codes; a single region serves every vendor code.
    """
    from vendor_sandbox.amazon.app import create_app as create_amazon_app
    from vendor_sandbox.netsuite.app import create_app as create_netsuite_app

    scale_def = Scale.named(scale) if isinstance(scale, str) else scale
    world = generate_world(seed, scale_def, tuple(regions))
    amazon_store = SandboxStore(state_dir / "amazon.sqlite" if state_dir else None)
    netsuite_store = SandboxStore(state_dir / "netsuite.sqlite" if state_dir else None)
    amazon_apps = {
        region: create_amazon_app(
            world,
            amazon_store,
            faults=amazon_faults,
            region=region if len(regions) > 1 else None,
            **(amazon_options or {}),
        )
        for region in regions
    }
    amazon_servers = {
        region: LoopbackServer(app, amazon_port if index == 0 else 0)
        for index, (region, app) in enumerate(amazon_apps.items())
    }
    netsuite_app = create_netsuite_app(
        world, netsuite_store, faults=netsuite_faults, **(netsuite_options or {})
    )
    netsuite = LoopbackServer(netsuite_app, netsuite_port)
    apps: list[Any] = [*amazon_apps.values(), netsuite_app]
    for server in amazon_servers.values():
        server.start()
    netsuite.start()
    urls = {region: server.url for region, server in amazon_servers.items()}
    return RunningSandbox(
        world=world,
        amazon_url=next(iter(urls.values())),
        netsuite_url=netsuite.url,
        amazon_store=amazon_store,
        netsuite_store=netsuite_store,
        servers=(*amazon_servers.values(), netsuite),
        amazon_urls=urls,
        fault_layers=tuple(app.faults for app in apps if getattr(app, "faults", None)),
    )


_running: dict[tuple[Any, ...], RunningSandbox] = {}
_lock = threading.Lock()


def embedded_sandbox(
    state_dir: Path,
    seed: int,
    scale: str,
    regions: tuple[str, ...] = ("NA",),
    *,
    bad_orders: bool = False,
    amazon_faults: FaultPlan | None = None,
    netsuite_faults: FaultPlan | None = None,
    live: bool = False,
) -> RunningSandbox:
    """The process-wide sandbox for a state directory, started on first use.

    `live`: the warehouse is driven from outside on wall-clock time (live.py), not by polls.
    """
    key = (
        str(Path(state_dir).resolve()),
        seed,
        scale,
        tuple(regions),
        bad_orders,
        amazon_faults,
        netsuite_faults,
        live,
    )
    with _lock:
        if key not in _running:
            _running[key] = start_sandbox(
                Path(state_dir),
                seed=seed,
                scale=scale,
                regions=tuple(regions),
                amazon_options={"bad_orders": bad_orders},
                netsuite_options={"warehouse_wave_on_read": not live},
                amazon_faults=amazon_faults,
                netsuite_faults=netsuite_faults,
            )
        return _running[key]


def amazon_pays(sandbox: RunningSandbox, inbox: Path, day: date, seed: int) -> int:
    """Amazon pays the invoices it accepted by `day`: remittance files land in `inbox`, with
    the claims Amazon raised from what its fulfilment centre found in the cartons (the
    warehouse's records) and the reversals of the disputes it decided."""
    state = AmazonSandboxState(sandbox.amazon_store, sandbox.world)
    return len(write_remittances(state, inbox, day, seed, warehouse=sandbox.netsuite_store))


def amazon_receives_disputes(sandbox: RunningSandbox, references: list[str], day: date) -> int:
    """Dispute packets uploaded in Vendor Central on `day` for these claim references; Amazon
    decides them at its next payment run on or after `day`. Returns how many were new."""
    return receive_disputes(sandbox.amazon_store, references, day)
