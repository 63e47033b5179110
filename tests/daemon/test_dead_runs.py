"""A run whose worker was SIGKILLed is found and let go by the daemon, on SQLite and Postgres.

Real processes: a code server, the webserver (runs are submitted through its GraphQL API, as
from the UI) and `dagster-daemon`, on the repository's own dagster.yaml. Two deaths:

* the run worker alone (OOM killer): the code server sees its child die and fails the run;
* the run worker with its code server (a crashed or redeployed code server host): nobody is
  left to notice, and only run monitoring, through `HealthCheckedRunLauncher`, fails the run.

Either way the run's `duckdb` pool slot is freed and the run waiting for it goes through.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import dagster as dg
import pytest
from dagster_graphql import DagsterGraphQLClient
from sandbox_flow import wait_until

from vendor_pipelines.deployment.run_launcher import run_worker_pid
from vendor_pipelines.deployment.topology import Topology, write_instance

pytestmark = pytest.mark.slow
HERE = Path(__file__).resolve().parent


def _slow_run_holding_the_slot(client, instance, out: Path) -> tuple[str, int]:
    marker = out / "slow_writer.pid"
    marker.unlink(missing_ok=True)
    run_id = client.submit_job_execution("slow_job")
    wait_until(marker.exists, 120, "the slow step to hold the pool slot")
    worker, _ = wait_until(lambda: run_worker_pid(instance, run_id), 30, "the run worker's pid")
    return run_id, worker


def _let_go(client, instance, dead: str, out: Path) -> list[str]:
    (out / "next_writer.done").unlink(missing_ok=True)
    waiting = client.submit_job_execution("next_job")
    # Run monitoring polls every 15 s; slots are freed 15 s after the run is failed.
    wait_until(
        lambda: client.get_run_status(dead) == dg.DagsterRunStatus.FAILURE,
        150,
        "the dead run to be marked failed",
    )
    wait_until(
        lambda: client.get_run_status(waiting) == dg.DagsterRunStatus.SUCCESS,
        150,
        "the waiting run to get the pool slot",
    )
    assert (out / "next_writer.done").exists()
    return [e.message for e in instance.all_logs(dead) if e.message]


def test_a_killed_run_is_failed_and_its_pool_slot_freed(
    tmp_path: Path, instance_kind, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "dagster_home"
    env = write_instance(home, instance_kind) | {"DAEMON_TEST_DIR": str(tmp_path)}
    for name, value in env.items():  # this process reads the same instance
        monkeypatch.setenv(name, value)
    topology = Topology(
        home,
        env,
        module="daemon_defs",
        attribute="defs",
        working_directory=HERE,
        location_name="daemon_test",
    )
    with topology, dg.DagsterInstance.from_config(str(home)) as instance:
        client = DagsterGraphQLClient("127.0.0.1", port_number=topology.web_port)
        # 1. The run worker alone.
        dead, worker = _slow_run_holding_the_slot(client, instance, tmp_path)
        os.kill(worker, signal.SIGKILL)
        messages = _let_go(client, instance, dead, tmp_path)
        assert any("terminated by signal 9" in m for m in messages), messages[-5:]
        # 2. The run worker with its code server: run monitoring must find it.
        dead, worker = _slow_run_holding_the_slot(client, instance, tmp_path)
        topology.kill_code_server()
        topology.start_code_server()
        messages = _let_go(client, instance, dead, tmp_path)
        assert any("is gone: the process was killed" in m for m in messages), messages[-5:]
