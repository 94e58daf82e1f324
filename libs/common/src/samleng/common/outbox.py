"""The one transactional outbox: events stored with the state they announce, then relayed.

A service that publishes writes its state change and the events announcing it in one
MongoDB transaction (``outbox.add(events, session=s)``); nothing is published inside the
transaction. The :class:`OutboxRelay` then moves stored events to the broker::

    outbox = Outbox(db)                          # collection "outbox"
    async with db.client.start_session() as s:
        await s.with_transaction(lambda s: write_case_and(outbox.add([event], session=s)))
    relay = OutboxRelay(outbox, publisher)       # a background task of the service
    relay.wake()                                 # something new is waiting

A writer that gathers several callers' events into one transaction (a group commit) makes
each entry in its caller's own context (``outbox_entry(event)``, so each keeps its trace)
and stores them together with ``outbox.store(entries, session=s)``.

A woken relay first waits a moment (``GATHER_SECONDS``) for the other writes of that
moment. It claims a batch of entries under a lease (so replicas never publish one entry at
the same time), publishes them with publisher confirms, the entries of one complaint in
their order and different complaints side by side, and marks the confirmed ones
published in one write. A failed publish leaves the entry unpublished and due again
after a back-off with jitter; a crash leaves it leased until the lease runs out, and a
relay that stops cleanly first publishes what is stored (for a few seconds at most),
then releases its claims at once. Delivery is at least once; every
consumer dedupes by ``event_id``.

Published entries expire after a day (they may carry the reporter's self-declared
attributes for statistics); unpublished ones are never dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from samleng.common.broker import EventPublisher
from samleng.common.events import Event, parse_event
from samleng.common.telemetry import trace_headers

log = logging.getLogger(__name__)

Document = dict[str, Any]

LEASE = timedelta(seconds=30)
PUBLISHED_KEPT_SECONDS = 24 * 3600
BATCH_SIZE = 200
#: Back-off of an entry whose publish failed: first retry, then doubling, at most this.
FIRST_RETRY = timedelta(seconds=0.5)
LONGEST_RETRY = timedelta(seconds=30)
#: How long a stopping relay keeps publishing what is already stored.
DRAIN_SECONDS = 5.0
#: How long a woken relay lets other writes of the moment land before it claims: under
#: load one claim (a read and two writes) then covers many entries, not one each.
GATHER_SECONDS = 0.01


def outbox_entry(event: Event) -> Document:
    """An outbox entry: the event as it will go on the wire, not yet published."""
    return {
        "_id": str(event.event_id),
        "routing_key": event.routing_key,
        "complaint_id": event.complaint_id,
        "sequence": event.sequence,
        "body": event.model_dump(mode="json"),
        # The writer's trace context, so the relay's publish joins the writer's trace.
        "trace": trace_headers(),
        "created_at": event.occurred_at,
        "published_at": None,
        "claimed_until": None,
        "due_at": None,
        "attempts": 0,
    }


def retry_delay(attempts: int) -> timedelta:
    """How long an entry waits after its ``attempts``-th failed publish (with jitter)."""
    base = min(LONGEST_RETRY, FIRST_RETRY * 2 ** max(0, attempts - 1))
    return base * random.uniform(0.5, 1.0)  # noqa: S311 (jitter, not secrecy)


class Outbox:
    """The outbox collection of one service's database."""

    def __init__(self, db: AsyncDatabase[Document], name: str = "outbox") -> None:
        self.collection = db[name]

    async def create_indexes(self) -> None:
        """Indexes the relay's claims rely on, and expiry of published entries."""
        await self.collection.create_index([("published_at", ASCENDING), ("created_at", ASCENDING)])
        await self.collection.create_index("claim")
        await self.collection.create_index(
            "published_at", expireAfterSeconds=PUBLISHED_KEPT_SECONDS
        )

    async def add(self, events: list[Event], *, session: AsyncClientSession | None) -> None:
        """Store events to publish, inside the caller's transaction (``session``)."""
        await self.store([outbox_entry(e) for e in events], session=session)

    async def store(self, entries: list[Document], *, session: AsyncClientSession | None) -> None:
        """Store entries made with :func:`outbox_entry`, inside the caller's transaction.

        For writers that gather the events of several callers into one transaction: each
        entry is made in its own caller's context, so it carries that caller's trace.
        """
        if entries:
            await self.collection.insert_many(entries, ordered=True, session=session)

    async def announce_again(self, event: Event) -> None:
        """Publish a stored event once more (same ``event_id``: consumers dedupe it)."""
        entry = outbox_entry(event)
        await self.collection.replace_one({"_id": entry["_id"]}, entry, upsert=True)

    async def keep(self, event: Event) -> None:
        """Store an event to publish unless the outbox already has it (idempotent)."""
        entry = outbox_entry(event)
        await self.collection.update_one(
            {"_id": entry["_id"]}, {"$setOnInsert": entry}, upsert=True
        )

    async def pending(self) -> int:
        """How many entries wait to be published."""
        return await self.collection.count_documents({"published_at": None})


