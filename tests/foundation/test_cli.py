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


def test_sandbox_serve_runs_one_amazon_host_per_region(tmp_path: Path) -> None:
    import httpx

    server = subprocess.Popen(
        [str(CLI), "sandbox", "serve", "--regions", "NA,EU", "--amazon-port", "0",
         "--netsuite-port", "0", "--scale", "tiny", "--state-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        hosts = {}
        while len(hosts) < 2:
            line = server.stdout.readline()
            assert line, server.stderr.read() if server.stderr else "server exited"
            if line.startswith("Amazon SP-API sandbox"):
                region, url = line.split()[3].rstrip(":"), line.split()[4]
                hosts[region] = url
        assert set(hosts) == {"NA", "EU"} and hosts["NA"] != hosts["EU"]
        for url in hosts.values():
            assert httpx.get(f"{url}/_sandbox/health", timeout=10).json()["ok"] is True
    finally:
        server.terminate()
        server.wait(timeout=30)
