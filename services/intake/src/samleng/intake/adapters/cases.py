"""MongoDB storage of cases and of the outbox, written together in one transaction.

``cases`` holds one document per case (``_id`` = complaint id; the tracking code only as
its keyed hash); ``reporters`` holds what a citizen told about themselves, sealed (see
:mod:`samleng.intake.adapters.crypto`), apart from the case so no case read returns it;
``idempotency`` maps a keyed hash of an ``Idempotency-Key`` to the sealed tracking code it
produced; ``outbox`` holds events not yet confirmed by the broker. Saving an existing case
checks its ``version`` so two writers never overwrite each other (every write of a case
raises its ``version``).

The cases this process stored last are kept in memory (:meth:`CaseRepository.last_written`,
a bounded number, least recently stored first out), so routing's decision on a case
just submitted is folded in without reading the case back. A kept case can only be older
than the stored one, and then its ``save`` fails the version check, drops it, and the
caller reads the stored case.

Submissions that arrive at the same time are stored in one transaction (a group commit:
one commit for many requests, each answered once its case is durable). Should one of
them collide with a stored key (a repeated ``Idempotency-Key``, a tracking code in use)
or be refused, the round is stored again one submission at a time, so each gets its own
answer.

Changes folded in by the consumer (routing's decisions) that arrive at the same time are
saved together too, in one unordered bulk write of version-checked replacements. Each
replacement leaves a mark of its own (``written_by``); when the round matched fewer cases
than it wrote, the marks read back say whose replacement went in, and the others are
stale, as if each had been written alone (a replacement that another write overwrote in
the meantime reads as stale too: the caller's retry reads the case and finds its change
in it).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import uuid
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pymongo import DESCENDING, ReplaceOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from samleng.common.events import (
    CaseStatus,
    Category,
    Deadlines,
    Event,
    FeedbackKind,
    Location,
    OfficeRef,
)
from samleng.common.group_commit import GroupCommit
from samleng.common.outbox import Outbox, outbox_entry
from samleng.intake.domain.model import (
    Attachment,
    Case,
    CitizenNote,
    MoveRefusal,
    Question,
    Submission,
    TimelineEntry,
)
from samleng.intake.domain.retention import closed_at
from samleng.intake.ports import AlsoWrite, DuplicateCase, DuplicateSubmission, StaleCase

__all__ = ["CaseRepository", "DuplicateCase", "DuplicateSubmission", "StaleCase"]

Document = dict[str, Any]

#: Where cases without a deadline sort when an inbox is ordered by deadline: last.
NO_DEADLINE = datetime(9999, 12, 31, tzinfo=UTC)
#: How many cases stored last are kept in memory for :meth:`CaseRepository.last_written`.
KEPT_CASES = 1000


@dataclasses.dataclass(frozen=True)
class _NewCase:
    case: Case
    entry: Document  # its first event, as the outbox keeps it
    sealed_reporter: bytes | None
    idempotency: Document | None
    also: AlsoWrite | None = None  # more writes of the same transaction (a desk's audit)


class CaseRepository:
    """Cases, their sealed reporter details, idempotency records and outbox."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._db = db
        self._cases = db["cases"]
        self._outbox = Outbox(db)
        self._reporters = db["reporters"]
        self._idempotency = db["idempotency"]
        self._written: OrderedDict[str, Case] = OrderedDict()
        self._submissions: GroupCommit[_NewCase, None] = GroupCommit(self._add_round)
        self._saves: GroupCommit[Case, None] = GroupCommit(self._save_round)

    async def create_indexes(self) -> None:
        """Indexes the queries below rely on (idempotent)."""
        await self._cases.create_index("code_hash", unique=True)
        await self._cases.create_index([("submitted_at", DESCENDING)])
        await self._idempotency.create_index("expires_at", expireAfterSeconds=0)
        # Published events carry the self-declared gender/age band for statistics: the
        # outbox keeps them only a day after the broker confirmed them.
        await self._outbox.create_indexes()

    async def add(
        self,
        case: Case,
        event: Event,
        *,
        sealed_reporter: bytes | None = None,
        idempotency: Document | None = None,
        also: AlsoWrite | None = None,
    ) -> None:
        """Store a new case and its first event atomically (the transactional outbox)."""
        entry = outbox_entry(event)  # made here, so it carries this request's trace
        await self._submissions.submit(_NewCase(case, entry, sealed_reporter, idempotency, also))
        self._keep(case)

    async def _add_round(self, round_: list[_NewCase]) -> list[BaseException | None]:
        if len(round_) > 1:
            # a key in use, one submission refused, or one's own extra write (``also``: a
            # desk's decision) refused: each alone below, for its own answer
            with contextlib.suppress(Exception):
                await self._in_transaction(lambda s: self._insert_all(s, round_))
                return [None] * len(round_)
        outcome: list[BaseException | None] = []
        for new in round_:
            try:
                await self._in_transaction(functools.partial(self._insert_case_and_event, new=new))
            except Exception as refused:  # DuplicateCase/Submission, or this one's failure
                outcome.append(refused)
            else:
                outcome.append(None)
        return outcome

    async def _in_transaction(self, write: Callable[[AsyncClientSession], Any]) -> None:
        async with self._db.client.start_session() as session:
            await session.with_transaction(write)

    async def _insert_all(self, session: AsyncClientSession, round_: list[_NewCase]) -> None:
        keys = [n.idempotency for n in round_ if n.idempotency is not None]
        if keys:
            await self._idempotency.insert_many(keys, session=session)
        await self._cases.insert_many([case_to_document(n.case) for n in round_], session=session)
        reporters = [
            {"_id": n.case.complaint_id, "sealed": n.sealed_reporter}
            for n in round_
            if n.sealed_reporter is not None
        ]
        if reporters:
            await self._reporters.insert_many(reporters, session=session)
        await self._outbox.store([n.entry for n in round_], session=session)
        for new in round_:
            if new.also is not None:
                await new.also(session)

    async def _insert_case_and_event(self, session: AsyncClientSession, new: _NewCase) -> None:
        if new.idempotency is not None:
            try:
                await self._idempotency.insert_one(new.idempotency, session=session)
            except DuplicateKeyError as exc:
                raise DuplicateSubmission(new.idempotency["_id"]) from exc
        try:
            await self._cases.insert_one(case_to_document(new.case), session=session)
        except DuplicateKeyError as exc:
            raise DuplicateCase(new.case.complaint_id) from exc
        if new.sealed_reporter is not None:
            await self._reporters.insert_one(
                {"_id": new.case.complaint_id, "sealed": new.sealed_reporter}, session=session
            )
        await self._outbox.store([new.entry], session=session)
        if new.also is not None:
            await new.also(session)

    async def idempotency_record(self, key_hash: str) -> Document | None:
        """The record a former submission with this key left, if it has not expired."""
        return await self._idempotency.find_one({"_id": key_hash})

    async def by_code_hash(self, code_hash: str) -> Case | None:
        """The case a tracking code belongs to, if any."""
        doc = await self._cases.find_one({"code_hash": code_hash})
        return case_from_document(doc) if doc else None

    async def get(self, complaint_id: str) -> Case | None:
        """The case with this id, if any."""
        doc = await self._cases.find_one({"_id": complaint_id})
        return case_from_document(doc) if doc else None

    async def last_written(self, complaint_id: str) -> Case | None:
        """The case as this process last stored it, if still kept; else as stored. Only to
        change and save: a kept case may be older than the stored one (``save`` says so)."""
        kept = self._written.get(complaint_id)
        return kept if kept is not None else await self.get(complaint_id)

    def _keep(self, case: Case) -> None:
        self._written[case.complaint_id] = case
        self._written.move_to_end(case.complaint_id)
        if len(self._written) > KEPT_CASES:
            self._written.popitem(last=False)

    async def recent(
        self,
        *,
        since: datetime,
        until: datetime,
        service_code: str | None = None,
        statuses: tuple[CaseStatus, ...] = (),
        ids: tuple[str, ...] = (),
        limit: int = 200,
    ) -> list[Case]:
        """Cases submitted in a period, newest first (the public Open311 listing)."""
        query: Document = {"submitted_at": {"$gte": since, "$lte": until}}
        if ids:
            query = {"_id": {"$in": list(ids)}}
        if service_code:
            query["service_code"] = service_code
        if statuses:
            query["status"] = {"$in": [s.value for s in statuses]}
        cursor = self._cases.find(query).sort("submitted_at", DESCENDING).limit(limit)
        return [case_from_document(doc) async for doc in cursor]

    async def save(self, case: Case) -> None:
        """Replace a case read at ``case.version``; StaleCase if someone saved it since.

        Saves made at the same moment go to MongoDB together (a group commit)."""
        await self._saves.submit(case)
        self._keep(dataclasses.replace(case, version=case.version + 1))

    async def _save_round(self, round_: list[Case]) -> list[BaseException | None]:
        if len(round_) == 1:
            try:
                await self._replace(round_[0])
            except StaleCase as stale:
                return [stale]
            return [None]
        token = uuid.uuid4().hex
        marks = [f"{token}.{i}" for i in range(len(round_))]
        replacements = []
        for case, mark in zip(round_, marks, strict=True):
            doc = case_to_document(case)
            doc["version"] = case.version + 1
            doc["written_by"] = mark
            replacements.append(
                ReplaceOne({"_id": case.complaint_id, "version": case.version}, doc)
            )
        result = await self._cases.bulk_write(replacements, ordered=False)
        if result.matched_count == len(round_):
            return [None] * len(round_)
        ids = list({case.complaint_id for case in round_})
        stored = self._cases.find({"_id": {"$in": ids}}, {"written_by": 1})
        went_in = {doc.get("written_by") async for doc in stored}
        outcome: list[BaseException | None] = []
        for case, mark in zip(round_, marks, strict=True):
            if mark in went_in:
                outcome.append(None)
            else:
                self._written.pop(case.complaint_id, None)
                outcome.append(StaleCase(case.complaint_id))
        return outcome

    async def save_with_event(
        self, case: Case, event: Event, *, also: AlsoWrite | None = None
    ) -> None:
        """Save a changed case and the event announcing it in one transaction, with ``also``
        (an officer's audit entry) in the same one, so an action is never stored without
        its record; StaleCase if someone saved the case since it was read."""

        async def write(session: AsyncClientSession) -> None:
            await self._replace(case, session)
            await self._outbox.add([event], session=session)
            if also is not None:
                await also(session)

        await self._in_transaction(write)
        self._keep(dataclasses.replace(case, version=case.version + 1))

    async def _replace(self, case: Case, session: AsyncClientSession | None = None) -> None:
        doc = case_to_document(case)
        doc["version"] = case.version + 1
        result = await self._cases.replace_one(
            {"_id": case.complaint_id, "version": case.version}, doc, session=session
        )
        if result.matched_count != 1:
            self._written.pop(case.complaint_id, None)
            raise StaleCase(case.complaint_id)


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
        "channel": sub.channel,
        "about_office_id": sub.about_office_id,
        "about_office_conduct": sub.about_office_conduct,
        "amount_asked_riel": sub.amount_asked_riel,
        "official_fee_riel": sub.official_fee_riel,
        "service_rating": sub.service_rating,
        "submitted_at": case.submitted_at,
        "status": case.status.value,
        "status_sequence": case.status_sequence,
        "office": case.office.model_dump() if case.office else None,
        "timeline": [_entry_to_document(e) for e in case.timeline],
        "questions": [vars(q).copy() for q in case.questions],
        "notes": [vars(n).copy() for n in case.notes],
        "attachments": [vars(a).copy() for a in case.attachments],
        "move_refusals": [vars(r).copy() for r in case.move_refusals],
        "rating": case.rating,
        "answered_at": case.answered_at,
        "deadlines": case.deadlines.model_dump() if case.deadlines else None,
        "escalated": case.escalated,
        "office_sequence": case.office_sequence,
        "linked_to": case.linked_to,
        # derived, for inbox queries: the next deadline, and a sort key that puts none last
        "next_due": case.next_due,
        "due_order": case.next_due or NO_DEADLINE,
        # derived, for the retention policy: when the case reached its final status
        "closed_at": closed_at(case),
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
            channel=doc.get("channel", "api"),
            about_office_id=doc.get("about_office_id"),
            about_office_conduct=doc.get("about_office_conduct", False),
            amount_asked_riel=doc.get("amount_asked_riel"),
            official_fee_riel=doc.get("official_fee_riel"),
            service_rating=doc.get("service_rating"),
        ),
        submitted_at=doc["submitted_at"],
        status=CaseStatus(doc["status"]),
        status_sequence=doc["status_sequence"],
        office=OfficeRef.model_validate(doc["office"]) if doc.get("office") else None,
        timeline=tuple(_entry_from_document(e) for e in doc.get("timeline", [])),
        questions=tuple(Question(**q) for q in doc.get("questions", [])),
        notes=tuple(CitizenNote(**n) for n in doc.get("notes", [])),
        attachments=tuple(Attachment(**a) for a in doc.get("attachments", [])),
        move_refusals=tuple(MoveRefusal(**r) for r in doc.get("move_refusals", [])),
        rating=doc.get("rating"),
        answered_at=doc.get("answered_at"),
        deadlines=Deadlines.model_validate(doc["deadlines"]) if doc.get("deadlines") else None,
        escalated=bool(doc.get("escalated", False)),
        office_sequence=_office_sequence(doc),
        linked_to=doc.get("linked_to"),
        version=doc.get("version", 0),
    )


def _office_sequence(doc: Document) -> int:
    """The sequence of the decision that chose the office (older records: the status's)."""
    if "office_sequence" in doc:
        return int(doc["office_sequence"])
    return int(doc["status_sequence"]) if doc.get("office") else 0


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
