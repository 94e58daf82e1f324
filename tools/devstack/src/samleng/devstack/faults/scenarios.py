"""The scenarios of the fault suite (issue #20): each injects one fault under steady load
and returns a :class:`Row` of the results table.

    row = kill_each_service_once(world, options)
    row.passed, row.notes

A scenario runs in a :class:`~samleng.devstack.faults.world.World` of the kind its entry in
:data:`SCENARIOS` names; scenarios of the ``shared`` kind run one after another in one world
(each checks every complaint submitted there so far). Sizes come from :class:`Options`.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from samleng.common.topology import CONSUMERS
from samleng.devstack.faults import amqp
from samleng.devstack.faults.system import dead_letters
from samleng.devstack.faults.world import World

#: Scenarios that found a bug in the services, and the bug. Their tests are xfail(strict)
#: and ``make faults`` expects them to fail, so a fix shows up as an unexpected pass.
KNOWN_BUGS: dict[str, str] = {}


@dataclass(frozen=True)
class Options:
    """Sizes of the scenarios: small by default, so the suite fits a shared laptop."""

    rate: float = 4.0
    seconds: float = 10.0
    mongo_outage: float = 15.0
    stall_seconds: float = 40.0
    kill_loop: int = 6
    crashes: int = 10
    prefetch: int = 16
    settle: float = 120.0


@dataclass
class Row:
    """One line of the results table."""

    scenario: str
    load: str
    accepted: int = 0
    assigned: int = 0
    counted: int = 0
    duplicates: int = 0
    recovery: float | None = None
    passed: bool = False
    notes: list[str] = field(default_factory=list)
    key: str = ""

    @property
    def expected(self) -> bool:
        """True when the result is what the suite expects: a pass, or a known bug failing."""
        return self.passed != (self.key in KNOWN_BUGS)


def measure(world: World, name: str, load_text: str, healed_at: float, options: Options) -> Row:
    """Wait until the world converges (or ``settle`` passes) and fill the row."""
    tally, _ = world.converge(options.settle)
    healthy = tally.healthy(world.expected_dead_letters)
    recovery = time.monotonic() - healed_at if healthy else None
    row = Row(
        name,
        load_text,
        tally.accepted,
        tally.assigned,
        tally.counted,
        tally.duplicates,
        recovery,
        healthy,
        tally.problems(world.expected_dead_letters),
    )
    if tally.sms_resent:
        row.notes.append(f"{tally.sms_resent} SMS retried with the same key")
    return row


def _load_text(world: World) -> str:
    return world.loads[-1].describe()


def kill_each_service_once(world: World, options: Options) -> Row:
    """kill -9 each service in turn during the load, restarting it after a second."""
    load = world.load(options.rate, options.seconds)
    for name in ("intake", "routing", "notification", "reporting"):
        time.sleep(options.seconds / 6)
        world.services.kill(name)
        time.sleep(1.0)
        world.services.restart(name)
    healed = time.monotonic()
    load.wait()
    return measure(world, "kill -9 each service once", _load_text(world), healed, options)


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
    row = measure(world, "kill -9 services in a loop", _load_text(world), healed, options)
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
    return measure(world, "kill -9 the broker, restart it", _load_text(world), healed, options)


def close_connections(world: World, options: Options) -> Row:
    """Close every AMQP connection twice during the load (rabbitmqctl close_all_connections)."""
    load = world.load(options.rate, options.seconds)
    closed = 0
    for _ in range(2):
        time.sleep(options.seconds / 3)
        closed += world.rabbit.close_all_connections()
    healed = time.monotonic()
    load.wait()
    row = measure(world, "broker closes all connections", _load_text(world), healed, options)
    row.notes.append(f"{closed} connections closed")
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
    row = measure(world, f"MongoDB down {outage:.0f} s", _load_text(world), healed, options)
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
    row = measure(world, name, _load_text(world), healed, options)
    row.notes.append(f"readiness while stalled: {readiness}")
    return row


def _readiness_during(world: World, seconds: float) -> str:
    """Poll every service's /readyz for ``seconds``; say when each first answered non-200."""
    import httpx

    started = time.monotonic()
    first_down: dict[str, float] = {}
    with httpx.Client(timeout=3.0) as client:
        while time.monotonic() - started < seconds:
            for name in world.services.running:
                if name in first_down:
                    continue
                try:
                    status = client.get(f"{world.services.url(name)}/readyz").status_code
                except httpx.HTTPError:
                    status = 0
                if status != 200:
                    first_down[name] = time.monotonic() - started
            time.sleep(1.0)
    said = {name: f"down after {after:.0f} s" for name, after in first_down.items()}
    return ", ".join(f"{name} {said.get(name, 'stayed 200')}" for name in world.services.running)


def rabbit_node_killed(world: World, options: Options) -> Row:
    """Three-node cluster: kill -9 the node the services and the queue leaders are on."""
    leaders_before = _leaders(world)
    load = world.load(options.rate, options.seconds)
    time.sleep(options.seconds / 3)
    world.rabbit.nodes[0].kill()
    world.rabbit.wait_queues_available("samleng-faults")
    healed = time.monotonic()
    load.wait()
    row = measure(
        world, "3-node RabbitMQ cluster, one node killed", _load_text(world), healed, options
    )
    row.notes.append(f"leaders before: {leaders_before}; after: {_leaders(world)}")
    return row


