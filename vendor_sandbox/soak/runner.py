"""Run the soak: the production topology, a live sandbox, optional chaos, then the judgement.

The soak launches no run itself. It composes a deployment under one folder (DAGSTER_HOME, the
warehouse, the sandbox's state, the remittance inbox), tightens the cadences through the same
settings a deployment would use, starts code server + webserver + daemon (`Topology`) and then
only plays the outside world (`LiveSandbox`: Amazon, the warehouse, Amazon's payables) and,
with chaos, kills runs and the daemon. When the time is up the outside world stops, the daemon
gets a drain period to finish what is in flight, everything is stopped, and `report.judge`
compares what happened outside with what the pipeline did.
"""

from __future__ import annotations

import random
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
from cryptography.fernet import Fernet

from vendor_pipelines.deployment.topology import (
    PostgresInstance,
    Topology,
    environment,
    write_instance,
)
from vendor_sandbox.live import LiveCadence, LiveSandbox
from vendor_sandbox.soak.chaos import Chaos
from vendor_sandbox.soak.report import SoakObservations, SoakReport, judge, run_outcomes


@dataclass
class SoakOptions:
    minutes: float = 8.0
    chaos: bool = False
    instance: str = "sqlite"  # sqlite | postgres
    root: Path | None = None  # default: a new temporary folder
    seed: int = 7
    scale: str = "tiny"
    drain_seconds: float = 120.0
    # Settings the deployment runs with: every loop each minute, sensors every 10 s.
    cadences: dict[str, str] = field(
        default_factory=lambda: {
            "ORDER_SYNC_CRON": "* * * * *",
            "FULFILMENT_SYNC_CRON": "* * * * *",
            "CATALOGUE_CRON": "*/5 * * * *",
            "DF_INVENTORY_CRON": "*/10 * * * *",
            "PII_PURGE_CRON": "*/30 * * * *",
            "SENSOR_INTERVAL_SECONDS": "10",
            "REMITTANCE_STABLE_SECONDS": "5",
            "AUTOMATION_INTERVAL_SECONDS": "10",
        }
    )
    postgres_host: str = "127.0.0.1"
    postgres_port: int = 5432
    postgres_user: str = "postgres"


def deployment_environment(root: Path, options: SoakOptions) -> dict[str, str]:
    """The settings of the soak's deployment, as environment variables."""
    return {
        "DUCKDB_PATH": str(root / "warehouse.duckdb"),
        "ANALYTICS_DUCKDB_PATH": str(root / "analytics.duckdb"),
        "SANDBOX_STATE_DIR": str(root / "sandbox"),
        "SANDBOX_SCALE": options.scale,
        "SANDBOX_SEED": str(options.seed),
        "SANDBOX_LIVE": "true",
        "REMITTANCE_INBOX": str(root / "inbox"),
        "PII_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        **options.cadences,
    }


@contextmanager
def _postgres_database(options: SoakOptions) -> Iterator[PostgresInstance]:
    import psycopg2

    admin = psycopg2.connect(
        host=options.postgres_host,
        port=options.postgres_port,
        user=options.postgres_user,
        dbname="postgres",
        connect_timeout=5,
    )
    admin.autocommit = True
    name = f"vp_soak_{uuid.uuid4().hex[:10]}"
    with admin.cursor() as cur:
        cur.execute(f'create database "{name}"')
    try:
        yield PostgresInstance(
            name, options.postgres_host, options.postgres_port, options.postgres_user
        )
    finally:
        with admin.cursor() as cur:
            cur.execute(f'drop database if exists "{name}" with (force)')
        admin.close()


@contextmanager
def _instance_config(options: SoakOptions) -> Iterator[PostgresInstance | None]:
    if options.instance == "postgres":
        with _postgres_database(options) as database:
            yield database
    elif options.instance == "sqlite":
        yield None
    else:
        raise ValueError(f"instance must be sqlite or postgres, not {options.instance!r}")


IN_FLIGHT = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]


def _wait_for_recovery(instance: dg.DagsterInstance, timeout: float) -> bool:
    """Whether every failed run was recovered (retried or done again) within `timeout`."""
    deadline = time.time() + timeout
    while True:
        _, failed, recovered = run_outcomes(instance)
        if failed == recovered:
            return True
        if time.time() >= deadline:
            return False
        time.sleep(2.0)


