"""Message-level scenarios: poison, duplicate deliveries, and a consumer that keeps crashing
while it holds messages (issue #20, item 9).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid

from samleng.common.topology import CONSUMERS
from samleng.devstack.faults import amqp
from samleng.devstack.faults.outcome import Options, Row, load_text, measure
from samleng.devstack.faults.system import dead_letters
from samleng.devstack.faults.world import World


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
        world, "poison: bad JSON, wrong schema, unknown version", load_text(world), healed, options
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
    time.sleep(3.0)  # let the copies be consumed before the tally
    row = measure(
        world, "duplicate deliveries (every event twice more)", load_text(world), healed, options
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
    row = measure(world, name, load_text(world), healed, options)
    row.notes.append(
        f"x-delivery-count seen at each crash: {seen}; with limit 5: {seen_small}, "
        f"{lost_small} of {options.prefetch} dead-lettered"
    )
    return row
