"""The local infrastructure really works: vhosts come and go, MongoDB runs transactions."""

from __future__ import annotations

import concurrent.futures
import socket
import subprocess
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from pymongo import MongoClient

from samleng.devstack import infra, rabbitmq
from samleng.devstack.net import port_is_open

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def ensured() -> None:
    infra.ensure_infra()


def _vhosts() -> list[str]:
    listed = subprocess.run(
        ["rabbitmqctl", "-q", "list_vhosts", "name"],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
    )
    return listed.stdout.split()


def test_vhost_is_created_and_deleted(ensured: None) -> None:
    name = f"devstack-{uuid.uuid4().hex[:8]}"
    infra.create_vhost(name)
    try:
        assert name in _vhosts()
        infra.create_vhost(name)  # idempotent
    finally:
        infra.delete_vhost(name)
    assert name not in _vhosts()
    infra.delete_vhost(name)  # deleting twice is fine


def test_default_vhost_is_never_deleted() -> None:
    with pytest.raises(rabbitmq.RabbitMQError):
        infra.delete_vhost("/")


def test_amqp_port_is_open(ensured: None) -> None:
    assert port_is_open(rabbitmq.AMQP_PORT)


@pytest.fixture
def mongo(ensured: None) -> Iterator[MongoClient[dict[str, Any]]]:
    client: MongoClient[dict[str, Any]]
    with MongoClient(infra.mongo_url(), serverSelectionTimeoutMS=10_000) as client:
        yield client


def test_mongodb_is_primary_of_a_replica_set(mongo: MongoClient[dict[str, Any]]) -> None:
    hello = mongo.admin.command("hello")
    assert hello["setName"] == "rs0"
    assert hello["isWritablePrimary"] is True


def test_mongodb_commits_and_aborts_transactions(mongo: MongoClient[dict[str, Any]]) -> None:
    prefix = f"devstack{uuid.uuid4().hex[:8]}"
    collection = mongo[f"{prefix}_tx"]["cases"]
    collection.insert_one({"_id": "seed"})
    try:
        with mongo.start_session() as session, session.start_transaction():
            collection.insert_one({"_id": "committed"}, session=session)
        with (
            pytest.raises(RuntimeError),
            mongo.start_session() as session,
            session.start_transaction(),
        ):
            collection.insert_one({"_id": "aborted"}, session=session)
            raise RuntimeError("abort")
        assert sorted(doc["_id"] for doc in collection.find()) == ["committed", "seed"]
    finally:
        assert infra.drop_databases(prefix) == [f"{prefix}_tx"]
    assert f"{prefix}_tx" not in mongo.list_database_names()


def test_mongodb_change_streams_see_inserts(mongo: MongoClient[dict[str, Any]]) -> None:
    prefix = f"devstack{uuid.uuid4().hex[:8]}"
    collection = mongo[f"{prefix}_cs"]["events"]
    try:
        with collection.watch(max_await_time_ms=500) as stream:
            writer = threading.Timer(0.2, collection.insert_one, args=({"_id": "e1"},))
            writer.start()
            change = None
            for _ in range(20):
                change = stream.try_next()
                if change is not None:
                    break
            writer.join()
        assert change is not None
        assert change["documentKey"] == {"_id": "e1"}
    finally:
        infra.drop_databases(prefix)


def test_free_port_is_bindable() -> None:
    port = infra.free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_free_ports_handed_out_at_once_are_never_the_same() -> None:
    # threads starting services side by side; the OS alone may give a closed port again
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        ports = list(pool.map(lambda _: infra.free_port(), range(400)))
    assert len(set(ports)) == len(ports)
