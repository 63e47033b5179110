"""The console command: help, subcommands, and start-up configuration errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CLI = Path(sys.executable).parent / "vendor-pipelines"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLI), *args], capture_output=True, text=True, timeout=120, env=env or dict(os.environ)
    )


def test_help_lists_the_subcommands() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("demo", "sandbox", "bench"):
        assert command in result.stdout


def test_bench_help_lists_benchmarks() -> None:
    result = run("bench", "--help")
    assert result.returncode == 0, result.stderr


def test_bad_configuration_fails_at_start_with_the_variable_name() -> None:
    env = {**os.environ, "AMAZON_SPAPI_ENDPOINT": "https://sellingpartnerapi-na.amazon.com"}
    for name in ("AMAZON_LWA_CLIENT_ID", "AMAZON_LWA_CLIENT_SECRET", "AMAZON_LWA_REFRESH_TOKEN"):
        env.pop(name, None)
    result = run("demo", env=env)
    assert result.returncode == 2
    assert "AMAZON_LWA_CLIENT_ID" in result.stderr
    assert "Traceback" not in result.stderr
