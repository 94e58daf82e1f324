"""RabbitMQ from Debian's package, on loopback: install, start, vhosts, stop.

All control goes through ``rabbitmqctl`` / ``rabbitmq-diagnostics`` so no management
plugin is needed. The node keeps Debian's defaults (guest/guest on 127.0.0.1:5672).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

from samleng.devstack.net import LOOPBACK, port_is_open, wait_until

log = logging.getLogger(__name__)

AMQP_PORT = 5672
START_TIMEOUT = 90.0
_SBIN = Path("/usr/sbin")


class RabbitMQError(RuntimeError):
    """RabbitMQ could not be installed, started or controlled."""


def amqp_url(vhost: str | None = None) -> str:
    """Return the AMQP URL of the local broker, optionally for one vhost."""
    base = f"amqp://guest:guest@{LOOPBACK}:{AMQP_PORT}/"
    return base + vhost if vhost else base


def _tool(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidate = _SBIN / name
    return str(candidate) if candidate.is_file() else None


def _require_tool(name: str) -> str:
    path = _tool(name)
    if path is None:
        raise RabbitMQError(f"{name} not found; install the Debian package rabbitmq-server")
    return path


def _run_tool(name: str, *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_require_tool(name), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def is_running() -> bool:
    """Return True when the local node answers a ping and accepts AMQP connections."""
    if _tool("rabbitmq-diagnostics") is None or not port_is_open(AMQP_PORT):
        return False
    try:
        return _run_tool("rabbitmq-diagnostics", "-q", "ping", timeout=30).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def install() -> None:
    """Install rabbitmq-server with apt (needs root)."""
    if os.geteuid() != 0:
        raise RabbitMQError(
            "rabbitmq-server is not installed and this is not root; run "
            "`sudo apt-get update && sudo apt-get install -y rabbitmq-server`"
        )
    log.info("installing rabbitmq-server with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "rabbitmq-server"]):
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RabbitMQError(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")


def ensure() -> bool:
    """Make sure a broker runs on loopback; return True if this call started it."""
    if is_running():
        return False
    if _tool("rabbitmq-server") is None:
        install()
        if wait_until(is_running, timeout=15, interval=1.0):
            return False  # the package's init script started it; not ours to stop
    if port_is_open(AMQP_PORT):
        # Something is listening but not answering pings yet: a node still booting.
        if wait_until(is_running, timeout=START_TIMEOUT, interval=1.0):
            return False
        raise RabbitMQError(f"port {AMQP_PORT} is taken but rabbitmq-diagnostics ping fails")
    log.info("starting rabbitmq-server -detached")
    result = _run_tool("rabbitmq-server", "-detached")
    if result.returncode != 0:
        raise RabbitMQError(f"rabbitmq-server -detached failed:\n{result.stderr[-2000:]}")
    if not wait_until(is_running, timeout=START_TIMEOUT, interval=1.0):
        raise RabbitMQError(
            f"RabbitMQ did not accept AMQP on {LOOPBACK}:{AMQP_PORT} within {START_TIMEOUT:.0f} s;"
            " see /var/log/rabbitmq/"
        )
    return True


def stop() -> None:
    """Shut the local node down and wait until it is gone."""
    result = _run_tool("rabbitmqctl", "shutdown", timeout=120)
    if result.returncode != 0 and is_running():
        raise RabbitMQError(f"rabbitmqctl shutdown failed:\n{result.stderr[-2000:]}")


def create_vhost(name: str) -> None:
    """Create ``name`` (if absent) and give guest full permissions on it."""
    added = _run_tool("rabbitmqctl", "add_vhost", name)
    if added.returncode != 0 and "already exists" not in added.stderr + added.stdout:
        raise RabbitMQError(f"rabbitmqctl add_vhost {name} failed:\n{added.stderr}")
    granted = _run_tool("rabbitmqctl", "set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    if granted.returncode != 0:
        raise RabbitMQError(f"rabbitmqctl set_permissions -p {name} failed:\n{granted.stderr}")


def close_connections(vhost: str, reason: str = "closed by a test") -> None:
    """Close every client connection on ``vhost`` (as a broker restart would)."""
    if vhost in ("", "/"):
        raise RabbitMQError("refusing to close the default vhost's connections")
    result = _run_tool("rabbitmqctl", "close_all_connections", "-p", vhost, reason)
    if result.returncode != 0:
        raise RabbitMQError(
            f"rabbitmqctl close_all_connections -p {vhost} failed:\n{result.stderr}"
        )


def delete_vhost(name: str, missing_ok: bool = True) -> None:
    """Delete ``name`` with all its queues and exchanges."""
    if name in ("", "/"):
        raise RabbitMQError("refusing to delete the default vhost")
    result = _run_tool("rabbitmqctl", "delete_vhost", name)
    if result.returncode == 0:
        return
    output = result.stderr + result.stdout
    if missing_ok and ("not found" in output or "does not exist" in output):
        return
    raise RabbitMQError(f"rabbitmqctl delete_vhost {name} failed:\n{output}")
