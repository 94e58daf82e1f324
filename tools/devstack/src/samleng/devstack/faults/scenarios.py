"""The scenarios of the fault suite (issue #20): each injects one fault under steady load
and returns a :class:`~samleng.devstack.faults.outcome.Row` of the results table.

    row = kill_each_service_once(world, options)
    row.passed, row.notes

A scenario runs in a :class:`~samleng.devstack.faults.world.World` of the kind its entry in
:data:`SCENARIOS` names; scenarios of the ``shared`` kind run one after another in one world
(each checks every complaint submitted there so far). Sizes come from
:class:`~samleng.devstack.faults.outcome.Options`; poison, duplicates and the crash loop
are in :mod:`~samleng.devstack.faults.deliveries`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

from samleng.devstack.faults import amqp
from samleng.devstack.faults.deliveries import (
    crash_loop_delivery_limit,
    duplicate_deliveries,
    poison_messages,
)
from samleng.devstack.faults.outcome import KNOWN_BUGS, Options, Row, load_text, measure
from samleng.devstack.faults.world import VHOST, World

__all__ = ["KNOWN_BUGS", "SCENARIOS", "Options", "Row", "Scenario"]


def kill_each_service_once(world: World, options: Options) -> Row:
    """kill -9 each service in turn during the load, starting it again a second later."""
    load = world.load(options.rate, options.seconds)
    names = ("intake", "routing", "notification", "reporting")
    for name in names:
        time.sleep(options.seconds / 6)
        world.services.kill(name)
        time.sleep(1.0)
        world.services.spawn(name)  # readiness is awaited below, for all four together
    for name in names:
        world.services.running[name].wait_ready(60)
    healed = time.monotonic()
    load.wait()
    return measure(world, "kill -9 each service once", load_text(world), healed, options)


def kill_services_in_a_loop(world: World, options: Options) -> Row:
    """kill -9 services one after another, ``kill_loop`` times, with no pause between."""
    load = world.load(options.rate, options.seconds * 2)
    cycle = ("routing", "notification", "reporting", "intake")
    for turn in range(options.kill_loop):
        name = cycle[turn % len(cycle)]
        world.services.kill(name)
        world.services.restart(name)
    healed = time.monotonic()
    load.wait()
    row = measure(world, "kill -9 services in a loop", load_text(world), healed, options)
    row.notes.append(f"{options.kill_loop} kills")
    return row


def kill_broker(world: World, options: Options) -> Row:
    """kill -9 the RabbitMQ node during the load, restart it on the same data 5 s later."""
    load = world.load(options.rate, options.seconds)
    time.sleep(options.seconds / 3)
    node = world.rabbit.nodes[0]
    node.kill()
    time.sleep(5.0)
    node.start()
    healed = time.monotonic()
    load.wait()
    return measure(world, "kill -9 the broker, restart it", load_text(world), healed, options)


def close_connections(world: World, options: Options) -> Row:
    """Close every AMQP connection twice during the load (rabbitmqctl close_all_connections)."""
    load = world.load(options.rate, options.seconds)
    closed = 0
    for _ in range(2):
        time.sleep(options.seconds / 3)
        closed += world.rabbit.close_all_connections()
    healed = time.monotonic()
    load.wait()
    row = measure(world, "broker closes all connections", load_text(world), healed, options)
    row.notes.append(f"{closed} connections closed")
    return row


def notification_killed_mid_send(world: World, options: Options) -> Row:
    """kill -9 notification while the SMS gateway has taken an SMS but not answered yet."""
    world.services.gateway.hold()
    try:
        load = world.load(options.rate, options.seconds / 2)
        started = time.monotonic()
        while world.services.gateway.in_flight == 0 and time.monotonic() - started < 60:
            time.sleep(0.05)
        in_flight = world.services.gateway.in_flight
        world.services.kill("notification")
    finally:
        world.services.gateway.answer()
    world.services.restart("notification")
    healed = time.monotonic()
    load.wait()
    row = measure(world, "kill -9 notification mid-send", load_text(world), healed, options)
    row.notes.append(f"{in_flight} SMS taken by the gateway, unanswered, at the kill")
    return row


def mongo_down(world: World, options: Options) -> Row:
    """kill -9 mongod with messages in flight; bring it back after ``mongo_outage`` s."""
    outage = options.mongo_outage
    load = world.load(options.rate, options.seconds, give_up_seconds=outage + 180)
    time.sleep(options.seconds / 2)
    world.mongo.kill(0)
    time.sleep(outage)
    world.mongo.start_member(0)
    healed = time.monotonic()
    load.wait()
    row = measure(world, f"MongoDB down {outage:.0f} s", load_text(world), healed, options)
    row.notes.append(f"{sum(load.retries for load in world.loads[-1:])} submissions retried")
    return row


def proxy_cuts_and_stalls(world: World, options: Options) -> Row:
    """Reset every link twice, then stall every link for ``stall_seconds`` (no byte moves)."""
    assert world.amqp_proxy is not None and world.mongo_proxy is not None
    proxies = (world.amqp_proxy, world.mongo_proxy)
    load = world.load(options.rate, options.seconds + options.stall_seconds)
    for _ in range(2):
        time.sleep(options.seconds / 4)
        for proxy in proxies:
            proxy.cut()
    time.sleep(options.seconds / 4)
    for proxy in proxies:
        proxy.stall()
    readiness = _readiness_during(world, options.stall_seconds)
    for proxy in proxies:
        proxy.resume()
        proxy.cut()  # what was stalled is dead to its peer anyway
    healed = time.monotonic()
    load.wait()
    name = f"proxy cuts every link twice, stalls {options.stall_seconds:.0f} s"
    row = measure(world, name, load_text(world), healed, options)
    row.notes.append(f"readiness while stalled: {readiness}")
    return row


def _readiness_during(world: World, seconds: float) -> str:
    """Poll every service's /readyz each second for ``seconds``, side by side; say when
    each first answered anything but 200 (a hung probe counts as down after 3 s)."""
    started = time.monotonic()
    names = list(world.services.running)
    first_down: dict[str, float] = {}

    def probe(name: str) -> None:
        try:
            status = httpx.get(f"{world.services.url(name)}/readyz", timeout=3.0).status_code
        except httpx.HTTPError:
            status = 0
        if status != 200 and name not in first_down:
            first_down[name] = time.monotonic() - started

    with ThreadPoolExecutor(len(names)) as pool:
        while time.monotonic() - started < seconds:
            list(pool.map(probe, [n for n in names if n not in first_down]))
            time.sleep(1.0)
    said = {name: f"down after {after:.0f} s" for name, after in first_down.items()}
    return ", ".join(f"{name} {said.get(name, 'stayed 200')}" for name in names)


def rabbit_node_killed(world: World, options: Options) -> Row:
    """Three-node cluster: kill -9 the node the services and the queue leaders are on.

    Beside the services, a probe opens a channel on a surviving node 50 ms after the kill
    and publishes on it, then on a fresh channel: RabbitMQ 3.10 may nack every publish of
    a channel opened while the dead node's queues re-elect their leaders.
    """
    amqp.declare_probe(world.rabbit.amqp_url(VHOST, 0))
    leaders_before = _leaders(world)
    load = world.load(options.rate, options.seconds)
    time.sleep(options.seconds / 3)
    during, after = amqp.publish_across(world.rabbit.amqp_url(VHOST, 1), world.rabbit.nodes[0].kill)
    world.rabbit.wait_queues_available(VHOST)
    healed = time.monotonic()
    load.wait()
    name = "3-node RabbitMQ cluster, one node killed"
    row = measure(world, name, load_text(world), healed, options)
    row.notes.append(f"leaders before: {leaders_before}; after: {_leaders(world)}")
    row.notes.append(
        f"probe: a channel opened 50 ms after the kill got {during} of 10 publishes acked, "
        f"a fresh one then {after} of 10"
    )
    if not row.passed:
        row.notes.append(_after_restarting(world, "intake", options))
    return row


def _after_restarting(world: World, name: str, options: Options) -> str:
    """Restart ``name`` gracefully and say whether the system then converges (a diagnosis:
    a fresh connection and channel clear what a stuck one held back)."""
    world.services.running[name].stop()
    world.services.restart(name)
    tally, seconds = world.converge(options.settle)
    if seconds is not None:
        return f"after restarting {name}, everything arrived within {seconds:.0f} s"
    return f"after restarting {name}, still: {'; '.join(tally.problems())}"


def _leaders(world: World) -> str:
    try:
        queues = world.rabbit.queues(VHOST)
    except Exception as error:  # the table says why, the suite goes on
        return f"unknown ({type(error).__name__})"
    leaders = sorted({str(q.get("leader", "?")).split("@")[0][-1:] for q in queues.values()})
    return "node " + "/".join(leaders)


def mongo_primary_killed(world: World, options: Options) -> Row:
    """Three-member replica set: kill -9 the primary during the load, restart it 10 s later."""
    load = world.load(options.rate, options.seconds)
    time.sleep(options.seconds / 3)
    old = world.mongo.primary()
    assert old is not None
    world.mongo.kill(old)
    killed = time.monotonic()
    while world.mongo.primary() is None and time.monotonic() - killed < 60:
        time.sleep(0.5)
    election = time.monotonic() - killed
    time.sleep(max(0.0, 10.0 - election))
    world.mongo.start_member(old)
    healed = killed + election
    load.wait()
    row = measure(
        world, "3-member MongoDB replica set, primary killed", load_text(world), healed, options
    )
    row.notes.append(f"new primary elected in {election:.1f} s")
    return row


@dataclass(frozen=True)
class Scenario:
    """A scenario and the kind of world it needs."""

    key: str
    world: str  # shared | proxied | cluster | replica-set | crash-loop
    run: Callable[[World, Options], Row]


SCENARIOS = (
    Scenario("kill-once", "shared", kill_each_service_once),
    Scenario("kill-loop", "shared", kill_services_in_a_loop),
    Scenario("broker-kill", "shared", kill_broker),
    Scenario("close-connections", "shared", close_connections),
    Scenario("mongo-down", "shared", mongo_down),
    Scenario("duplicates", "shared", duplicate_deliveries),
    Scenario("poison", "shared", poison_messages),
    Scenario("notification-mid-send", "shared", notification_killed_mid_send),
    Scenario("proxy", "proxied", proxy_cuts_and_stalls),
    Scenario("rabbit-cluster", "cluster", rabbit_node_killed),
    Scenario("mongo-replica-set", "replica-set", mongo_primary_killed),
    Scenario("crash-loop", "crash-loop", crash_loop_delivery_limit),
)
