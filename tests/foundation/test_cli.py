"""The console command: help, subcommands, start-up configuration and argument mistakes
(one line naming the variable or flag, exit 2, never a traceback) and `query`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

CLI = Path(sys.executable).with_name("vendor-pipelines")
DAGSTER = Path(sys.executable).with_name("dagster")


def run(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLI), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env or dict(os.environ),
        cwd=cwd,
    )


def test_help_lists_the_subcommands() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("demo", "sandbox", "bench"):
        assert command in result.stdout


def test_bench_help_lists_benchmarks() -> None:
    result = run("bench", "--help")
    assert result.returncode == 0, result.stderr


def test_a_benchmark_is_imported_only_when_chosen() -> None:
    # Every command builds the whole parser; importing each benchmark to register it loaded
    # pandas and the warehouse schema into all of them.
    probe = """
import sys
from vendor_pipelines.cli import build_parser
parser = build_parser()
loaded = sorted(m for m in sys.modules if m.startswith("vendor_sandbox.bench.") or m == "pandas")
args = parser.parse_args(["bench", "run", "--repeat", "2"])
print(loaded, args.repeat, args.handler.__module__)
"""
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["[]", "2", "vendor_sandbox.bench.run"]


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


# Variables the mistakes below set; none may leak in from the environment running the tests.
SETTING_VARS = (
    "DUCKDB_PATH",
    "ANALYTICS_DUCKDB_PATH",
    "REMITTANCE_INBOX",
    "SANDBOX_STATE_DIR",
    "FINANCE_TIMEZONE",
    "OPERATIONS_TIMEZONE",
    "SANDBOX_SCALE",
    "SANDBOX_SEED",
    "AMAZON_REGIONS",
    "RP_SHIP_FROM_BY_VENDOR_CODE",
    "NETSUITE_AUTH",
    "SANDBOX_FAULT_RATE",
    "SANDBOX_FAULTS",
)


def unwritable_folder(tmp_path: Path) -> Path:
    """A folder this user cannot create files in (root ignores permission bits: use /proc)."""
    if os.geteuid() != 0:
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o500)
        return folder / "deeper"
    if not Path("/proc/self").exists():
        pytest.skip("running as root without /proc: no folder root cannot write")
    return Path("/proc/vendor-pipelines-test")


def deployment_env(root: Path, **settings: str) -> dict[str, str]:
    """A clean environment whose warehouse is under `root`, plus the given settings; should a
    mistake go unnoticed, the command works there and never in the project's data/."""
    env = {k: v for k, v in os.environ.items() if k not in SETTING_VARS}
    return {**env, "DUCKDB_PATH": str(root / "warehouse.duckdb"), **settings}


def assert_one_line_naming(result: subprocess.CompletedProcess[str], *names: str) -> str:
    output = result.stdout + result.stderr
    assert result.returncode == 2, output[-2000:]
    assert "Traceback" not in output, output[-2000:]
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    for name in names:
        assert name in lines[0], lines[0]
    return lines[0]


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "a-file"
    path.write_text("not a folder")
    return path


