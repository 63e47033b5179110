"""The embedded default: both sandboxes served on loopback from this process, state on disk.

Every process that needs a sandbox (a Dagster step subprocess, the demo, a test) calls
`embedded_sandbox()`; servers start once per process and share state through the SQLite stores
under `SANDBOX_STATE_DIR`, so all processes see one consistent Amazon and one NetSuite.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from vendor_pipelines.sandbox.faults import FaultPlan
from vendor_pipelines.sandbox.server import LoopbackServer
from vendor_pipelines.sandbox.store import SandboxStore
from vendor_pipelines.sandbox.world import Scale, World, generate_world

# Credentials the sandboxes accept; anything else is rejected like the real services would.
SANDBOX_LWA_CLIENT_ID = "amzn1.application-oa2-client.sandbox"
SANDBOX_LWA_CLIENT_SECRET = "sandbox-lwa-client-secret"
SANDBOX_LWA_REFRESH_TOKEN = "Atzr|sandbox-refresh-token"
SANDBOX_NETSUITE_ACCOUNT_ID = "1234567_SB1"


def sandbox_refresh_token(region: str = "NA") -> str:
    """The refresh token of the sandbox vendor's authorization in one SP-API region."""
    return SANDBOX_LWA_REFRESH_TOKEN if region == "NA" else f"{SANDBOX_LWA_REFRESH_TOKEN}-{region}"


@dataclass
class RunningSandbox:
    world: World
    amazon_url: str  # the first (home) region's host
    netsuite_url: str
    amazon_store: SandboxStore
    netsuite_store: SandboxStore
    servers: tuple[LoopbackServer, ...]
    amazon_urls: dict[str, str]  # one host per SP-API region, sharing one Amazon state

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


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
    from vendor_pipelines.sandbox.amazon.app import create_app as create_amazon_app
    from vendor_pipelines.sandbox.netsuite.app import create_app as create_netsuite_app

    scale_def = Scale.named(scale) if isinstance(scale, str) else scale
    world = generate_world(seed, scale_def, tuple(regions))
    amazon_store = SandboxStore(state_dir / "amazon.sqlite" if state_dir else None)
    netsuite_store = SandboxStore(state_dir / "netsuite.sqlite" if state_dir else None)
    amazon_servers = {
        region: LoopbackServer(
            create_amazon_app(
                world,
                amazon_store,
                faults=amazon_faults,
                region=region if len(regions) > 1 else None,
                **(amazon_options or {}),
            ),
            amazon_port if index == 0 else 0,
        )
        for index, region in enumerate(regions)
    }
    netsuite = LoopbackServer(
        create_netsuite_app(
            world, netsuite_store, faults=netsuite_faults, **(netsuite_options or {})
        ),
        netsuite_port,
    )
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
    )


_running: dict[tuple[str, int, str, tuple[str, ...]], RunningSandbox] = {}
_lock = threading.Lock()


def embedded_sandbox(
    state_dir: Path, seed: int, scale: str, regions: tuple[str, ...] = ("NA",)
) -> RunningSandbox:
    """The process-wide sandbox for a state directory, started on first use."""
    key = (str(Path(state_dir).resolve()), seed, scale, tuple(regions))
    with _lock:
        if key not in _running:
            _running[key] = start_sandbox(
                Path(state_dir), seed=seed, scale=scale, regions=tuple(regions)
            )
        return _running[key]
