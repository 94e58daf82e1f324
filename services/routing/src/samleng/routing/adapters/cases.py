"""Routing's case records in MongoDB (collection ``assignments``, ``_id`` = complaint id).

Each document holds where the case is, its clocks (``timers`` and ``next_due_at``), the
assignment that announced it (``event``) and a ``version`` for optimistic concurrency.
The events a change causes go to the service's one outbox (:mod:`samleng.common.outbox`)
in the SAME transaction as the change, so a decision is taken exactly once and never
lost, and the outbox relay publishes them:

- a message handler loads the case, decides, and saves only if ``version`` is unchanged
  (otherwise it reloads and decides again);
- a clock fires only on the replica that claimed the case with a lease
  (:meth:`CaseRepository.claim_due`), and its save also checks ``version``.

A change that causes no event is one plain update (no transaction needed). New cases
that consumers store at the same time go in one transaction (a group commit); should one
of them exist already (or be refused), the round is stored again one case at a time, so
each learns whether it was first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from samleng.common.events import (
    CaseStatus,
    Category,
    ComplaintAssigned,
    Event,
    FeedbackKind,
    parse_event,
)
from samleng.common.group_commit import GroupCommit
from samleng.common.outbox import Outbox, outbox_entry
from samleng.routing.domain.case import Case
from samleng.routing.domain.model import Office
from samleng.routing.domain.sla import PausedClock, Timer
from samleng.routing.ports import StoredCase

log = logging.getLogger(__name__)

Document = dict[str, Any]
#: Cases stored before the common CaseStatus vocabulary said "open" for "assigned".
_OLD_STATUSES = {"open": CaseStatus.ASSIGNED}
_LEASE = {"lease_until": "", "lease_owner": ""}


class _Stale(Exception):
    """The case changed since it was loaded: the transaction is abandoned."""


class CaseRepository:
    """Cases and their clocks in routing's database, their events in its outbox."""

    def __init__(
        self,
        db: AsyncDatabase[Document],
        outbox: Outbox,
        *,
        on_stored: Callable[[], None] = lambda: None,
    ) -> None:
        self._db = db
        self._cases = db["assignments"]
        self._outbox = outbox
        self._on_stored = on_stored  # wakes the relay: events are waiting
        self._additions: GroupCommit[tuple[Document, Document], bool] = GroupCommit(self._add_round)

    async def create_indexes(self) -> None:
        """Indexes for office inboxes and due clocks, and the outbox's (idempotent)."""
        await self._cases.create_index("office_id")
        await self._cases.create_index([("next_due_at", ASCENDING)], sparse=True)
        await self._outbox.create_indexes()

    async def add(self, case: Case, assigned: ComplaintAssigned) -> bool:
        """Store a new case and its assignment unless the case exists (the first wins)."""
        doc = _to_doc(case)
        doc.update(_id=case.complaint_id, version=1, rule=assigned.data.rule,
                   event=assigned.model_dump(mode="json"))  # fmt: skip
        # the outbox entry is made here, so it carries this handler's trace
        added = await self._additions.submit((doc, outbox_entry(assigned)))
        if added:
            self._on_stored()
        return added

    async def _add_round(
        self, round_: list[tuple[Document, Document]]
    ) -> list[bool | BaseException]:
        if len(round_) > 1:

            async def write_all(session: AsyncClientSession) -> None:
                await self._cases.insert_many([d for d, _ in round_], session=session)
                await self._outbox.store([entry for _, entry in round_], session=session)

            try:
                await self._in_transaction(write_all)
            except BulkWriteError:
                pass  # a key in use, or one case refused: each alone, for its own answer
            else:
                return [True] * len(round_)
        outcome: list[bool | BaseException] = []
        for doc, entry in round_:  # each learns whether it was first, or what failed it
            try:
                outcome.append(await self._add_one(doc, entry))
            except Exception as failed:
                outcome.append(failed)
        return outcome

    async def _add_one(self, doc: Document, entry: Document) -> bool:
        async def write(session: AsyncClientSession) -> None:
            await self._cases.insert_one(doc, session=session)
            await self._outbox.store([entry], session=session)

        try:
            await self._in_transaction(write)
        except DuplicateKeyError:
            return False
        return True

    async def get(self, complaint_id: str) -> StoredCase | None:
        """The case with this complaint id, if routing has it."""
        doc = await self._cases.find_one({"_id": complaint_id})
        return _from_doc(doc) if doc else None

    async def save(self, stored: StoredCase, events: list[Event]) -> bool:
        """Write the case and its events if nobody changed it since it was loaded."""
        where = {"_id": stored.case.complaint_id, "version": stored.version}
        update: Document = {"$set": {**_to_doc(stored.case), "version": stored.version + 1}}
        if stored.lease_owner:
            update["$unset"] = _LEASE
        if not events:
            return (await self._cases.update_one(where, update)).matched_count == 1

        async def write(session: AsyncClientSession) -> None:
            if (await self._cases.update_one(where, update, session=session)).matched_count != 1:
                raise _Stale
            await self._outbox.add(events, session=session)

        try:
            await self._in_transaction(write)
        except _Stale:
            return False
        self._on_stored()
        return True

    async def announce_again(self, event: Event) -> None:
        """Put a stored event back in the outbox as not yet published."""
        await self._outbox.announce_again(event)
        self._on_stored()

    async def claim_due(
        self, due_by: datetime, now: datetime, owner: str, lease: timedelta
    ) -> StoredCase | None:
        """Claim one case whose clock is due by ``due_by`` for ``lease``.

        Only one replica gets a given case until the lease ends: the claim is a single
        atomic find-and-modify on an unleased (or expired) case.
        """
        doc = await self._cases.find_one_and_update(
            {
                "next_due_at": {"$lte": due_by},
                "$or": [{"lease_until": None}, {"lease_until": {"$lte": now}}],
            },
            {"$set": {"lease_until": now + lease, "lease_owner": owner}},
        )
        if doc is None:
            return None
        claimed = _from_doc(doc)
        claimed.lease_owner = owner
        return claimed

    async def release(self, complaint_id: str, owner: str) -> None:
        """Give a claimed case back (the save lost a race with a message)."""
        await self._cases.update_one({"_id": complaint_id, "lease_owner": owner},
                                     {"$unset": _LEASE})  # fmt: skip

    async def adopt_old_outboxes(self) -> None:
        """Move events left in cases' own outbox lists (before the common outbox) to it.

        They were decided but perhaps never confirmed by the broker, so they are published
        (again: same ``event_id``, consumers dedupe).
        """
        moved = 0
        async for doc in self._cases.find({"outbox.0": {"$exists": True}}, {"outbox": 1}):
            for body in doc["outbox"]:
                await self._outbox.keep(parse_event(body))
            ids = [body["event_id"] for body in doc["outbox"]]
            await self._cases.update_one(
                {"_id": doc["_id"]}, {"$pull": {"outbox": {"event_id": {"$in": ids}}}}
            )
            moved += len(ids)
        await self._cases.update_many(
            {"outbox": {"$size": 0}}, {"$unset": {"outbox": "", "outbox_since": ""}}
        )
        if moved:
            log.info("moved events of old case outboxes to the outbox", extra={"count": moved})
            self._on_stored()

    async def _in_transaction(self, write: Callable[[AsyncClientSession], Any]) -> None:
        async with self._db.client.start_session() as session:
            await session.with_transaction(write)


