"""MongoDB side of the retention policy: closed cases due, erasures, and the one lease.

Each erasure runs in one transaction with its audit entry and its mark in ``erasures``
(``_id`` = ``<complaint id>:<what>``), so a crash never leaves an erasure unrecorded,
and two runs at once (a replica and the command) cannot both do it: the second one's
mark collides and its transaction is dropped. Cases keep ``closed_at`` (derived when
they are saved; filled in here for cases stored before it existed), and ``leases`` holds
the one document whose holder runs the periodic job.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from samleng.common.events.status import FINAL
from samleng.common.leases import MongoLease
from samleng.intake.adapters.audit import AuditTrail
from samleng.intake.adapters.cases import case_from_document
from samleng.intake.domain.retention import Erasure, closed_at, erasure_record

LEASE_ID = "retention"


class MongoRetention:
    """Closed cases, their sealed reporter details and attachment files, and the lease."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]], audit: AuditTrail) -> None:
        self._db = db
        self._cases = db["cases"]
        self._reporters = db["reporters"]
        self._files = db["attachments.files"]
        self._chunks = db["attachments.chunks"]  # the GridFS bucket of AttachmentStore
        self._erasures = db["erasures"]
        #: the one lease whose holder runs the periodic job
        self.lease = MongoLease(db, LEASE_ID)
        self._audit = audit

    async def create_indexes(self) -> None:
        """Indexes the queries below rely on (idempotent)."""
        await self._cases.create_index([("closed_at", ASCENDING)], sparse=True)
        await self._erasures.create_index([("complaint_id", ASCENDING)])
        await self._files.create_index([("metadata.complaint_id", ASCENDING)])

    async def _fill_in_closed_at(self) -> None:
        legacy = {"status": {"$in": [s.value for s in FINAL]}, "closed_at": {"$exists": False}}
        async for doc in self._cases.find(legacy):
            when = closed_at(case_from_document(doc))
            await self._cases.update_one(
                {"_id": doc["_id"], "version": doc["version"]}, {"$set": {"closed_at": when}}
            )

    async def due(self, erasure: Erasure, closed_before: datetime) -> list[str]:
        """Ids of the cases closed before ``closed_before`` whose ``erasure`` is not done."""
        await self._fill_in_closed_at()
        closed = [
            doc["_id"]
            async for doc in self._cases.find(
                {"closed_at": {"$lt": closed_before}}, {"_id": 1}
            ).sort("closed_at", ASCENDING)
        ]
        done: set[str] = set()
        for start in range(0, len(closed), 1000):
            batch = closed[start : start + 1000]
            async for doc in self._erasures.find(
                {"complaint_id": {"$in": batch}, "erasure": erasure.value}, {"complaint_id": 1}
            ):
                done.add(doc["complaint_id"])
        return [complaint_id for complaint_id in closed if complaint_id not in done]

    async def erase(self, complaint_id: str, erasure: Erasure, now: datetime) -> int:
        """Erase, count it in the audit trail and mark it done, together; items erased."""

        async def write(session: AsyncClientSession) -> int:
            if erasure is Erasure.CONTACTS:
                result = await self._reporters.delete_one({"_id": complaint_id}, session=session)
                count = result.deleted_count
            else:
                # GridFS refuses transactions; its two collections do not
                files = [
                    doc["_id"]
                    async for doc in self._files.find(
                        {"metadata.complaint_id": complaint_id}, {"_id": 1}, session=session
                    )
                ]
                await self._chunks.delete_many({"files_id": {"$in": files}}, session=session)
                result = await self._files.delete_many({"_id": {"$in": files}}, session=session)
                count = result.deleted_count
            await self._erasures.insert_one(
                {
                    "_id": f"{complaint_id}:{erasure.value}",
                    "complaint_id": complaint_id,
                    "erasure": erasure.value,
                    "at": now,
                    "count": count,
                },
                session=session,
            )
            if count:
                await self._audit.append(session, erasure_record(complaint_id, erasure, count, now))
            return count

        try:
            async with self._db.client.start_session() as session:
                erased: int = await session.with_transaction(write)
        except DuplicateKeyError:
            return 0  # another run erased it first
        return erased
