"""The one outbox relay on real MongoDB and RabbitMQ: batches in order per complaint,
two relays never publish one entry twice at once, a failed publish backs off instead of
spinning, and a relay that stops releases its claims at once."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from samleng.common.broker import EventPublisher, PublishFailed
from samleng.common.events import Event
from samleng.common.outbox import Outbox, OutboxRelay
from tests.support import EventFactory

pytestmark = pytest.mark.integration


class _RecordingPublisher(EventPublisher):
    """Records what it is asked to publish; fails while ``failing`` is set."""

    def __init__(self, *, delay: float = 0.0) -> None:
        self.published: list[Event] = []
        self.calls = 0
        self.failing = False
        self._delay = delay

    async def publish(self, event: Event, *, headers: dict[str, Any] | None = None) -> None:
        self.calls += 1
        await asyncio.sleep(self._delay)
        if self.failing:
            raise PublishFailed("broker down (test)")
        self.published.append(event)


@pytest.fixture
async def outbox(stack: Any) -> Any:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        stack.env_for("intake")["SAMLENG_MONGO_URL"], tz_aware=True
    )
    db = client[f"{stack.db_prefix}_outbox_{datetime.now(UTC).timestamp():.0f}"]
    box = Outbox(db)
    await box.create_indexes()
    yield box
    await client.drop_database(db.name)
    await client.close()


def _history(events: EventFactory, complaints: int, steps: int) -> list[Event]:
    stored: list[Event] = []
    for _ in range(complaints):
        event: Event = events.submitted()
        stored.append(event)
        for _ in range(steps - 1):
            event = events.assigned(event)
            stored.append(event)
    return stored


async def test_every_entry_is_published_once_in_order_within_its_complaint(
    outbox: Outbox, events: EventFactory
) -> None:
    stored = _history(events, complaints=30, steps=4)
    await outbox.add(stored, session=None)
    first, second = _RecordingPublisher(delay=0.001), _RecordingPublisher(delay=0.001)
    relays = [OutboxRelay(outbox, p, batch_size=25) for p in (first, second)]
    counts = await asyncio.gather(*(r.publish_pending() for r in relays))
    published = first.published + second.published
    assert sum(counts) == len(stored) == len(published)
    assert sorted(str(e.event_id) for e in published) == sorted(str(e.event_id) for e in stored)
    for publisher in (first, second):
        by_complaint: dict[str, list[int]] = {}
        for event in publisher.published:
            by_complaint.setdefault(event.complaint_id, []).append(event.sequence)
        assert all(seq == sorted(seq) for seq in by_complaint.values())
    assert await outbox.pending() == 0


async def test_a_failed_publish_waits_before_the_next_try(
    outbox: Outbox, events: EventFactory
) -> None:
    await outbox.add([events.submitted()], session=None)
    publisher = _RecordingPublisher()
    publisher.failing = True
    relay = OutboxRelay(outbox, publisher, poll_seconds=0.01)
    task = asyncio.create_task(relay.run())
    await asyncio.sleep(1.5)
    task.cancel()  # the broker is still down: the stopping relay's last try fails too
    with contextlib.suppress(asyncio.CancelledError):
        await task
    # without a back-off a 10 ms poll would have tried about 150 times
    assert 1 <= publisher.calls <= 5
    [entry] = await outbox.collection.find().to_list()
    assert entry["published_at"] is None and entry["attempts"] >= 1
    assert entry["due_at"] is not None


async def test_a_stopped_relay_releases_its_claims_at_once(
    outbox: Outbox, events: EventFactory
) -> None:
    await outbox.add([events.submitted()], session=None)
    blocked = asyncio.Event()

    class _Stuck(_RecordingPublisher):
        async def publish(self, event: Event, *, headers: dict[str, Any] | None = None) -> None:
            blocked.set()
            await asyncio.sleep(3600)

    relay = OutboxRelay(outbox, _Stuck())
    task = asyncio.create_task(relay.run())
    await asyncio.wait_for(blocked.wait(), timeout=10)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    [entry] = await outbox.collection.find().to_list()
    assert entry["claimed_until"] is None  # another relay may take it now, not in 30 s
    other = _RecordingPublisher()
    assert await OutboxRelay(outbox, other).publish_pending() == 1
