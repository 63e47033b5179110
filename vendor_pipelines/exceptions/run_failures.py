"""Failed Dagster runs, handed from the failure sensor to the exceptions table.

Sensors never open the warehouse (DuckDB allows one writer and runs hold it), so the sensor
appends each failure to a small JSON-lines file beside the warehouse; the exceptions asset turns
the ones not followed by a successful run of the same job into `transmission_error` rows.
"""

from __future__ import annotations

import fcntl
import json
from datetime import datetime
from pathlib import Path

from vendor_pipelines.exceptions.store import Detection


def failures_file(duckdb_path: Path) -> Path:
    return Path(duckdb_path).parent / "run_failures.jsonl"


def append_failure(path: Path, run_id: str, job_name: str, message: str, at: datetime) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(
        {"run_id": run_id, "job_name": job_name, "message": message[:1000], "at": at.isoformat()}
    )
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.write(line + "\n")


def latest_failures(path: Path) -> dict[str, dict]:
    """The most recent recorded failure per job."""
    if not path.exists():
        return {}
    latest: dict[str, dict] = {}
    for raw in path.read_text().splitlines():
        if not raw.strip():
            continue
        record = json.loads(raw)
        current = latest.get(record["job_name"])
        if current is None or record["at"] > current["at"]:
            latest[record["job_name"]] = record
    return latest


def failure_detections(
    failures: dict[str, dict], last_success: dict[str, datetime | None]
) -> list[Detection]:
    """Failures with no later successful run of the same job stay open."""
    open_failures = []
    for job, record in failures.items():
        succeeded = last_success.get(job)
        if succeeded is not None and succeeded >= datetime.fromisoformat(record["at"]):
            continue
        open_failures.append(
            Detection(
                "transmission_error",
                f"run|{job}",
                f"run {record['run_id']} of job {job} failed: {record['message']}",
                reference=record["run_id"],
            )
        )
    return open_failures
