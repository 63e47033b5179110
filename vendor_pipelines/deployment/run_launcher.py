"""A run launcher whose dead run workers the daemon's run monitoring can find.

Dagster's `DefaultRunLauncher` starts each run worker as a process of the code server, but it
cannot say whether that process is still alive (`supports_check_run_worker_health` is False), so
run monitoring never marks a run whose worker was killed (OOM killer, SIGKILL, a reboot) as
failed: it stays STARTED and keeps its `duckdb` pool slot, and every later run waits behind it.

The run worker records its pid in the run's event log ("Started process for run (pid: N)").
This launcher reads it back and asks the operating system whether that process still exists,
and is still the same process (a pid can be reused: the process must have started before the
event was written). It therefore assumes the deployment this project documents: code server and
daemon on one host. Configure it in dagster.yaml with run monitoring and
`free_slots_after_run_end_seconds`, so a dead run is failed and its pool slots freed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

import dagster as dg
from dagster._core.launcher import CheckRunHealthResult, DefaultRunLauncher, WorkerStatus

STARTED_MESSAGE = "Started process for run (pid:"
EXITED_MESSAGE = "Process for run exited (pid:"
# Clock skew between an event's timestamp and /proc's start time (jiffies, boot time rounding).
START_SLACK_SECONDS = 2.0


def _pid_of(entry: dg.EventLogEntry) -> int | None:
    event = entry.dagster_event
    data = getattr(event, "event_specific_data", None) if event else None
    metadata = getattr(data, "metadata", None) or {}
    pid = metadata.get("pid")
    return int(pid.value) if pid is not None else None


def run_worker_pid(instance: dg.DagsterInstance, run_id: str) -> tuple[int, float] | None:
    """(pid, event timestamp) of the run's latest worker process, None if none started yet."""
    found = None
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
        message = entry.message or ""
        if message.startswith(EXITED_MESSAGE):
            found = None
        elif message.startswith(STARTED_MESSAGE) and (pid := _pid_of(entry)) is not None:
            found = (pid, entry.timestamp)
    return found


def step_worker_pids(instance: dg.DagsterInstance, run_id: str) -> list[tuple[int, float]]:
    """(pid, event timestamp) of every step subprocess the run's executor started."""
    return [
        (pid, entry.timestamp)
        for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_WORKER_STARTED)
        if (pid := _pid_of(entry)) is not None
    ]


def _linux_start_time(pid: int) -> tuple[float, str] | None:
    """(start time as epoch seconds, state letter) of a process, None if it does not exist."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        btime = next(
            float(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
    except (FileNotFoundError, ProcessLookupError):
        return None
    # Fields after the parenthesised command name (which may itself hold spaces).
    fields = stat[stat.rindex(")") + 2 :].split()
    state, start_ticks = fields[0], int(fields[19])
    return btime + start_ticks / os.sysconf("SC_CLK_TCK"), state


def process_is_alive(pid: int, started_by: float) -> bool:
    """Whether `pid` is a live process that already existed at `started_by` (epoch seconds)."""
    if Path("/proc/self/stat").exists():
        info = _linux_start_time(pid)
        if info is None:
            return False
        start, state = info
        # A zombie is dead (killed, not yet reaped by the code server).
        return state not in ("Z", "X") and start <= started_by + START_SLACK_SECONDS
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class HealthCheckedRunLauncher(DefaultRunLauncher):
    """`DefaultRunLauncher` that tells run monitoring whether a run's worker process is alive."""

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: dg.DagsterRun) -> CheckRunHealthResult:
        worker = run_worker_pid(self._instance, run.run_id)
        if worker is None:
            # Not started yet, or started by a worker that logs no pid: not ours to judge.
            return CheckRunHealthResult(WorkerStatus.RUNNING, "no run worker pid recorded")
        pid, logged_at = worker
        if process_is_alive(pid, logged_at):
            return CheckRunHealthResult(WorkerStatus.RUNNING, f"run worker pid {pid} is alive")
        age = time.time() - logged_at
        # The multiprocess executor's step subprocesses do not die with their run worker. Left
        # alone, a step would go on writing to DuckDB and to Amazon or NetSuite while the run's
        # retry does the same work: stop them before the run is declared failed.
        for step_pid, step_logged_at in step_worker_pids(self._instance, run.run_id):
            if process_is_alive(step_pid, step_logged_at):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(step_pid, signal.SIGKILL)
        return CheckRunHealthResult(
            WorkerStatus.FAILED,
            f"run worker pid {pid} (started {age:.0f} s ago) is gone: the process was killed",
            run_worker_id=str(pid),
        )
