"""Where the dbt project lives and how its manifest is kept fresh (no Dagster objects here).

The manifest is dbt's parsed state; Dagster reads it when definitions load. Rather than demand a
separate `dbt parse` before every entry point (UI, CLI, tests, CI), we parse whenever the manifest
is missing or older than any project file, under a file lock so concurrent processes parse once.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_finance"
MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"
_SOURCE_DIRS = ("models", "seeds", "macros", "tests")


def _newest_source_mtime() -> float:
    newest = max(
        (DBT_PROJECT_DIR / name).stat().st_mtime for name in ("dbt_project.yml", "profiles.yml")
    )
    for folder in _SOURCE_DIRS:
        for path in (DBT_PROJECT_DIR / folder).rglob("*"):
            if path.is_file():
                newest = max(newest, path.stat().st_mtime)
    return newest


def manifest_is_stale() -> bool:
    return not MANIFEST_PATH.exists() or MANIFEST_PATH.stat().st_mtime < _newest_source_mtime()


def dbt_executable() -> str:
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def ensure_manifest(warehouse: Path | None = None) -> Path:
    """Run `dbt parse` if the manifest is missing or stale; return the manifest path.

    The parse is made with the profile of a run on `warehouse` (the configured warehouse), so
    that the first run there reuses it: dbt throws a saved parse away when the profile it was
    made with differs, and the profile names the warehouse file (see
    `finance.dbt_command.warehouse_target_path`)."""
    if not manifest_is_stale():
        return MANIFEST_PATH
    MANIFEST_PATH.parent.mkdir(parents=True, exist_ok=True)
    with open(MANIFEST_PATH.parent / ".parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if manifest_is_stale():
            # Parse never opens the warehouse; the default profile path only fixes the catalog name.
            env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
            if warehouse is not None:
                env["DUCKDB_PATH"] = str(warehouse)
            env.setdefault("DUCKDB_PATH", "warehouse.duckdb")
            # A whole parse, not a partial one: after a change to a macro, dbt's partial parse
            # re-reads the singular tests using it without their tests/schema.yml properties,
            # and the asset checks would lose their descriptions. This runs only when a project
            # file changed; the runs themselves parse partially (dbt_command.warehouse_target_path).
            result = subprocess.run(
                [dbt_executable(), "parse", "--profiles-dir", ".", "--quiet", "--no-partial-parse"],
                cwd=DBT_PROJECT_DIR,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")
    return MANIFEST_PATH
