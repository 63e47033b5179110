"""`vendor-pipelines bench finance`: a large vendor's settlement year through the finance layer.

Steps, each timed: generate the year in DuckDB SQL (NetSuite items / invoices / invoice lines and
remittance payments / lines, one remittance file per payment) except one nightly settlement
day; full-year `dbt build` (classification → cash application → reconciliation → GL lines →
ASIN profitability, with every dbt test); the "floor", a bare DuckDB query doing the same joins;
then the nightly day's remittances are rendered as a Vendor Central CSV, ingested through the
real parser/loader and built as one partition, once on top of the year and once on an empty
warehouse. It ends with issue 16's figures, one line each: `name: value (goal ...)`.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import duckdb

from vendor_pipelines import warehouse_schema
from vendor_pipelines.dbt_project import DBT_PROJECT_DIR
from vendor_pipelines.finance import load_remittance_file
from vendor_pipelines.finance.dbt_command import (
    dbt_command,
    dbt_environment,
    run_results,
    settlement_vars,
)
from vendor_sandbox.bench._figures import figure
from vendor_sandbox.bench._finance_data import (
    copy_reference_data,
    generate_year,
    nightly_csv,
)

HELP = "settlement year (≥1M PO lines, ≥200k invoices, ≥1.5M remittance lines) through dbt_finance"

FLOOR_SQL = """
CREATE OR REPLACE TEMP TABLE floor_result AS
WITH inv AS (
    SELECT invoice_id, replace(upper(tranid), '_', '-') AS invoice_key, total
    FROM raw.netsuite_invoices
),
lines AS (
    SELECT l.*, replace(regexp_replace(upper(reference), '^(.*[0-9])(SCR|SC)+$', '\\1'), '_', '-')
               AS invoice_key
    FROM raw.remittance_lines AS l
),
applied AS (
    SELECT lines.settlement_date, inv.invoice_id, lines.amount, lines.discount_amount
    FROM lines LEFT JOIN inv USING (invoice_key)
),
share AS (
    SELECT il.invoice_id, il.asin,
           il.amount / sum(il.amount) OVER (PARTITION BY il.invoice_id) AS s,
           il.quantity * it.cost AS cogs, il.amount
    FROM raw.netsuite_invoice_lines AS il JOIN raw.netsuite_items AS it USING (sku)
)
SELECT share.asin, date_trunc('month', applied.settlement_date) AS period,
       sum(applied.amount * share.s) AS cash, sum(share.cogs) AS cogs
FROM applied JOIN share USING (invoice_id)
GROUP BY ALL
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fraction of the full year (1.0 = issue sizes)"
    )
    parser.add_argument("--workdir", type=Path, default=None, help="where to put the warehouses")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="nightly builds per warehouse (median reported; re-runs are idempotent)",
    )


def _dbt_build(
    warehouse: Path, work: Path, settlement_date: str | None
) -> tuple[float, float, int]:
    """Run `dbt build`; returns (wall seconds, Σ node execution seconds, exit code)."""
    variables = settlement_vars(settlement_date) if settlement_date else None
    command = dbt_command(work, ("build",), quiet=True)
    env = dbt_environment(warehouse, variables)
    started = time.perf_counter()
    completed = subprocess.run(
        command, cwd=DBT_PROJECT_DIR, env=env, check=False, capture_output=True
    )
    wall = time.perf_counter() - started
    results = run_results(work)
    failed = [r["unique_id"] for r in results if r["status"] in ("fail", "error")]
    if failed:
        print(f"  dbt reported failures: {failed[:5]}")
    return wall, sum(r["execution_time"] for r in results), completed.returncode


