"""Chaos for the soak: SIGKILL runs in the middle of their writes, restart the daemon.

A run is killed the way the kernel's OOM killer would: its worker process (which, with the
in-process executor, is also the step's process) gets SIGKILL while a chosen step is running.
The targets are the write steps where a lost process would hurt most: acknowledgements to
Amazon, ASNs to Amazon and the settlement postings to NetSuite.
"""

from __future__ import annotations

import os
import random
import signal
import time
from dataclasses import dataclass, field

import dagster as dg

from vendor_pipelines.deployment.run_launcher import run_worker_pid

# Step key -> what the step writes.
WRITE_STEPS = {
    "orders__acknowledgements": "acknowledgements to Amazon",
    "fulfilment__shipment_confirmations": "ASNs to Amazon",
    "finance__netsuite_postings": "customer payments and journal entries to NetSuite",
}


@dataclass
class Kill:
    run_id: str
    job_name: str
    step_key: str
    pid: int
    at: float


@dataclass
class Chaos:
    instance: dg.DagsterInstance
    rng: random.Random
    steps: tuple[str, ...] = tuple(WRITE_STEPS)
    kills: list[Kill] = field(default_factory=list)
    _seen: set[tuple[str, str]] = field(default_factory=set)

    @property
    def pending_steps(self) -> list[str]:
        done = {kill.step_key for kill in self.kills}
        return [step for step in self.steps if step not in done]

    def step(self) -> Kill | None:
        """Kill at most one run now running a target step that has not been hit yet."""
        wanted = set(self.pending_steps)
        if not wanted:
            return None
        records = self.instance.get_run_records(
            filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED]), limit=20
        )
        for record in records:
            run = record.dagster_run
            if run.tags.get("dagster/parent_run_id"):
                continue  # leave retries alone: each kill must be recoverable
            started = self.instance.get_records_for_run(
                run.run_id, of_type=dg.DagsterEventType.STEP_START
            ).records
            finished = {
                r.event_log_entry.step_key
                for r in self.instance.get_records_for_run(
                    run.run_id,
                    of_type={
                        dg.DagsterEventType.STEP_SUCCESS,
                        dg.DagsterEventType.STEP_FAILURE,
                    },
                ).records
            }
            for entry in (r.event_log_entry for r in started):
                step = entry.step_key
                if step not in wanted or step in finished or (run.run_id, step) in self._seen:
                    continue
                self._seen.add((run.run_id, step))
                worker = run_worker_pid(self.instance, run.run_id)
                if worker is None:
                    continue
                # Somewhere inside the step, not always at its first statement.
                time.sleep(self.rng.uniform(0.0, 0.8))
                try:
                    os.kill(worker[0], signal.SIGKILL)
                except ProcessLookupError:
                    continue
                kill = Kill(run.run_id, run.job_name, step, worker[0], time.time())
                self.kills.append(kill)
                return kill
        return None
