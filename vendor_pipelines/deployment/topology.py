"""The production topology as separate processes: code server, webserver, daemon.

Production runs three long-lived processes against one persistent instance (DAGSTER_HOME):

* a **code server** (`dagster code-server start`) that loads the definitions once and launches
  run workers;
* **`dagster-webserver`**, the UI, reading the code server over gRPC;
* **`dagster-daemon run`**: schedules, sensors, the run queue, run monitoring and retries.

The webserver and the daemon find the code server through a workspace file naming its gRPC
port (`grpc_server`), so neither loads the code itself and a code deploy restarts only the code
server. `Topology` starts and stops exactly that, for `vendor-pipelines soak`, for the daemon
tests and for anyone who wants the real thing on one machine. The instance is the repository's
`dagster.yaml` with `deploy/dagster.sqlite.yaml` (SQLite under DAGSTER_HOME) or
`deploy/dagster.postgres.yaml` appended.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@contextmanager
def environment(overrides: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the duration, restoring the previous values after."""
    saved = {name: os.environ.get(name) for name in overrides}
    os.environ.update(overrides)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class PostgresInstance:
    """Where the Postgres instance lives (the DAGSTER_PG_* variables of the deploy config)."""

    database: str
    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password: str = ""

    def environment(self) -> dict[str, str]:
        return {
            "DAGSTER_PG_USER": self.user,
            "DAGSTER_PG_PASSWORD": self.password,
            "DAGSTER_PG_HOST": self.host,
            "DAGSTER_PG_PORT": str(self.port),
            "DAGSTER_PG_DB": self.database,
        }


def write_instance(home: Path, postgres: PostgresInstance | None = None) -> dict[str, str]:
    """Compose DAGSTER_HOME/dagster.yaml as the README tells operators (`dagster.yaml` and the
    storage: `deploy/dagster.postgres.yaml`, else `deploy/dagster.sqlite.yaml`); return its env
    vars."""
    home.mkdir(parents=True, exist_ok=True)
    storage = "dagster.sqlite.yaml" if postgres is None else "dagster.postgres.yaml"
    config = (REPO_ROOT / "dagster.yaml").read_text()
    config += "\n" + (REPO_ROOT / "deploy" / storage).read_text()
    env: dict[str, str] = {"DAGSTER_HOME": str(home)}
    if postgres is not None:
        env |= postgres.environment()
        env |= {
            "DAGSTER_COMPUTE_LOG_DIR": str(home / "compute_logs"),
            "DAGSTER_ARTIFACT_DIR": str(home / "artifacts"),
        }
    (home / "dagster.yaml").write_text(config)
    return env


@dataclass
class Topology:
    """Code server + webserver + daemon on one instance; each process logs to `log_dir`."""

    home: Path
    environment: Mapping[str, str]
    module: str = "vendor_pipelines.definitions"
    attribute: str = "defs"
    working_directory: Path = REPO_ROOT
    location_name: str = "vendor_pipelines"
    code_port: int = field(default_factory=free_port)
    web_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def log_dir(self) -> Path:
        # Beside DAGSTER_HOME, not in it: the instance owns what is inside.
        return self.home.parent / f"{self.home.name}_process_logs"

    @property
    def workspace(self) -> Path:
        return self.home / "workspace.yaml"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def _env(self) -> dict[str, str]:
        return {**os.environ, **self.environment, "PATH": f"{BIN}:{os.environ.get('PATH', '')}"}

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        logs = self.log_dir
        logs.mkdir(parents=True, exist_ok=True)
        with (logs / f"{name}.log").open("ab") as log:
            # Each process leads its own process group, so stopping it stops its children
            # (the code server's run workers included) and nothing else.
            process = subprocess.Popen(
                args,
                cwd=self.working_directory,
                env=self._env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes[name] = process
        return process

    def start(self, timeout: float = 180.0) -> Topology:
        self.workspace.parent.mkdir(parents=True, exist_ok=True)
        self.workspace.write_text(
            "load_from:\n  - grpc_server:\n      host: 127.0.0.1\n"
            f"      port: {self.code_port}\n      location_name: {self.location_name}\n"
        )
        self.start_code_server(timeout)
        self.start_daemon()
        self._spawn(
            "webserver",
            [
                str(BIN / "dagster-webserver"),
                "-w",
                str(self.workspace),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.web_port),
            ],
        )
        self._wait_for_http(f"{self.web_url}/server_info", "webserver", timeout)
        return self

    def start_code_server(self, timeout: float = 180.0) -> None:
        self._spawn(
            "code_server",
            [
                str(BIN / "dagster"),
                "code-server",
                "start",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.code_port),
                "-m",
                self.module,
                "-a",
                self.attribute,
                "-d",
                str(self.working_directory),
                "--location-name",
                self.location_name,
            ],
        )
        self._wait_for_port(self.code_port, "code_server", timeout)

    def kill_code_server(self) -> None:
        """SIGKILL the code server with every process it started (run workers included)."""
        self._stop("code_server", signal.SIGKILL)

    def start_daemon(self) -> None:
        self._spawn("daemon", [str(BIN / "dagster-daemon"), "run", "-w", str(self.workspace)])

    def restart_code_server(self, timeout: float = 180.0) -> None:
        self.kill_code_server()
        self.start_code_server(timeout)

    def stop_daemon(self) -> None:
        self._stop("daemon")

    def restart_daemon(self) -> None:
        """Stop the daemon abruptly (as a crash would) and start a new one."""
        self._stop("daemon", signal.SIGKILL)
        self.start_daemon()

    def _wait_for_port(self, port: int, name: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive(name)
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.5)
        raise TimeoutError(f"{name} did not listen on {port} within {timeout:.0f} s")

    def _wait_for_http(self, url: str, name: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive(name)
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"{name} did not answer {url} within {timeout:.0f} s")

    def _check_alive(self, name: str) -> None:
        process = self.processes[name]
        if process.poll() is not None:
            log = (self.log_dir / f"{name}.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{log}")

    def _stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 30.0) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=timeout)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=timeout)

    def stop(self) -> None:
        # The daemon first, so it launches nothing while the code server goes away.
        for name in ("daemon", "webserver", "code_server"):
            self._stop(name)

    def __enter__(self) -> Topology:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