def _to_doc(case: Case) -> Document:
    return {
        "correlation_id": case.correlation_id,
        "kind": case.kind.value,
        "category": case.category.value,
        "location": {
            "province_code": case.province_code,
            "district_code": case.district_code,
            "commune_code": case.commune_code,
        },
        "office_id": case.office.office_id,
        "office": asdict(case.office),
        "directory_version": case.directory_version,
        "accused_office_id": case.accused_office_id,
        "service_code": case.service_code,
        "overall_by": case.overall_by,
        "status": case.status.value,
        "last_sequence": case.last_sequence,
        "timers": [asdict(t) for t in case.timers],
        "paused": [asdict(p) for p in case.paused],
        "next_due_at": case.next_due_at,
        "moves": case.moves,
        "seen": case.seen,
    }


def _from_doc(doc: Document) -> StoredCase:
    location = doc["location"]
    status = doc["status"]
    case = Case(
        complaint_id=doc["_id"],
        correlation_id=doc["correlation_id"],
        kind=FeedbackKind(doc["kind"]),
        category=Category(doc["category"]),
        province_code=location["province_code"],
        district_code=location["district_code"],
        commune_code=location["commune_code"],
        office=Office(**doc["office"]),
        directory_version=doc["directory_version"],
        accused_office_id=doc.get("accused_office_id"),
        service_code=doc.get("service_code"),
        overall_by=doc.get("overall_by"),
        status=_OLD_STATUSES.get(status) or CaseStatus(status),
        last_sequence=doc["last_sequence"],
        timers=[Timer(**t) for t in doc["timers"]],
        paused=[PausedClock(**p) for p in doc.get("paused", [])],
        moves=list(doc.get("moves", [])),
        seen=list(doc.get("seen", [])),
    )
    assigned = parse_event(doc["event"])
    assert isinstance(assigned, ComplaintAssigned)
    return StoredCase(case, doc["version"], assigned)