def _leaders(world: World) -> str:
    try:
        queues = world.rabbit.queues("samleng-faults")
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
        world, "3-member MongoDB replica set, primary killed", _load_text(world), healed, options
    )
    row.notes.append(f"new primary elected in {election:.1f} s")
    return row


def poison_messages(world: World, options: Options) -> Row:
    """Bad JSON, a wrong schema and an unknown version, published among healthy events."""
    url = world.services.check_amqp_url()
    amqp.capture(url)
    load = world.load(options.rate, options.seconds / 2)
    time.sleep(options.seconds / 4)
    event = {
        "event_id": str(uuid.uuid4()),
        "type": "complaint.submitted",
        "occurred_at": "2026-01-01T00:00:00Z",
        "complaint_id": "poison-1",
        "sequence": 1,
        "correlation_id": "fault-suite",
        "producer": "fault-suite",
    }
    poison = [
        b"{this is not json",
        json.dumps({**event, "version": 1, "data": {"unexpected": True}}).encode(),
        json.dumps({**event, "event_id": str(uuid.uuid4()), "version": 99}).encode(),
    ]
    key = "complaint.submitted.v1"
    bound = sum(key in consumer.bindings for consumer in CONSUMERS.values())
    sent = [amqp.Captured(key, body, {}, f"poison-{uuid.uuid4()}") for body in poison]
    amqp.publish_raw(url, sent)
    world.expected_dead_letters += len(poison) * bound
    healed = time.monotonic()
    load.wait()
    row = measure(
        world, "poison: bad JSON, wrong schema, unknown version", _load_text(world), healed, options
    )
    healthy_ids = {c.message_id for c in amqp.drain_capture(url)} - {p.message_id for p in sent}
    found = asyncio.run(dead_letters(url))
    without_reason = [d for d in found if not d["reason"]]
    healthy = [d for d in found if d["message_id"] in healthy_ids]
    reasons = sorted({d["reason"].split(":")[0][:60] for d in found})
    row.notes.append(
        f"{len(found)} dead letters, {len(without_reason)} without a reason, "
        f"{len(healthy)} healthy; reasons: {reasons}"
    )
    if without_reason or healthy:
        row.passed = False
    return row


def duplicate_deliveries(world: World, options: Options) -> Row:
    """Publish every event of a load twice more, as a redelivering broker or relay would."""
    url = world.services.check_amqp_url()
    amqp.capture(url)
    load = world.load(options.rate, options.seconds / 2)
    load.wait()
    first, _ = world.converge(options.settle)
    captured = amqp.drain_capture(url)
    amqp.publish_raw(url, captured + captured)
    healed = time.monotonic()
    time.sleep(5.0)  # let the copies be consumed before the tally
    row = measure(
        world, "duplicate deliveries (every event twice more)", _load_text(world), healed, options
    )
    row.notes.append(f"{len(captured)} events republished twice")
    after = world.tally()
    if (after.assigned, after.counted) != (first.assigned, first.counted):
        row.passed = False
        row.notes.append(f"changed: {first} -> {after}")
    return row


def crash_loop_delivery_limit(world: World, options: Options) -> Row:
    """Issue item 9: a consumer killed while holding messages, ``crashes`` times in a row.

    Routing is not started, so the submissions wait in its queue; a consumer with the
    services' prefetch takes them and is killed (-9), again and again; then routing starts
    and must assign every one, with nothing dead-lettered. The same crash loop on a queue
    with delivery limit 5 shows what a smaller limit would have lost.
    """
    url = world.services.check_amqp_url()
    queue = CONSUMERS["routing"]
    load = world.load(options.rate * 2, options.seconds / 2)
    load.wait()
    small = "fault-suite.limit-5"
    amqp.declare_limited_queue(url, small, 5)
    amqp.publish_raw(
        url,
        [amqp.Captured(small, b"{}", {}, str(i)) for i in range(options.prefetch)],
        exchange="",
    )
    seen, seen_small = [], []
    for _ in range(options.crashes):
        seen.append(max(amqp.crash_consumer(url, queue.name, options.prefetch), default=0))
        seen_small.append(max(amqp.crash_consumer(url, small, options.prefetch), default=-1))
    lost_small = amqp.queue_depth(url, f"{small}.dlq")
    healed = time.monotonic()
    world.services.spawn("routing").wait_ready(60)
    name = (
        f"crash loop: {options.crashes} kills holding {options.prefetch} "
        f"(limit {queue.delivery_limit})"
    )
    row = measure(world, name, _load_text(world), healed, options)
    row.notes.append(
        f"x-delivery-count seen at each crash: {seen}; with limit 5: {seen_small}, "
        f"{lost_small} of {options.prefetch} dead-lettered"
    )
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
    Scenario("proxy", "proxied", proxy_cuts_and_stalls),
    Scenario("rabbit-cluster", "cluster", rabbit_node_killed),
    Scenario("mongo-replica-set", "replica-set", mongo_primary_killed),
    Scenario("crash-loop", "crash-loop", crash_loop_delivery_limit),
)
