"""The audit trail in MongoDB: append-only entries plus the chain head, one transaction each.

Appends serialise on the head document: two concurrent appends conflict in the
transaction and one is retried, so the chain never forks. Nothing in Samleng updates or
deletes entries; ``verify`` detects anyone who does it behind the application's back.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from samleng.intake.domain.audit import (
    GENESIS,
    AuditEntry,
    AuditRecord,
    ChainBreak,
    chain,
    verify_chain,
)

HEAD_ID = "audit-trail"


class AuditTrail:
    """Intake's hash-chained log of every officer read and action."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]], key: bytes) -> None:
        self._db = db
        self._key = key
        self._entries = db["audit_entries"]
        self._heads = db["audit_head"]

    async def create_indexes(self) -> None:
        """One entry per position; queries by case and by actor (idempotent)."""
        await self._entries.create_index("seq", unique=True)
        await self._entries.create_index([("complaint_id", ASCENDING), ("seq", ASCENDING)])
        await self._entries.create_index([("subject", ASCENDING), ("seq", ASCENDING)])
        await self._entries.create_index([("office_id", ASCENDING), ("seq", ASCENDING)])
        # The head exists before the first append, so concurrent appends always collide on
        # this one document (a transient write conflict, retried) and never on ``seq``.
        with contextlib.suppress(DuplicateKeyError):
            await self._heads.update_one(
                {"_id": HEAD_ID}, {"$setOnInsert": {"seq": 0, "hash": GENESIS}}, upsert=True
            )

    async def record(self, record: AuditRecord) -> AuditEntry:
        """Append one record at the end of the chain."""
        async with self._db.client.start_session() as session:
            entry: AuditEntry = await session.with_transaction(lambda s: self._append(s, record))
        return entry

    async def append(self, session: AsyncClientSession, record: AuditRecord) -> AuditEntry:
        """Append inside the caller's transaction (e.g. with the action it records)."""
        return await self._append(session, record)

    async def _append(self, session: AsyncClientSession, record: AuditRecord) -> AuditEntry:
        head = await self._heads.find_one({"_id": HEAD_ID}, session=session)
        seq, prev = (head["seq"], head["hash"]) if head else (0, GENESIS)
        entry = chain(seq + 1, record, prev, self._key)
        # move the head first: a concurrent append then fails on it with a transient
        # write conflict (retried by the transaction) rather than a duplicate ``seq``
        await self._heads.update_one(
            {"_id": HEAD_ID},
            {"$set": {"seq": entry.seq, "hash": entry.hash}},
            upsert=True,
            session=session,
        )
        await self._entries.insert_one(_to_document(entry), session=session)
        return entry

    async def entries(
        self,
        *,
        complaint_id: str | None = None,
        subject: str | None = None,
        after_seq: int = 0,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> AsyncIterator[AuditEntry]:
        """Entries in chain order (or newest first), optionally for one case or actor."""
        query: dict[str, Any] = {"seq": {"$gt": after_seq}}
        if complaint_id:
            query["complaint_id"] = complaint_id
        if subject:
            query["subject"] = subject
        cursor = self._entries.find(query).sort("seq", DESCENDING if newest_first else ASCENDING)
        if limit:
            cursor = cursor.limit(limit)
        async for doc in cursor:
            yield _from_document(doc)

    async def office_entries(
        self,
        offices: Sequence[str],
        *,
        complaint_id: str | None = None,
        subject: str | None = None,
        after_seq: int = 0,
        limit: int | None = None,
    ) -> AsyncIterator[AuditEntry]:
        """The trail of ``offices`` in chain order (the rule: ``access.in_office_trail``).

        A case is the offices' if it sits with one of them now or if their staff read or
        acted on it (which they can only do while it is theirs); a complaint about the
        conduct of their own officials never is, whoever wrote the entry.
        """
        wanted = list(offices)
        if not wanted:
            return
        cases = self._db["cases"]  # read-only: which cases are, or are about, these offices
        conduct = await cases.distinct(
            "_id", {"about_office_conduct": True, "about_office_id": {"$in": wanted}}
        )
        current = await cases.distinct("_id", {"office.office_id": {"$in": wanted}})
        worked_on = await self._entries.distinct(
            "complaint_id",
            {
                "office_id": {"$in": wanted},
                "complaint_id": {"$ne": None},
                "action": {"$not": {"$regex": r"\.refused$"}},
            },
        )
        office_cases = sorted((set(current) | set(worked_on)) - set(conduct))
        clauses: list[dict[str, Any]] = [
            {"seq": {"$gt": after_seq}},
            {"complaint_id": {"$nin": conduct}},
            {"$or": [{"office_id": {"$in": wanted}}, {"complaint_id": {"$in": office_cases}}]},
        ]
        if complaint_id:
            clauses.append({"complaint_id": complaint_id})
        if subject:
            clauses.append({"subject": subject})
        cursor = self._entries.find({"$and": clauses}).sort("seq", ASCENDING)
        if limit:
            cursor = cursor.limit(limit)
        async for doc in cursor:
            yield _from_document(doc)

    async def verify(self) -> list[ChainBreak]:
        """Every break in the whole trail (empty if intact)."""
        head = await self._heads.find_one({"_id": HEAD_ID})
        entries = [entry async for entry in self.entries()]
        return verify_chain(entries, (head["seq"], head["hash"]) if head else None, self._key)


def _to_document(entry: AuditEntry) -> dict[str, Any]:
    r = entry.record
    return {
        "seq": entry.seq,
        "at": r.at,
        "subject": r.subject,
        "role": r.role,
        "office_id": r.office_id,
        "action": r.action,
        "complaint_id": r.complaint_id,
        "detail": r.detail,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def _from_document(doc: dict[str, Any]) -> AuditEntry:
    at: datetime = doc["at"]
    record = AuditRecord(
        at=at,
        subject=doc["subject"],
        role=doc["role"],
        office_id=doc.get("office_id"),
        action=doc["action"],
        complaint_id=doc.get("complaint_id"),
        detail=doc.get("detail", ""),
    )
    return AuditEntry(seq=doc["seq"], record=record, prev_hash=doc["prev_hash"], hash=doc["hash"])