def _rss_mb() -> tuple[float, float]:
    """Peak RSS of this process and of the largest finished child (dbt), in MB (Linux: KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def run(args: argparse.Namespace) -> int:
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench_finance_"))
    work.mkdir(parents=True, exist_ok=True)
    year_db = work / "year" / "warehouse.duckdb"
    empty_db = work / "empty" / "warehouse.duckdb"
    for path in (year_db, empty_db):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
    try:
        return _run(args.scale, work, year_db, empty_db, max(1, args.repeat))
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


def _run(scale: float, work: Path, year_db: Path, empty_db: Path, repeat: int) -> int:
    started = time.perf_counter()
    with duckdb.connect(str(year_db)) as conn:
        warehouse_schema.apply(conn)
        sizes = generate_year(conn, scale)
        csv_path = work / f"vc_payments_{sizes.nightly_date}.csv"
        csv_path.write_text(nightly_csv(conn))
    generate_seconds = time.perf_counter() - started
    print(
        f"generated: {sizes.invoice_lines:,} PO/invoice lines, {sizes.invoices:,} invoices, "
        f"{sizes.remittance_lines:,} remittance lines, {sizes.payments:,} payments "
        f"in {generate_seconds:.1f}s (nightly day {sizes.nightly_date}: "
        f"{sizes.nightly_lines:,} lines held back for ingestion)"
    )

    full_wall, full_nodes, code = _dbt_build(year_db, work / "dbt_full", None)
    print(
        f"full-year dbt build: {full_wall:.1f}s wall, {full_nodes:.1f}s in models+tests "
        f"(exit {code})"
    )

    with duckdb.connect(str(year_db)) as conn:
        floor_started = time.perf_counter()
        conn.execute(FLOOR_SQL)
        floor = time.perf_counter() - floor_started
    print(
        f"floor (bare DuckDB joins): {floor:.2f}s -> pipeline/floor = {full_wall / floor:.1f}x "
        f"wall, {full_nodes / floor:.1f}x models+tests"
    )

    with duckdb.connect(str(year_db)) as conn:
        ingest_started = time.perf_counter()
        result = load_remittance_file(conn, csv_path)
        ingest = time.perf_counter() - ingest_started
    print(f"ingest nightly file ({result.lines:,} lines, {result.status}): {ingest:.2f}s")

    with duckdb.connect(str(empty_db)) as conn:
        warehouse_schema.apply(conn)
        copy_reference_data(conn, year_db, sizes.nightly_date)
        load_remittance_file(conn, csv_path)
    # Interleaved repeats, median of each. Each warehouse keeps one dbt target folder, as the
    # Dagster asset does (`warehouse_target_path`): a run reuses the previous run's parse.
    history_runs, empty_runs = [], []
    for _ in range(repeat):
        history_runs.append(_dbt_build(year_db, work / "dbt_full", sizes.nightly_date)[:2])
        empty_runs.append(_dbt_build(empty_db, work / "dbt_empty", sizes.nightly_date)[:2])
    history_wall = statistics.median(run[0] for run in history_runs)
    history_nodes = statistics.median(run[1] for run in history_runs)
    empty_wall = statistics.median(run[0] for run in empty_runs)
    empty_nodes = statistics.median(run[1] for run in empty_runs)

    own, child = _rss_mb()
    total = time.perf_counter() - started
    print(
        f"nightly partition, median of {repeat}, year of history: {history_wall:.1f}s wall, "
        f"{history_nodes:.2f}s models+tests"
    )
    print(
        f"nightly partition, median of {repeat}, empty warehouse:   {empty_wall:.1f}s wall, "
        f"{empty_nodes:.2f}s models+tests"
    )
    print(
        f"nightly ratio (history / empty): {history_wall / empty_wall:.2f} wall, "
        f"{history_nodes / empty_nodes:.2f} models+tests"
    )
    print(
        f"total wall time {total:.1f}s; peak RSS {own:.0f} MB (bench process), "
        f"{child:.0f} MB (largest dbt run)"
    )
    # The figures beside their goals (issue 16).
    print(figure("full_year_build_vs_floor", full_wall / floor, "x", "<=", 10))
    print(figure("full_year_models_tests_vs_floor", full_nodes / floor, "x", None, None))
    print(figure("nightly_wall_vs_models_tests", history_wall / history_nodes, "x", "<=", 2))
    print(figure("nightly_history_vs_empty", history_wall / empty_wall, "", "<=", 1.10, 2))
    print(figure("peak_rss_largest_dbt_run", child, "MB", "<=", 1000, 0))
    return 0 if code == 0 else 1
