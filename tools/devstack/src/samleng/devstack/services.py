"""Run Samleng services as real processes: ``python -m samleng.<service> serve``.

    service = start_service("intake", env, log_path)   # returns once /readyz answers 200
    service.url, service.read_log()
    service.stop()    # SIGTERM, then SIGKILL after the grace period
    service.kill()    # SIGKILL, for crash tests

Each service writes its output (JSON log lines on stderr) to its own log file.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from samleng.devstack import processes
from samleng.devstack.net import LOOPBACK

SERVICES = ("intake", "routing", "notification", "reporting", "web")
#: The services that consume events and own a database (web is a client of their APIs).
BACK_END = ("intake", "routing", "notification", "reporting")
#: The dev identity provider (``python -m samleng.devstack issuer``), run beside the services.
DEV_ISSUER = "dev-issuer"
DEFAULT_PORTS = {
    "intake": 8000,
    "routing": 8001,
    "notification": 8002,
    "reporting": 8003,
    "web": 8004,
    DEV_ISSUER: 8009,
}
READY_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
MIGRATE_TIMEOUT = 180.0


class ServiceError(RuntimeError):
    """A service did not migrate, start or become ready."""


def tail(path: Path, lines: int = 40) -> str:
    """Return the last ``lines`` lines of a log file (empty if it does not exist)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def process_env(env: dict[str, str], inherit_samleng: bool = False) -> dict[str, str]:
    """Return the full environment of a service: this process's, minus stray SAMLENG_*, plus env.

    glibc's malloc gives every thread that allocates an arena of its own (up to 8 per
    core); the driver's and the executor's threads then hold memory that no arena
    returns. Two arenas keep a service's RSS down at no measurable cost in speed (as the
    images set it too).
    """
    base = {
        key: value
        for key, value in os.environ.items()
        if inherit_samleng or not key.startswith("SAMLENG_")
    }
    return {"MALLOC_ARENA_MAX": "2", **base, "PYTHONUNBUFFERED": "1", **env}


@dataclass
class RunningService:
    """One service process and where to reach it."""

    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    pid: int
    host: str = LOOPBACK
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """Base URL of the service's HTTP API."""
        return f"http://{self.host}:{self.port}"

    def read_log(self) -> str:
        """Return everything the service has logged so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def is_alive(self) -> bool:
        """Return True while the process runs."""
        if self._process is not None:
            return self._process.poll() is None
        return processes.pid_alive(self.pid)

    @property
    def returncode(self) -> int | None:
        """Exit code once the process has ended (None if unknown or still running)."""
        return self._process.poll() if self._process is not None else None

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        """Block until GET /readyz answers 200; raise ServiceError with the log tail if not."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if not self.is_alive():
                    raise ServiceError(
                        f"{self.name} exited (code {self.returncode}) before it was ready; "
                        f"last lines of {self.log_path}:\n{tail(self.log_path)}"
                    )
                try:
                    response = client.get(f"{self.url}/readyz")
                except httpx.TransportError as error:
                    last = f"{type(error).__name__}: {error}"
                else:
                    if response.status_code == 200 and self._still_alive_after_ready():
                        return
                    last = f"HTTP {response.status_code}: {response.text[:300]}"
                time.sleep(0.2)
        raise ServiceError(
            f"{self.name} was not ready at {self.url}/readyz within {timeout:.0f} s ({last}); "
            f"last lines of {self.log_path}:\n{tail(self.log_path)}"
        )

    def _still_alive_after_ready(self) -> bool:
        """Whether the process still runs a moment after /readyz answered: a service that
        could not bind its port exits right after its start-up, and the answer came from
        whatever holds that port (``wait_ready`` then reports the exit)."""
        time.sleep(0.3)
        return self.is_alive()

    def stop(self, timeout: float = STOP_TIMEOUT) -> bool:
        """SIGTERM the service, SIGKILL it after ``timeout``; return True if it stopped cleanly."""
        if self._process is None:
            return processes.terminate(self.pid, timeout)
        if self._process.poll() is not None:
            return True
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(5.0)
            return False
        return True

    def kill(self) -> None:
        """SIGKILL the service at once (simulates a crash)."""
        if self._process is None:
            processes.terminate(self.pid, timeout=0)
            return
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait(5.0)


def command_marker(name: str) -> str:
    """What the command line of this process contains (to recognise it by its pid)."""
    return "samleng.devstack issuer" if name == DEV_ISSUER else f"samleng.{name}"


def _command(name: str, action: str) -> list[str]:
    if name == DEV_ISSUER and action == "serve":
        return [sys.executable, "-m", "samleng.devstack", "issuer"]
    if name not in SERVICES:
        raise ValueError(f"unknown service {name!r}; expected one of {', '.join(SERVICES)}")
    return [sys.executable, "-m", f"samleng.{name}", action]


def migrate(name: str, env: dict[str, str], log_path: Path, inherit_samleng: bool = False) -> None:
    """Run ``python -m samleng.<name> migrate``; raise ServiceError with its output on failure."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log_file:
        result = subprocess.run(
            _command(name, "migrate"),
            env=process_env(env, inherit_samleng),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            timeout=MIGRATE_TIMEOUT,
            check=False,
        )
    if result.returncode != 0:
        raise ServiceError(
            f"`python -m samleng.{name} migrate` failed (exit {result.returncode}); "
            f"last lines of {log_path}:\n{tail(log_path)}"
        )


def spawn(
    name: str, env: dict[str, str], log_path: Path, inherit_samleng: bool = False
) -> RunningService:
    """Start ``python -m samleng.<name> serve`` in its own session without waiting for it."""
    full_env = process_env(env, inherit_samleng)
    host = full_env.get("SAMLENG_HTTP_HOST", LOOPBACK)
    port = int(full_env.get("SAMLENG_HTTP_PORT", DEFAULT_PORTS[name]))
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log_file:
        # Own session: Ctrl-C in a terminal reaches only the runner, which stops
        # services in order; detached services also outlive `up`.
        process = subprocess.Popen(
            _command(name, "serve"),
            env=full_env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    client_host = LOOPBACK if host in ("0.0.0.0", "::", "") else host
    return RunningService(name, port, dict(env), log_path, process.pid, client_host, process)


def start_service(
    name: str,
    env: dict[str, str],
    log_path: Path,
    ready_timeout: float = READY_TIMEOUT,
    inherit_samleng: bool = False,
) -> RunningService:
    """Start a service and wait for /readyz; on failure stop it and raise ServiceError."""
    service = spawn(name, env, log_path, inherit_samleng)
    try:
        service.wait_ready(ready_timeout)
    except BaseException:
        service.stop(timeout=5.0)
        raise
    return service