def _wait_for_runs_in_flight(instance: dg.DagsterInstance, timeout: float) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if not instance.get_run_records(filters=dg.RunsFilter(statuses=IN_FLIGHT), limit=1):
            return
        time.sleep(1.0)


def _watch(chaos: Chaos | None, say: Callable[[str], None], seconds: float) -> None:
    """Wait `seconds`, looking for a run to kill four times a second (write steps are short)."""
    until = time.time() + seconds
    while time.time() < until:
        if chaos is not None and chaos.pending_steps:
            kill = chaos.step()
            if kill is not None:
                say(
                    f"soak: chaos SIGKILLed run {kill.run_id[:8]} ({kill.job_name}) in "
                    f"{kill.step_key}"
                )
        time.sleep(0.25)


def run_soak(options: SoakOptions, say: Callable[[str], None] = print) -> SoakReport:
    root = options.root or Path(tempfile.mkdtemp(prefix="vendor-pipelines-soak-"))
    root.mkdir(parents=True, exist_ok=True)
    with _instance_config(options) as postgres:
        home = root / "dagster_home"
        env = write_instance(home, postgres) | deployment_environment(root, options)
        # This process reads the same instance and settings as the deployment it watches.
        with environment(env):
            return _soak(root, home, env, options, say)


def _soak(
    root: Path, home: Path, env: dict[str, str], options: SoakOptions, say: Callable[[str], None]
) -> SoakReport:
    live = LiveSandbox(
        root / "sandbox",
        root / "inbox",
        seed=options.seed,
        scale=options.scale,
        cadence=LiveCadence(),
    )
    live.amazon.ensure_seeded()  # the week of history a new deployment finds on Amazon
    topology = Topology(home, env)
    say(
        f"soak: {options.minutes:g} min, chaos={'on' if options.chaos else 'off'}, "
        f"instance={options.instance}, folder {root}"
    )
    topology.start()
    say(f"soak: code server, webserver ({topology.web_url}) and daemon started")
    # The clock starts once the deployment is up: what it has to do starts now.
    observations = SoakObservations(started=time.time())
    instance = dg.DagsterInstance.from_config(str(home))
    chaos = Chaos(instance, random.Random(options.seed)) if options.chaos else None
    try:
        deadline = observations.started + options.minutes * 60
        restart_at = observations.started + options.minutes * 30
        while time.time() < deadline:
            for event in live.tick():
                observations.add_live_event(event)
            observations.sample_queue(instance)
            restart = chaos is not None and not observations.daemon_restarted
            if restart and time.time() >= restart_at:
                topology.restart_daemon()
                observations.daemon_restarted = time.time()
                say("soak: chaos restarted the daemon")
            _watch(chaos, say, seconds=1.0)
        observations.live_stopped = time.time()
        say(f"soak: outside world stopped; draining for {options.drain_seconds:g} s")
        drain_until = time.time() + options.drain_seconds
        # No kill in the second half of the drain: its retry must have time to run.
        kill_until = time.time() + options.drain_seconds / 2
        while time.time() < drain_until:
            observations.sample_queue(instance)
            _watch(chaos if time.time() < kill_until else None, say, seconds=1.0)
        # A run killed late in the drain is recovered by the daemon (run monitoring, then a
        # retry), which takes longer on a slow or busy machine: the drain goes on, at most as
        # long again, until every failed run is recovered, as an operator would wait.
        if not _wait_for_recovery(instance, timeout=options.drain_seconds):
            say("soak: a failed run was still not recovered after the extended drain")
        # A clean stop, as an operator would do it: no new launches, then the runs in flight
        # finish (stopping the code server under them would fail them for nothing).
        topology.stop_daemon()
        _wait_for_runs_in_flight(instance, timeout=120)
    finally:
        topology.stop()
    observations.ended = time.time()
    observations.kills = list(chaos.kills) if chaos else []
    report = judge(root, instance, live, observations, chaos_requested=options.chaos)
    instance.dispose()
    return report