BAD_SETTINGS = {
    # id: (variable, value(tmp_path), words the line must say about what is accepted)
    "warehouse-under-a-file": (
        "DUCKDB_PATH",
        lambda tmp: str(_file(tmp) / "warehouse.duckdb"),
        "is a file",
    ),
    "warehouse-is-a-folder": ("DUCKDB_PATH", lambda tmp: str(tmp), "is a folder"),
    "warehouse-unwritable": (
        "DUCKDB_PATH",
        lambda tmp: str(unwritable_folder(tmp) / "warehouse.duckdb"),
        "cannot write",
    ),
    "analytics-under-a-file": (
        "ANALYTICS_DUCKDB_PATH",
        lambda tmp: str(_file(tmp) / "analytics.duckdb"),
        "is a file",
    ),
    "inbox-is-a-file": ("REMITTANCE_INBOX", lambda tmp: str(_file(tmp)), "not a folder"),
    "finance-timezone": ("FINANCE_TIMEZONE", lambda tmp: "Mars/Olympus_Mons", "IANA"),
    "operations-timezone": ("OPERATIONS_TIMEZONE", lambda tmp: "Nowhere", "IANA"),
    "sandbox-scale": ("SANDBOX_SCALE", lambda tmp: "huge", "tiny"),
    "amazon-regions": ("AMAZON_REGIONS", lambda tmp: "NA,XX", "NA, EU, FE"),
    "ship-from-mapping": ("RP_SHIP_FROM_BY_VENDOR_CODE", lambda tmp: "VND01", "VENDOR=PARTY"),
    "ship-from-twice": ("RP_SHIP_FROM_BY_VENDOR_CODE", lambda tmp: "V1=A,V1=B", "two ship-from"),
    "not-a-number": ("SANDBOX_SEED", lambda tmp: "seven", "whole number"),
    "not-a-choice": ("NETSUITE_AUTH", lambda tmp: "kerberos", "'tba' or 'oauth2'"),
    "fault-rate-setting": ("SANDBOX_FAULT_RATE", lambda tmp: "2", "less than or equal to 1"),
    "fault-kind-setting": ("SANDBOX_FAULTS", lambda tmp: "meteor", "choose from"),
}


@pytest.mark.parametrize("case", sorted(BAD_SETTINGS))
def test_a_bad_setting_is_one_line_naming_it_and_its_value(tmp_path: Path, case: str) -> None:
    variable, make_value, accepted = BAD_SETTINGS[case]
    value = make_value(tmp_path)
    root = tmp_path / "deployment"
    result = run("demo", env=deployment_env(root, **{variable: value}), cwd=tmp_path)
    line = assert_one_line_naming(result, variable, value, accepted)
    assert line.startswith("error: invalid configuration: ")
    assert not (root / "dagster_home").exists()  # stopped before doing anything


BAD_ARGUMENTS = {
    # id: (arguments(tmp_path), flag, words about what is accepted)
    "scale": (lambda tmp: ["sandbox", "serve", "--scale", "huge"], "--scale", "tiny"),
    "regions": (lambda tmp: ["sandbox", "serve", "--regions", "NA,XX"], "--regions", "NA, EU"),
    "fault-rate": (
        lambda tmp: ["sandbox", "serve", "--fault-rate", "2"],
        "--fault-rate",
        "0 and 1",
    ),
    "fault-rate-nan": (
        lambda tmp: ["sandbox", "serve", "--fault-rate", "nan"],
        "--fault-rate",
        "finite",
    ),
    "faults": (lambda tmp: ["sandbox", "serve", "--faults", "meteor"], "--faults", "choose from"),
    "port": (
        lambda tmp: ["sandbox", "serve", "--amazon-port", "70000"],
        "--amazon-port",
        "0-65535",
    ),
    "seed": (lambda tmp: ["sandbox", "serve", "--seed", "x"], "--seed", "int"),
    "state-dir": (
        lambda tmp: ["sandbox", "serve", "--state-dir", str(_file(tmp) / "state")],
        "--state-dir",
        "is a file",
    ),
    "dagster-home": (
        lambda tmp: ["demo", "--dagster-home", str(_file(tmp))],
        "--dagster-home",
        "not a folder",
    ),
    "soak-minutes": (lambda tmp: ["soak", "--minutes", "0"], "--minutes", "above 0"),
    "soak-folder": (
        lambda tmp: ["soak", "--folder", str(_file(tmp) / "soak")],
        "--folder",
        "is a file",
    ),
    "unknown-command": (lambda tmp: ["deploy"], "COMMAND", "choose from"),
    "no-command": (lambda tmp: [], "COMMAND", "required"),
    "unknown-flag": (lambda tmp: ["demo", "--fast"], "--fast", "unrecognized"),
}


