"""`vendor-pipelines demo`: run the whole graph once against the embedded default.

Runs are recorded in a persistent Dagster home beside the warehouse (`data/dagster_home` by
default, the same one `make dev` uses), so the demo's runs, materializations and check results
are browsable in the UI afterwards. While it runs, the demo prints one line per step (which,
how far, how long); dbt's and Dagster's own output goes to `demo.log` in that home unless
`--verbose` asks for it on the terminal. It ends with the summary of what was materialized.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TextIO

import dagster as dg
import duckdb

from vendor_pipelines import warehouse_schema
from vendor_pipelines.connections import (
    load_configuration,
    sandbox_pays,
    sandbox_receives_disputes,
)
from vendor_pipelines.dbt_project import REPO_ROOT
from vendor_pipelines.deployment.topology import write_instance
from vendor_pipelines.disputes.packets import packet_dir, packet_paths
from vendor_pipelines.disputes.submissions import cases, record_submitted
from vendor_pipelines.settings import Settings

DAGSTER_HOME = REPO_ROOT / "data" / "dagster_home"
LOG_NAME = "demo.log"

# What each step does, in words (a step not listed shows its asset key).
STEP_PHRASES = {
    "netsuite_catalogue": "reading the NetSuite catalogue (items, stock, locations, customers)",
    "raw__amazon_purchase_orders": "pulling purchase orders from Amazon",
    "remittance_files": "loading remittance files from the inbox",
    "fulfilment__df_inventory_updates": "sending Direct Fulfillment inventory to Amazon",
    "orders__sales_orders": "creating and updating NetSuite sales orders",
    "orders__acknowledgements": "acknowledging purchase orders",
    "orders__closed_po_lines": "closing lines whose ship window closed",
    "raw__netsuite_item_fulfilments": "reading NetSuite item fulfilments",
    "fulfilment__df_shipments": "confirming Direct Fulfillment shipments",
    "fulfilment__shipment_confirmations": "sending shipment notices (ASNs)",
    "netsuite_invoices": "reading NetSuite invoices",
    "fulfilment__invoice_submissions": "submitting invoices to Amazon",
    "orders__df_address_purge": "purging expired Direct Fulfillment addresses",
    "ops__exceptions": "refreshing the exceptions queue",
    "amazon_vendor_reports": "pulling Amazon's vendor reports",
    "dbt_finance": "building the finance models with dbt (settlements, GL, marts)",
    "finance__netsuite_postings": "posting payments and journal entries to NetSuite",
    "marts__analytics_copy": "publishing the analysts' copy",
}


def step_labels(definitions: dg.Definitions) -> dict[str, str]:
    """Step (op) name -> what it does: a phrase, else the asset it makes or the check it runs."""
    labels: dict[str, str] = {}
    for assets_def in definitions.resolve_asset_graph().assets_defs:
        if not assets_def.is_executable:
            continue
        keys = sorted(k.to_user_string() for k in assets_def.keys)
        checks = list(assets_def.check_keys)
        if keys:
            more = f" and {len(keys) - 1} more" if len(keys) > 1 else ""
            labels[assets_def.node_def.name] = f"materializing {keys[0]}{more}"
        elif checks:
            checked = ", ".join(sorted({c.asset_key.to_user_string() for c in checks}))
            count = f"{len(checks)} check{'s' if len(checks) > 1 else ''}"
            labels[assets_def.node_def.name] = f"checking {checked} ({count})"
    return {**labels, **STEP_PHRASES}


class Progress:
    """`[3/31] acknowledging purchase orders … ok (2.1s, 12.4s elapsed)`, as steps start and end.

    With nothing else on the terminal a step is one line, its outcome appended when it ends;
    with `--verbose` (dbt and Dagster output in between) start and end are lines of their own.
    """

    def __init__(self, out: TextIO, *, same_line: bool) -> None:
        self.out = out
        self.same_line = same_line
        self.total = 0
        self.done = 0
        self.started = time.monotonic()
        self._open: tuple[str, str, float] | None = None  # prefix, label, start time

    def _write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()

    def _prefix(self, first: int, last: int | None = None) -> str:
        numbers = f"{first}-{last}" if last is not None and last != first else str(first)
        return f"[{numbers}/{max(self.total, last or first)}]"

    def begin(self, label: str, *, counted: bool = True) -> None:
        self.finish("?")  # a step that never reported its end
        if counted:
            self.done += 1
        prefix = self._prefix(self.done) if counted else ""
        self._open = (prefix, label, time.monotonic())
        line = f"{prefix} {label} …".lstrip()
        self._write(f"{line} " if self.same_line else f"{line}\n")

    def finish(self, outcome: str = "ok") -> None:
        if self._open is None:
            return
        prefix, label, began = self._open
        self._open = None
        now = time.monotonic()
        result = f"{outcome} ({now - began:.1f}s, {now - self.started:.1f}s elapsed)"
        self._write(f"{result}\n" if self.same_line else f"{prefix} {label}: {result}\n".lstrip())

    def skip(self, count: int, label: str) -> None:
        self.finish("?")
        if count <= 0:
            return
        first, self.done = self.done + 1, self.done + count
        self._write(f"{self._prefix(first, self.done)} {label}\n")

    def note(self, text: str) -> None:
        self.finish("?")
        self._write(f"{text}\n")


class _StepEvents(logging.Handler):
    """Turns the Dagster events of a run (STEP_START, STEP_SUCCESS, ...) into progress lines."""

    def __init__(self, progress: Progress, labels: dict[str, str], log_hint: str) -> None:
        super().__init__(level=logging.DEBUG)
        self.progress = progress
        self.labels = labels
        self.log_hint = log_hint

    def label(self, step_key: str) -> str:
        return self.labels.get(step_key, step_key.replace("__", "/"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            event = (getattr(record, "dagster_meta", None) or {}).get("dagster_event")
            if event is None or not event.step_key:
                return
            kind = event.event_type_value
            if kind == "STEP_START":
                self.progress.begin(self.label(event.step_key))
            elif kind == "STEP_SUCCESS":
                self.progress.finish("ok")
            elif kind == "STEP_FAILURE":
                self.progress.finish(f"FAILED: {_failure_message(event)}{self.log_hint}")
            elif kind == "STEP_SKIPPED":
                label = f"{self.label(event.step_key)}: skipped (an earlier step failed)"
                self.progress.skip(1, label)
        except Exception:  # progress must never break a run
            self.handleError(record)


def _failure_message(event: dg.DagsterEvent) -> str:
    error = getattr(event.step_failure_data, "error", None)
    if error is None:
        return "see the log"
    # The step's own exception rather than Dagster's "Error occurred while executing op" wrapper.
    while error.cause is not None and error.cls_name.startswith("Dagster"):
        error = error.cause
    first = (error.message or error.cls_name or "").strip().splitlines()
    text = first[0] if first else "see the log"
    return text if len(text) <= 160 else f"{text[:157]}..."


def _progress_logger(
    progress: Progress, labels: dict[str, str], log_hint: str
) -> dg.LoggerDefinition:
    handler = _StepEvents(progress, labels, log_hint)

    def init(_context: dg.InitLoggerContext) -> logging.Logger:
        logger = logging.Logger("vendor_pipelines.demo.progress", logging.DEBUG)
        logger.addHandler(handler)
        return logger

    return dg.LoggerDefinition(init, description="demo progress lines")


@contextlib.contextmanager
def _output_to(log: Path | None) -> Iterator[None]:
    """dbt's and Dagster's output (both print to this process's stdout/stderr) into `log`."""
    if log is None:
        yield
        return
    sys.stdout.flush()
    sys.stderr.flush()
    with (
        log.open("w", encoding="utf-8", buffering=1) as out,
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(out),
    ):
        yield


def prepare_dagster_home(home: Path = DAGSTER_HOME) -> Path:
    """A persistent dev instance: the top-level dagster.yaml with SQLite storage (as `make dev`)."""
    write_instance(home)
    return home


def _partition_groups(
    defs: dg.Definitions,
) -> list[tuple[dg.PartitionsDefinition | None, list[dg.AssetKey]]]:
    """Unpartitioned assets first, then the daily settlement assets, then the other
    partitionings (the monthly close pack, which packs settled days), each with its assets.

    The order is fixed by kind, never by hash: a close pack run before the day it packs was
    settled would pack nothing."""
    groups: dict[object, list[dg.AssetKey]] = defaultdict(list)
    partitions: dict[object, dg.PartitionsDefinition | None] = {None: None}
    graph = defs.resolve_asset_graph()
    for key in graph.materializable_asset_keys:
        pdef = graph.get(key).partitions_def
        groups[id(pdef) if pdef else None].append(key)
        partitions[id(pdef) if pdef else None] = pdef

    def rank(group: object) -> tuple[int, str]:
        pdef = partitions[group]
        kind = 0 if pdef is None else 1 if _is_settlement_days(pdef) else 2
        return kind, min(key.to_user_string() for key in groups[group])

    ordered = sorted(groups, key=rank)
    return [(partitions[k], groups[k]) for k in ordered]


def _is_settlement_days(pdef: dg.PartitionsDefinition | None) -> bool:
    return isinstance(pdef, dg.DailyPartitionsDefinition)


REMITTANCE_KEYS = (["raw", "remittance_payments"], ["raw", "remittance_lines"])


def demo_definitions() -> dg.Definitions:
    """The code location plus the demo's jobs: unpartitioned, remittances, partitioned."""
    from vendor_pipelines.definitions import defs as load_defs

    definitions = load_defs()
    jobs = [
        dg.define_asset_job(
            f"demo_{index}", selection=dg.AssetSelection.assets(*keys), partitions_def=pdef
        )
        for index, (pdef, keys) in enumerate(_partition_groups(definitions))
    ]
    jobs.append(
        dg.define_asset_job(
            "demo_remittances", selection=dg.AssetSelection.assets(*REMITTANCE_KEYS)
        )
    )
    return dg.Definitions.merge(definitions, dg.Definitions(jobs=jobs))


def default_dagster_home(settings: Settings) -> Path:
    """Beside the warehouse: `data/dagster_home` (as `make dev`) for the default warehouse."""
    return settings.duckdb_path.parent / "dagster_home"


def run_demo(dagster_home: Path | None = None, *, verbose: bool = False) -> int:
    settings = load_configuration()
    home = prepare_dagster_home(dagster_home or default_dagster_home(settings))
    os.environ["DAGSTER_HOME"] = str(home)
    log = None if verbose else home / LOG_NAME
    progress = Progress(sys.stdout, same_line=not verbose)
    log_hint = f"; details in {log}" if log else ""
    rows: list[tuple[str, str]] = []
    checks_passed = checks_failed = 0
    ok = True
    with _output_to(log):
        progress.begin("loading the definitions", counted=False)
        try:
            definitions = demo_definitions()
        except BaseException:
            progress.finish("failed")
            raise
        progress.finish()
        instance = dg.DagsterInstance.get()
        started = time.monotonic()
        plan = [
            (f"demo_{index}", pdef.get_last_partition_key() if pdef else None)
            for index, (pdef, _) in enumerate(_partition_groups(definitions))
        ]
        steps = {
            name: len(definitions.resolve_job_def(name).nodes_in_topological_order)
            for name in [*(name for name, _ in plan), "demo_remittances"]
        }
        sandbox = not settings.amazon_is_live
        # Amazon pays before each settlement day is built, and only then.
        pays = {
            f"demo_{index}"
            for index, (pdef, _) in enumerate(_partition_groups(definitions))
            if _is_settlement_days(pdef)
        }
        paying = len(pays) if sandbox else 0
        # Each payday: Amazon pays and its files load; then finance disputes what the day's
        # models judged disputable, Amazon decides at its next payment run, and the day is built
        # again with the reversals (two more Amazon steps, the files and the day's job).
        progress.total = sum(steps[name] for name, _ in plan) + sum(
            2 + 2 * steps["demo_remittances"] + 1 + steps[name]
            for name, _ in plan
            if name in pays and sandbox
        )
        where = f"; dbt and Dagster output in {log} (--verbose shows it here)" if log else ""
        progress.note(f"{progress.total} steps in {len(plan) + paying} runs{where}")
        logger = _progress_logger(progress, step_labels(definitions), log_hint)

        def run(job_name: str, partition_key: str | None) -> tuple[bool, int, int]:
            last = progress.done + steps[job_name]
            result = _run(definitions, job_name, partition_key, instance, rows, logger, verbose)
            progress.skip(last - progress.done, "not run: an earlier step failed")
            return result

        # In one process, steps in dependency order: the demo needs no daemon or code server.
        for job_name, partition_key in plan:
            if job_name in pays and partition_key is not None and sandbox:
                progress.begin("Amazon (the sandbox) pays the invoices it accepted")
                paid = sandbox_pays(settings, date.fromisoformat(partition_key))
                progress.finish(f"{paid} remittance files in {settings.remittance_inbox}")
                if paid:
                    ok &= run("demo_remittances", None)[0]
                else:
                    progress.skip(steps["demo_remittances"], "no remittance files: none loaded")
            success, passed, failed = run(job_name, partition_key)
            if job_name in pays and partition_key is not None and sandbox:
                day = date.fromisoformat(partition_key)
                progress.begin("finance uploads the dispute packets in Vendor Central")
                submitted = submit_disputes(settings, day)
                progress.finish(f"{submitted} disputable cases submitted")
                progress.begin("Amazon decides the disputes and pays what it reverses")
                paid = sandbox_pays(settings, day)
                progress.finish(f"{paid} remittance files in {settings.remittance_inbox}")
                if paid:
                    ok &= run("demo_remittances", None)[0]
                    success, passed, failed = run(job_name, partition_key)
                else:
                    progress.skip(
                        steps["demo_remittances"] + steps[job_name], "no reversals: nothing to load"
                    )
            ok &= success
            checks_passed += passed
            checks_failed += failed
        progress.finish("?")
    width = max((len(label) for label, _ in rows), default=10)
    print(f"\nMaterialized {len(rows)} assets in {time.monotonic() - started:.1f}s:")
    for label, count in rows:
        print(f"  {label:<{width}}  rows={count}")
    print(f"Asset checks: {checks_passed} passed, {checks_failed} failed (failures are exceptions)")
    print(f"DuckDB warehouse: {settings.duckdb_path}")
    print(f"Analysts' copy:   {settings.analytics_duckdb_path} (read-only, published each run)")
    print(f"Dagster runs:     {home} (open the UI with `make dev`, then http://127.0.0.1:3000)")
    return 0 if ok else 1


def submit_disputes(settings: Settings, day: date) -> int:
    """The demo plays finance: it uploads the packet of every case the models judged
    disputable in Vendor Central (the sandbox's) and records each as submitted, which starts
    its decision clock. Returns the number of cases submitted."""
    # On the settlement day itself (the demo compresses a week into minutes): the cases are
    # built as of that day, and a submission after it would count only from the next day's.
    submitted_at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    with duckdb.connect(str(settings.duckdb_path)) as conn:
        warehouse_schema.apply(conn)
        disputable = cases(conn, "disputable")
        folder = packet_dir(settings.duckdb_path)
        for case in disputable:
            pdf, _ = packet_paths(folder, case["case_id"])
            record_submitted(
                conn,
                case["case_id"],
                "finance (the demo)",
                submitted_at=submitted_at,
                packet_file=str(pdf) if pdf.exists() else None,
                note="uploaded in Vendor Central by the demo",
            )
    sandbox_receives_disputes(settings, [case["claim_reference"] for case in disputable], day)
    return len(disputable)


def _run(
    definitions: dg.Definitions,
    job_name: str,
    partition_key: str | None,
    instance: dg.DagsterInstance,
    rows: list[tuple[str, str]],
    progress_logger: dg.LoggerDefinition,
    verbose: bool,
) -> tuple[bool, int, int]:
    job = definitions.resolve_job_def(job_name).with_logger_defs(
        {"console": dg.colored_console_logger, "demo_progress": progress_logger}
    )
    # The log file gets Dagster's INFO lines; the terminal (--verbose) only its warnings.
    level = "WARNING" if verbose else "INFO"
    result = job.execute_in_process(
        instance=instance,
        partition_key=partition_key,
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": level}}, "demo_progress": {}}},
    )
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        count = materialization.metadata.get("dagster/row_count")
        label = materialization.asset_key.to_user_string()
        if materialization.partition:
            label += f" [{materialization.partition}]"
        rows.append((label, str(count.value) if count is not None else "-"))
    evaluations = result.get_asset_check_evaluations()
    passed = sum(1 for evaluation in evaluations if evaluation.passed)
    return result.success, passed, len(evaluations) - passed