class OutboxRelay:
    """Moves events from an outbox to the broker, a batch at a time."""

    def __init__(
        self,
        outbox: Outbox,
        publisher: EventPublisher,
        *,
        poll_seconds: float = 1.0,
        batch_size: int = BATCH_SIZE,
        lease: timedelta = LEASE,
        gather_seconds: float = GATHER_SECONDS,
    ) -> None:
        self._entries = outbox.collection
        self._gather_seconds = gather_seconds
        self._publisher = publisher
        self._poll_seconds = poll_seconds
        self._batch_size = batch_size
        self._lease = lease
        self._wake = asyncio.Event()
        self._token = uuid.uuid4().hex  # this relay's claims

    def wake(self) -> None:
        """Ask the relay to look at the outbox now (something new was stored)."""
        self._wake.set()

    async def publish_pending(self) -> int:
        """Publish every due entry no other relay holds; return how many were confirmed."""
        published = 0
        while batch := await self._claim():
            confirmed, failed = await self._publish(batch)
            await self._settle(confirmed, failed)
            published += len(confirmed)
            if failed:
                break  # the broker is struggling: let the run loop back off
        return published

    async def _claim(self) -> list[Document]:
        now = datetime.now(UTC)
        free = {
            "published_at": None,
            "$and": [
                {"$or": [{"claimed_until": None}, {"claimed_until": {"$lt": now}}]},
                {"$or": [{"due_at": None}, {"due_at": {"$lte": now}}]},
            ],
        }
        candidates = (
            await self._entries.find(free)
            .sort("created_at", ASCENDING)
            .limit(self._batch_size)
            .to_list()
        )
        if not candidates:
            return []
        ids = [c["_id"] for c in candidates]
        # only entries still free are taken, so two relays never hold the same entry
        taken = await self._entries.update_many(
            {"_id": {"$in": ids}, **free},
            {"$set": {"claimed_until": now + self._lease, "claim": self._token}},
        )
        if taken.modified_count == len(ids):
            return candidates  # all ours, as read: no second read needed
        return (
            await self._entries.find(
                {"_id": {"$in": ids}, "claim": self._token, "published_at": None}
            )
            .sort("created_at", ASCENDING)
            .to_list()
        )

    async def _publish(self, batch: list[Document]) -> tuple[list[Any], list[Document]]:
        by_complaint: dict[str, list[Document]] = defaultdict(list)
        for entry in batch:
            by_complaint[entry.get("complaint_id", "")].append(entry)
        confirmed: list[Any] = []
        failed: list[Document] = []

        async def publish_in_order(entries: list[Document]) -> None:
            for position, entry in enumerate(entries):
                try:
                    event = parse_event(entry["body"])
                    await self._publisher.publish(event, headers=entry.get("trace"))
                except Exception:
                    log.exception("outbox publish failed; will retry after a back-off")
                    failed.extend(entries[position:])  # keep this complaint's order
                    return
                confirmed.append(entry["_id"])

        await asyncio.gather(*(publish_in_order(group) for group in by_complaint.values()))
        return confirmed, failed

    async def _settle(self, confirmed: list[Any], failed: list[Document]) -> None:
        now = datetime.now(UTC)
        if confirmed:
            await self._entries.update_many(
                {"_id": {"$in": confirmed}},
                {"$set": {"published_at": now, "claimed_until": None, "claim": None}},
            )
        for entry in failed:
            attempts = int(entry.get("attempts", 0)) + 1
            await self._entries.update_one(
                {"_id": entry["_id"], "claim": self._token},
                {
                    "$set": {
                        "claimed_until": None,
                        "claim": None,
                        "due_at": now + retry_delay(attempts),
                    },
                    "$inc": {"attempts": 1},
                },
            )

    async def release(self) -> None:
        """Give back this relay's unpublished claims, so another relay takes them at once."""
        await self._entries.update_many(
            {"claim": self._token, "published_at": None},
            {"$set": {"claimed_until": None, "claim": None}},
        )

    async def run(self) -> None:
        """Relay until cancelled; back off with jitter while publishing fails."""
        failures = 0
        try:
            while True:
                self._wake.clear()
                try:
                    count = await self.publish_pending()
                    failures = 0
                    if count:
                        log.info("outbox published", extra={"count": count})
                    timeout = self._poll_seconds
                except asyncio.CancelledError:
                    raise
                except Exception:
                    failures += 1
                    log.exception("outbox relay round failed; will retry")
                    timeout = retry_delay(failures).total_seconds()
                current = asyncio.current_task()
                if current is not None and current.cancelling():
                    # a cancellation swallowed inside a driver call must still stop us
                    raise asyncio.CancelledError
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=timeout)
                    await asyncio.sleep(self._gather_seconds)  # woken: let the moment's others land
        finally:
            # a clean stop first publishes what is already stored (bounded; including what
            # an interrupted round held), then gives back whatever it still holds, so
            # another replica takes it at once
            with contextlib.suppress(Exception):
                await asyncio.shield(self.release())
                await asyncio.wait_for(self.publish_pending(), timeout=DRAIN_SECONDS)
            with contextlib.suppress(Exception):
                await asyncio.shield(self.release())
