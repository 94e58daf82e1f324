"""MongoDB storage of cases and of the outbox, written together in one transaction.

``cases`` holds one document per case (``_id`` = complaint id; the tracking code only as
its keyed hash); ``outbox`` holds events not yet confirmed by the broker. Saving an
existing case checks its ``version`` so two writers never overwrite each other.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from samleng.common.events import Category, Event, FeedbackKind, Location, OfficeRef
from samleng.intake.domain.model import Case, CaseStatus, Submission, TimelineEntry

Document = dict[str, Any]


class StaleCase(Exception):
    """The case changed since it was read; read it again and retry."""


class DuplicateCase(Exception):
    """A case with the same id or tracking-code hash already exists."""


class CaseRepository:
    """Cases and their outbox in intake's database."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._db = db
        self._cases = db["cases"]
        self._outbox = db["outbox"]

    async def create_indexes(self) -> None:
        """Indexes the queries below rely on (idempotent)."""
        await self._cases.create_index("code_hash", unique=True)
        await self._outbox.create_index([("published_at", ASCENDING), ("created_at", ASCENDING)])

    async def add(self, case: Case, event: Event) -> None:
        """Store a new case and its first event atomically (the transactional outbox)."""
        async with self._db.client.start_session() as session:
            await session.with_transaction(lambda s: self._insert_case_and_event(s, case, event))

    async def _insert_case_and_event(
        self, session: AsyncClientSession, case: Case, event: Event
    ) -> None:
        try:
            await self._cases.insert_one(case_to_document(case), session=session)
        except DuplicateKeyError as exc:
            raise DuplicateCase(case.complaint_id) from exc
        await self._outbox.insert_one(outbox_document(event), session=session)

    async def by_code_hash(self, code_hash: str) -> Case | None:
        """The case a tracking code belongs to, if any."""
        doc = await self._cases.find_one({"code_hash": code_hash})
        return case_from_document(doc) if doc else None

    async def get(self, complaint_id: str) -> Case | None:
        """The case with this id, if any."""
        doc = await self._cases.find_one({"_id": complaint_id})
        return case_from_document(doc) if doc else None

    async def save(self, case: Case) -> None:
        """Replace a case read at ``case.version``; StaleCase if someone saved it since."""
        doc = case_to_document(case)
        doc["version"] = case.version + 1
        result = await self._cases.replace_one(
            {"_id": case.complaint_id, "version": case.version}, doc
        )
        if result.matched_count != 1:
            raise StaleCase(case.complaint_id)


def outbox_document(event: Event) -> Document:
    """An outbox entry: the event as it will go on the wire, not yet published."""
    return {
        "_id": str(event.event_id),
        "routing_key": event.routing_key,
        "complaint_id": event.complaint_id,
        "body": event.model_dump(mode="json"),
        "created_at": event.occurred_at,
        "published_at": None,
        "claimed_until": None,
        "attempts": 0,
    }


def case_to_document(case: Case) -> Document:
    """Serialise a case for MongoDB."""
    sub = case.submission
    return {
        "_id": case.complaint_id,
        "code_hash": case.code_hash,
        "kind": sub.kind.value,
        "category": sub.category.value,
        "location": sub.location.model_dump(),
        "service_code": sub.service_code,
        "description": sub.description,
        "language": sub.language,
        "submitted_at": case.submitted_at,
        "status": case.status.value,
        "status_sequence": case.status_sequence,
        "office": case.office.model_dump() if case.office else None,
        "timeline": [_entry_to_document(e) for e in case.timeline],
        "version": case.version,
    }


def case_from_document(doc: Document) -> Case:
    """Rebuild a case from its MongoDB document."""
    return Case(
        complaint_id=doc["_id"],
        code_hash=doc["code_hash"],
        submission=Submission(
            kind=FeedbackKind(doc["kind"]),
            category=Category(doc["category"]),
            location=Location.model_validate(doc["location"]),
            description=doc["description"],
            service_code=doc.get("service_code"),
            language=doc.get("language", "km"),
        ),
        submitted_at=doc["submitted_at"],
        status=CaseStatus(doc["status"]),
        status_sequence=doc["status_sequence"],
        office=OfficeRef.model_validate(doc["office"]) if doc.get("office") else None,
        timeline=tuple(_entry_from_document(e) for e in doc.get("timeline", [])),
        version=doc.get("version", 0),
    )


def _entry_to_document(entry: TimelineEntry) -> Document:
    return {
        "event_id": entry.event_id,
        "sequence": entry.sequence,
        "at": entry.at,
        "status": entry.status.value,
        "text_en": entry.text_en,
        "text_km": entry.text_km,
    }


def _entry_from_document(doc: Document) -> TimelineEntry:
    at: datetime = doc["at"]
    return TimelineEntry(
        event_id=doc["event_id"],
        sequence=doc["sequence"],
        at=at,
        status=CaseStatus(doc["status"]),
        text_en=doc["text_en"],
        text_km=doc["text_km"],
    )
