"""One world of the fault suite: private infrastructure, the four services, and the load.

    with World(workdir, rabbit_nodes=3, mongo_members=1) as world:
        load = world.load(rate=4, seconds=10)          # steady load in the background
        world.rabbit.nodes[0].kill()                   # the fault
        load.wait()
        tally, seconds = world.converge(timeout=120)   # every complaint of every load so far

Kinds of world:

- ``rabbit_nodes=1, mongo_members=1``: one private node and a one-member replica set; the
  services connect to them directly;
- ``proxied=True``: the services reach RabbitMQ and MongoDB only through a
  :class:`~samleng.devstack.faults.proxy.TcpProxy` each (MongoDB with ``directConnection``);
- ``rabbit_nodes=3``: a cluster; the services connect through a proxy that picks the first
  node that accepts, as a load balancer in front of the cluster would;
- ``mongo_members=3``: a replica set; the services get the URL naming all three members.

The suite itself always reads the stores directly, never through a proxy. Leaving the
``with`` block stops the services and kills every private server, even on failure.
"""

from __future__ import annotations

import contextlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType

from samleng.devstack.faults.gateway import SmsGateway
from samleng.devstack.faults.load import SteadyLoad
from samleng.devstack.faults.mongo import MongoReplicaSet
from samleng.devstack.faults.proxy import TcpProxy
from samleng.devstack.faults.rabbit import RabbitCluster
from samleng.devstack.faults.system import FaultSystem, Tally
from samleng.devstack.net import LOOPBACK

VHOST = "samleng-faults"


class World:
    """Private RabbitMQ and MongoDB, a stand-in SMS gateway and the four services."""

    def __init__(
        self,
        workdir: Path,
        *,
        rabbit_nodes: int = 1,
        mongo_members: int = 1,
        proxied: bool = False,
        services: tuple[str, ...] = ("intake", "routing", "notification", "reporting"),
        overrides: dict[str, dict[str, object]] | None = None,
    ) -> None:
        self.workdir = workdir
        self.rabbit = RabbitCluster(workdir / "rabbit", size=rabbit_nodes)
        self.mongo = MongoReplicaSet(workdir / "mongo", members=mongo_members)
        self.proxied = proxied
        self.gateway = SmsGateway()
        self.amqp_proxy: TcpProxy | None = None
        self.mongo_proxy: TcpProxy | None = None
        self.system: FaultSystem | None = None
        self.loads: list[SteadyLoad] = []
        self.expected_dead_letters = 0
        self._services = services
        self._overrides = overrides
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> World:
        try:
            self._start()
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stack.close()

    def _start(self) -> None:
        # MongoDB first (seconds); then RabbitMQ boots while the services migrate (they
        # need only MongoDB), which halves the start of a world on a busy machine.
        stack = self._stack
        stack.enter_context(self.mongo)
        stack.callback(self.rabbit.close)
        self.gateway.start()
        stack.callback(self.gateway.close)
        amqp_url = self.rabbit.amqp_url(VHOST)
        mongo_url = self.mongo.url
        if self.proxied or len(self.rabbit.nodes) > 1:
            upstreams = [(LOOPBACK, node.port) for node in self.rabbit.nodes]
            self.amqp_proxy = TcpProxy(upstreams).start()
            stack.callback(self.amqp_proxy.close)
            amqp_url = f"amqp://guest:guest@{LOOPBACK}:{self.amqp_proxy.port}/{VHOST}"
        if self.proxied:
            self.mongo_proxy = TcpProxy([(LOOPBACK, self.mongo.ports[0])]).start()
            stack.callback(self.mongo_proxy.close)
            mongo_url = f"mongodb://{LOOPBACK}:{self.mongo_proxy.port}/?directConnection=true"
        system_dir = self.workdir / "system"
        system_dir.mkdir(parents=True, exist_ok=True)
        self.system = FaultSystem(
            system_dir,
            amqp_url,
            mongo_url,
            self.gateway,
            check_mongo_url=self.mongo.url,
            check_amqp_url=lambda: self.rabbit.amqp_url(
                VHOST, self.rabbit.nodes.index(self.rabbit.alive())
            ),
            overrides=self._overrides,
        )
        stack.callback(self.system.close)
        with ThreadPoolExecutor(2) as pool:
            broker = pool.submit(self.rabbit.start)
            migrated = pool.submit(self.system.migrate)
            broker.result()
            migrated.result()
        self.rabbit.add_vhost(VHOST)
        self.system.start(self._services)

    @property
    def services(self) -> FaultSystem:
        """The running system."""
        assert self.system is not None, "the world is not started"
        return self.system

    def load(self, rate: float, seconds: float, give_up_seconds: float = 180.0) -> SteadyLoad:
        """Start a steady load on intake; it counts in every later tally."""
        load = SteadyLoad(
            self.services.url("intake"), rate, seconds, give_up_seconds=give_up_seconds
        )
        self.loads.append(load)
        return load.start()

    def tally(self) -> Tally:
        """The tally of every load so far."""
        return self.services.tally(self.loads)

    def converge(self, timeout: float) -> tuple[Tally, float | None]:
        """Wait until every load so far went the whole way (see FaultSystem.converge)."""
        return self.services.converge(self.loads, timeout, self.expected_dead_letters)
