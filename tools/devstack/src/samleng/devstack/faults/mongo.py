"""A private MongoDB replica set on loopback for the fault suite: one member or three.

    with MongoReplicaSet(workdir, members=3) as replica_set:
        replica_set.url                       # mongodb://127.0.0.1:p1,p2,p3/?replicaSet=...
        old = replica_set.primary()           # index of the current primary
        replica_set.kill(old)                 # kill -9 that mongod
        replica_set.start_member(old)         # back on the same data; rejoins as secondary

The ``mongod`` is the one the dev stack downloaded (``samleng.devstack.mongodb``), run on
free ports with data in ``workdir``, so the shared ``rs0`` on 27017 is never touched.
Leaving the ``with`` block kills every member, even on failure.
"""

from __future__ import annotations

import contextlib
import secrets
import subprocess
from pathlib import Path
from typing import Any

from pymongo import MongoClient
from pymongo.errors import OperationFailure, PyMongoError

from samleng.devstack import mongodb
from samleng.devstack.faults.lifecycle import Started
from samleng.devstack.net import LOOPBACK, free_port, port_is_open, wait_until
from samleng.devstack.paths import LocalPaths

START_TIMEOUT = 90.0


class MongoFaultError(RuntimeError):
    """A private mongod did not start or the set elected no primary."""


class MongoReplicaSet(Started):
    """``members`` private mongods forming one replica set."""

    def __init__(self, workdir: Path, members: int = 1) -> None:
        self.name = f"rsfault{secrets.token_hex(3)}"
        self.workdir = workdir
        self.binary = mongodb.ensure_binary(LocalPaths.default())
        self.ports = [free_port() for _ in range(members)]
        self._processes: list[subprocess.Popen[bytes] | None] = [None] * members

    @property
    def url(self) -> str:
        """The replica-set URL the services use."""
        hosts = ",".join(f"{LOOPBACK}:{port}" for port in self.ports)
        return f"mongodb://{hosts}/?replicaSet={self.name}"

    def start(self) -> None:
        """Start every member, initiate the set and wait for a primary."""
        for index in range(len(self.ports)):
            self.start_member(index)
        config = {
            "_id": self.name,
            "members": [
                {"_id": i, "host": f"{LOOPBACK}:{port}"} for i, port in enumerate(self.ports)
            ],
        }
        with self._direct(0) as client:
            try:
                client.admin.command("replSetInitiate", config)
            except OperationFailure as error:
                if error.code != 23:  # AlreadyInitialized
                    raise
        if not wait_until(lambda: self.primary() is not None, START_TIMEOUT, 0.5):
            raise MongoFaultError(f"{self.name} elected no primary in {START_TIMEOUT:.0f} s")

    def start_member(self, index: int) -> None:
        """Start member ``index`` (again) on its data directory."""
        data = self.workdir / f"member-{index}"
        data.mkdir(parents=True, exist_ok=True)
        port = self.ports[index]
        self._processes[index] = subprocess.Popen(
            [
                str(self.binary),
                "--replSet", self.name,
                "--bind_ip", LOOPBACK,
                "--port", str(port),
                "--dbpath", str(data),
                "--logpath", str(data / "mongod.log"),
                "--logappend",
                "--oplogSize", "64",
                "--wiredTigerCacheSizeGB", "0.25",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        if not wait_until(lambda: port_is_open(port), START_TIMEOUT, 0.2):
            raise MongoFaultError(f"mongod on {port} did not listen; see {data}/mongod.log")

    def kill(self, index: int) -> None:
        """kill -9 member ``index``."""
        process = self._processes[index]
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(10)
        self._processes[index] = None

    def is_running(self, index: int) -> bool:
        """True while member ``index`` runs."""
        process = self._processes[index]
        return process is not None and process.poll() is None

    def close(self) -> None:
        """Kill every member (our children only)."""
        for index in range(len(self.ports)):
            self.kill(index)

    def _direct(self, index: int) -> MongoClient[dict[str, Any]]:
        return MongoClient(
            LOOPBACK,
            self.ports[index],
            directConnection=True,
            serverSelectionTimeoutMS=2000,
            connectTimeoutMS=2000,
        )

    def primary(self) -> int | None:
        """Index of the member that is the writable primary now (None during an election)."""
        for index in range(len(self.ports)):
            if not self.is_running(index):
                continue
            with contextlib.suppress(PyMongoError), self._direct(index) as client:
                if client.admin.command("hello").get("isWritablePrimary"):
                    return index
        return None

    def client(self) -> MongoClient[dict[str, Any]]:
        """A client of the whole set (for the suite's own reads)."""
        return MongoClient(self.url, serverSelectionTimeoutMS=5000)
