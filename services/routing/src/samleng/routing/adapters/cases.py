"""Routing's case records in MongoDB (collection ``assignments``, ``_id`` = complaint id).

Each document holds where the case is, its clocks (``timers`` and ``next_due_at``), the
events routing decided but has not yet seen confirmed by the broker (``outbox``), and a
``version`` for optimistic concurrency. Every change to a case and the events it causes
are written in ONE document update, so a decision is taken exactly once:

- a message handler loads the case, decides, and saves only if ``version`` is unchanged
  (otherwise it reloads and decides again);
- a clock fires only on the replica that claimed the case with a lease
  (:meth:`CaseRepository.claim_due`), and its save also checks ``version``.

Events leave the outbox after the broker confirmed them; a crash in between leaves them
to be published again (same ``event_id``, so consumers dedupe).
"""

from __future__ import annotations

import contextlib
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from samleng.common.events import Category, ComplaintAssigned, Event, FeedbackKind, parse_event
from samleng.routing.domain.case import Case
from samleng.routing.domain.model import Office
from samleng.routing.domain.sla import Timer


class StoredCase:
    """A case as loaded: the record, its version and the events still to publish."""

    def __init__(self, case: Case, version: int, outbox: list[Event], assigned: Event) -> None:
        self.case = case
        self.version = version
        self.outbox = outbox
        self.assigned = assigned


class CaseRepository:
    """Cases, their clocks and their outbox in routing's database."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._cases = db["assignments"]

    async def create_indexes(self) -> None:
        """Indexes for office inboxes, due clocks and stale outboxes (idempotent)."""
        await self._cases.create_index("office_id")
        await self._cases.create_index([("next_due_at", ASCENDING)], sparse=True)
        await self._cases.create_index([("outbox_since", ASCENDING)], sparse=True)

    async def create(self, case: Case, assigned: ComplaintAssigned, now: datetime) -> StoredCase:
        """Store a new case with its assignment unless it exists; return what is stored."""
        doc = _to_doc(case)
        doc.update(
            _id=case.complaint_id,
            version=1,
            rule=assigned.data.rule,
            event=assigned.model_dump(mode="json"),
            outbox=[assigned.model_dump(mode="json")],
            outbox_since=now,
        )
        with contextlib.suppress(DuplicateKeyError):  # a redelivery: keep the first
            await self._cases.insert_one(doc)
        stored = await self.get(case.complaint_id)
        assert stored is not None
        return stored

    async def get(self, complaint_id: str) -> StoredCase | None:
        """The case with this complaint id, if routing has it."""
        doc = await self._cases.find_one({"_id": complaint_id})
        return _from_doc(doc) if doc else None

    async def save(
        self, stored: StoredCase, events: list[Event], now: datetime, *, release: str = ""
    ) -> bool:
        """Write the case and its new events if nobody changed it since it was loaded."""
        update: dict[str, Any] = {"$set": {**_to_doc(stored.case), "version": stored.version + 1}}
        if events:
            update["$push"] = {"outbox": {"$each": [e.model_dump(mode="json") for e in events]}}
            if not stored.outbox:
                update["$set"]["outbox_since"] = now
        if release:
            update["$unset"] = {"lease_until": "", "lease_owner": ""}
        result = await self._cases.update_one(
            {"_id": stored.case.complaint_id, "version": stored.version}, update
        )
        return result.modified_count == 1

    async def published(self, complaint_id: str, events: list[Event]) -> None:
        """Take confirmed events out of the outbox."""
        ids = [str(e.event_id) for e in events]
        await self._cases.update_one(
            {"_id": complaint_id}, {"$pull": {"outbox": {"event_id": {"$in": ids}}}}
        )
        await self._cases.update_one(
            {"_id": complaint_id, "outbox": {"$size": 0}}, {"$unset": {"outbox_since": ""}}
        )

    async def claim_due(
        self, due_by: datetime, stale_before: datetime, now: datetime, owner: str, lease: timedelta
    ) -> StoredCase | None:
        """Claim one case whose clock is due (or whose outbox is stale) for ``lease``.

        Only one replica gets a given case until the lease ends: the claim is a single
        atomic find-and-modify on an unleased (or expired) case.
        """
        doc = await self._cases.find_one_and_update(
            {
                "$and": [
                    {
                        "$or": [
                            {"next_due_at": {"$lte": due_by}},
                            {"outbox_since": {"$lte": stale_before}},
                        ]
                    },
                    {"$or": [{"lease_until": None}, {"lease_until": {"$lte": now}}]},
                ]
            },
            {"$set": {"lease_until": now + lease, "lease_owner": owner}},
        )
        return _from_doc(doc) if doc else None

    async def release(self, complaint_id: str, owner: str) -> None:
        """Give a claimed case back (nothing was due after all, or the save lost a race)."""
        await self._cases.update_one(
            {"_id": complaint_id, "lease_owner": owner},
            {"$unset": {"lease_until": "", "lease_owner": ""}},
        )


def _to_doc(case: Case) -> dict[str, Any]:
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
        "status": case.status,
        "last_sequence": case.last_sequence,
        "timers": [asdict(t) for t in case.timers],
        "next_due_at": case.next_due_at,
        "moves": case.moves,
        "seen": case.seen,
    }


def _from_doc(doc: dict[str, Any]) -> StoredCase:
    location = doc["location"]
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
        status=doc["status"],
        last_sequence=doc["last_sequence"],
        timers=[Timer(**t) for t in doc["timers"]],
        moves=list(doc.get("moves", [])),
        seen=list(doc.get("seen", [])),
    )
    outbox = [parse_event(e) for e in doc.get("outbox", [])]
    return StoredCase(case, doc["version"], outbox, parse_event(doc["event"]))
