"""Local infrastructure for development and tests: RabbitMQ and a MongoDB replica set.

    started = ensure_rabbitmq(), ensure_mongodb()   # each None if it was already running
    create_vhost("test-1a2b3c4d"); ...; delete_vhost("test-1a2b3c4d")
    drop_databases("t1a2b3c4d")

What this module starts is recorded in ``.local/run/<name>.json`` so that
``python -m samleng.devstack down`` can stop it later; anything that was already
running (for example a system RabbitMQ) is never recorded and never stopped.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from samleng.devstack import chromium, mongodb, processes, rabbitmq
from samleng.devstack.mongodb import drop_databases, mongo_url
from samleng.devstack.net import free_port
from samleng.devstack.paths import LocalPaths
from samleng.devstack.rabbitmq import amqp_url, close_connections, create_vhost, delete_vhost

__all__ = [
    "StartedProcess",
    "amqp_url",
    "close_connections",
    "create_vhost",
    "delete_vhost",
    "drop_databases",
    "ensure_infra",
    "ensure_mongodb",
    "ensure_rabbitmq",
    "free_port",
    "mongo_url",
    "recorded_infra",
]

log = logging.getLogger(__name__)

RABBITMQ = "rabbitmq"
MONGODB = "mongodb"


@dataclass(frozen=True)
class StartedProcess:
    """A piece of infrastructure that the dev stack started and may stop again."""

    name: str
    pid: int | None = None

    def stop(self, paths: LocalPaths | None = None) -> None:
        """Stop it and forget its record."""
        paths = paths or LocalPaths.default()
        if self.name == RABBITMQ:
            if rabbitmq.is_running():
                log.info("stopping RabbitMQ")
                rabbitmq.stop()
        elif self.pid is not None and "mongod" in processes.cmdline(self.pid):
            log.info("stopping mongod (pid %s)", self.pid)
            processes.terminate(self.pid, timeout=30.0)
        _record_path(paths, self.name).unlink(missing_ok=True)


def _record_path(paths: LocalPaths, name: str) -> Path:
    return paths.run / f"{name}.json"


def _record(paths: LocalPaths, started: StartedProcess) -> None:
    paths.run.mkdir(parents=True, exist_ok=True)
    _record_path(paths, started.name).write_text(json.dumps({"pid": started.pid}) + "\n")


def ensure_rabbitmq(paths: LocalPaths | None = None) -> StartedProcess | None:
    """Start RabbitMQ on 127.0.0.1:5672 unless it runs; return it if this call started it."""
    paths = paths or LocalPaths.default()
    if not rabbitmq.ensure():
        return None
    started = StartedProcess(RABBITMQ)
    _record(paths, started)
    return started


def ensure_mongodb(paths: LocalPaths | None = None) -> StartedProcess | None:
    """Start the ``rs0`` replica set on 127.0.0.1:27017 unless it runs; return it if started."""
    paths = paths or LocalPaths.default()
    pid = mongodb.ensure(paths)
    if pid is None:
        return None
    started = StartedProcess(MONGODB, pid)
    _record(paths, started)
    return started


def ensure_infra(paths: LocalPaths | None = None) -> list[StartedProcess]:
    """Ensure RabbitMQ, MongoDB (and Chromium for tests); return the servers this call started."""
    paths = paths or LocalPaths.default()
    chromium.ensure_chromium()  # the dashboard's browser test needs Debian's chromium
    started = [ensure_rabbitmq(paths), ensure_mongodb(paths)]
    return [process for process in started if process is not None]


def recorded_infra(paths: LocalPaths | None = None) -> list[StartedProcess]:
    """Return the infrastructure that earlier devstack commands started (from .local/run)."""
    paths = paths or LocalPaths.default()
    found = []
    for name in (RABBITMQ, MONGODB):
        path = _record_path(paths, name)
        if path.is_file():
            pid = json.loads(path.read_text()).get("pid")
            found.append(StartedProcess(name, int(pid) if pid is not None else None))
    return found
