"""`vendor-pipelines bench demo`: wall time of `vendor-pipelines demo`, and of the test suite.

The demo runs as a subprocess in a temp directory (its own DUCKDB_PATH, so its own warehouse,
inbox and Dagster home), the way `make demo` runs it once installed; `--suite` also times the
test suite as `make test` runs it (`pytest`, which takes ~11 min: opt-in). Neither figure
includes the installation (`uv sync`): on a fresh clone add what `make sync` takes there.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from vendor_pipelines.dbt_project import REPO_ROOT
from vendor_sandbox.bench._figures import figure

HELP = "wall time of `vendor-pipelines demo` in a temp dir (and of the test suite: --suite)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeat", type=int, default=1, help="demo runs (median reported)")
    parser.add_argument("--suite", action="store_true", help="also time the test suite (~11 min)")


def _timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int, str]:
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    return wall, completed.returncode, (completed.stdout + completed.stderr)[-3000:]


def run(args: argparse.Namespace) -> int:
    binaries = Path(sys.executable).parent
    code = 0
    walls = []
    for _ in range(max(1, args.repeat)):
        root = Path(tempfile.mkdtemp(prefix="bench_demo_"))
        try:
            env = {
                **os.environ,
                "DUCKDB_PATH": str(root / "data" / "warehouse.duckdb"),
                "ANALYTICS_DUCKDB_PATH": str(root / "data" / "analytics.duckdb"),
            }
            env.pop("DAGSTER_HOME", None)
            wall, returncode, tail = _timed([str(binaries / "vendor-pipelines"), "demo"], root, env)
        finally:
            shutil.rmtree(root, ignore_errors=True)
        if returncode != 0:
            print(f"demo failed (exit {returncode}):\n{tail}")
            code = 1
        walls.append(wall)
    print(f"demo, median of {len(walls)}: {', '.join(f'{w:.1f}s' for w in walls)}")
    print(figure("demo_wall_without_install", statistics.median(walls), "s", "<=", 60))
    if args.suite:
        wall, returncode, tail = _timed(
            [str(binaries / "pytest"), "-q"], REPO_ROOT, dict(os.environ)
        )
        if returncode != 0:
            print(f"test suite failed (exit {returncode}):\n{tail}")
            code = 1
        print(figure("test_suite_wall_without_install", wall, "s", "<=", 180, 0))
    return code