@pytest.mark.parametrize("case", sorted(BAD_ARGUMENTS))
def test_a_bad_argument_is_one_line_naming_the_flag(tmp_path: Path, case: str) -> None:
    make_args, flag, accepted = BAD_ARGUMENTS[case]
    result = run(*make_args(tmp_path), env=deployment_env(tmp_path / "deployment"), cwd=tmp_path)
    line = assert_one_line_naming(result, flag, accepted)
    assert line.startswith("error: ")


def test_a_port_in_use_is_one_line_naming_the_flag(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = run(
            "sandbox", "serve", "--amazon-port", port, "--netsuite-port", "0",
            env=deployment_env(tmp_path), cwd=tmp_path,
        )  # fmt: skip
    assert_one_line_naming(result, "--amazon-port", port, "free port")


def test_definitions_with_a_bad_setting_fail_with_the_same_line(tmp_path: Path) -> None:
    env = deployment_env(tmp_path, FINANCE_TIMEZONE="Mars/Olympus_Mons")
    result = subprocess.run(
        [str(DAGSTER), "definitions", "validate", "-m", "vendor_pipelines.definitions"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=tmp_path,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert (
        "ConfigurationError: invalid configuration: FINANCE_TIMEZONE='Mars/Olympus_Mons': "
        "not a timezone" in output
    ), output[-3000:]
    # Stopped at the settings, not deep in Dagster's schedule or partition code.
    assert "ZoneInfoNotFoundError" not in output and "DagsterInvalidDefinitionError" not in output


def _analytics_copy(root: Path) -> Path:
    path = root / "analytics.duckdb"
    with duckdb.connect(str(path)) as conn:
        conn.execute("create schema marts")
        conn.execute(
            "create table marts.asin_profitability as select * from (values"
            " ('B0001', 12.5::decimal(18,2), 3), ('B0002', null, 10)) t(asin, margin, units)"
        )
    return path


def test_query_prints_the_analysts_copy_as_a_table(tmp_path: Path) -> None:
    _analytics_copy(tmp_path)
    env = deployment_env(tmp_path)  # the copy beside DUCKDB_PATH, as a deployment has it
    result = run(
        "query", "select * from marts.asin_profitability order by asin", env=env, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "asin   margin  units",
        "-----  ------  -----",
        "B0001   12.50      3",
        "B0002    NULL     10",
        "(2 rows)",
    ]
    as_csv = run("query", "select asin, units from marts.asin_profitability order by 1", "--csv",
                 env=env, cwd=tmp_path)  # fmt: skip
    assert as_csv.stdout.splitlines() == ["asin,units", "B0001,3", "B0002,10"]
    limited = run("query", "select * from range(5)", "--max-rows", "2", env=env, cwd=tmp_path)
    assert limited.stdout.splitlines()[-1] == "(5 rows; first 2 shown, --max-rows N for more)"


def test_query_opens_the_copy_read_only_and_names_sql_mistakes(tmp_path: Path) -> None:
    _analytics_copy(tmp_path)
    env = deployment_env(tmp_path)
    refused = run("query", "drop table marts.asin_profitability", env=env, cwd=tmp_path)
    assert_one_line_naming(refused, "SQL", "read-only")
    unknown = run("query", "select * from marts.nope", env=env, cwd=tmp_path)
    assert_one_line_naming(unknown, "SQL", "nope")
    assert run("query", "select count(*) from marts.asin_profitability", env=env,
               cwd=tmp_path).stdout.splitlines()[2].strip() == "2"  # fmt: skip


def test_query_without_a_copy_says_where_it_looked(tmp_path: Path) -> None:
    result = run("query", "select 1", env=deployment_env(tmp_path), cwd=tmp_path)
    assert_one_line_naming(result, "ANALYTICS_DUCKDB_PATH", str(tmp_path / "analytics.duckdb"))
