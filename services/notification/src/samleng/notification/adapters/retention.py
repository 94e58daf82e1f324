"""MongoDB side of notification's retention: when cases became final, and the erasures.

A case record (collection ``cases``) keeps ``finality_sequence`` (the sequence of the
latest closure, rejection, withdrawal or reopening seen) and ``final_at`` (when it became
final; absent while it is not). Each is set by one conditional update, so a replayed or
older event changes nothing. A case is due when it has been final since before the
cutoff and still holds contacts; a partial index on ``final_at`` holds only such cases,
so a run reads only what it will erase. Erasure is a few bulk updates per batch of cases:
the sealed targets of their citizen deliveries (settled ones keep their log entry; one
still waiting is suppressed with the reason), their pending confirmation codes, and last
the contacts (``contacts`` emptied, ``contacts_erased_at`` set), so a run cut short leaves
the case due for the next. A case one of whose citizen deliveries a courier is sending
right now waits for the next run.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from samleng.common.leases import MongoLease
from samleng.notification.domain.delivery import DeliveryState
from samleng.notification.domain.retention import NOT_SENT, SETTLED, Finality

LEASE_ID = "retention"
#: Cases erased per round of bulk updates.
BATCH = 500
#: The partial index's filter: final cases that hold at least one contact.
HOLDING_CONTACTS = {"final_at": {"$exists": True}, "contacts.0": {"$exists": True}}


def _due(final_before: datetime) -> dict[str, Any]:
    return {"final_at": {"$exists": True, "$lt": final_before}, "contacts.0": {"$exists": True}}


class MongoCaseRetention:
    """Finality on the case records, and erasure of what holds the citizen's address."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._cases = db["cases"]
        self._deliveries = db["deliveries"]
        self._codes = db["contact_confirmations"]
        #: the one lease whose holder runs the periodic erasure
        self.lease = MongoLease(db, LEASE_ID)

    async def create_indexes(self) -> None:
        """The due date's index, and the codes' by case (idempotent)."""
        await self._cases.create_index(
            [("final_at", ASCENDING)],
            name="retention_due",
            partialFilterExpression=HOLDING_CONTACTS,
        )
        await self._codes.create_index([("complaint_id", ASCENDING)])

    async def record(self, complaint_id: str, finality: Finality) -> None:
        """Keep whether (and since when) the case is final, unless it knows newer news."""
        known = "finality_sequence"
        older = {"$or": [{known: {"$exists": False}}, {known: {"$lt": finality.sequence}}]}
        update: dict[str, Any] = {"$set": {known: finality.sequence}}
        if finality.final_at is None:
            update["$unset"] = {"final_at": ""}
        else:
            update["$set"]["final_at"] = finality.final_at
        # a duplicate key: the case knows as new or newer news, so this event changes nothing
        with contextlib.suppress(DuplicateKeyError):
            await self._cases.update_one({"_id": complaint_id, **older}, update, upsert=True)

    async def erase_replayed(self, complaint_id: str) -> None:
        """Erase again contacts a replayed complaint.submitted brought back."""
        await self._cases.update_one(
            {"_id": complaint_id, "contacts_erased_at": {"$exists": True}},
            {"$set": {"contacts": []}},
        )

    async def count_due(self, final_before: datetime) -> int:
        """How many cases final before ``final_before`` still hold contacts."""
        return await self._cases.count_documents(_due(final_before), hint="retention_due")

    async def erase_due(self, final_before: datetime, now: datetime) -> int:
        """Erase what cases final before ``final_before`` hold of their citizen's address,
        a batch at a time; how many cases this run erased."""
        erased, busy = 0, list[str]()
        while True:
            cursor = self._cases.find(
                {**_due(final_before), "_id": {"$nin": busy}}, {"_id": 1}
            ).hint("retention_due")
            batch = [doc["_id"] async for doc in cursor.limit(BATCH)]
            if not batch:
                return erased
            citizen = {"complaint_id": {"$in": batch}, "audience": "citizen"}
            sending = await self._deliveries.distinct(
                "complaint_id", {**citizen, "state": DeliveryState.SENDING}
            )
            busy += sending
            batch = [complaint_id for complaint_id in batch if complaint_id not in set(sending)]
            if batch:
                erased += await self._erase(batch, final_before, now)

    async def _erase(self, batch: list[str], final_before: datetime, now: datetime) -> int:
        # the copies first and the case last: a run cut short leaves the case due, and the
        # next run does it all again (each step is idempotent)
        citizen = {"complaint_id": {"$in": batch}, "audience": "citizen"}
        citizen["target"] = {"$exists": True}
        await self._deliveries.update_many(
            {**citizen, "state": {"$in": [s.value for s in SETTLED]}}, {"$unset": {"target": ""}}
        )
        await self._deliveries.update_many(
            {**citizen, "state": DeliveryState.PENDING},
            {
                "$set": {"state": DeliveryState.SUPPRESSED, "last_error": NOT_SENT},
                "$unset": {"target": ""},
            },
        )
        await self._codes.delete_many({"complaint_id": {"$in": batch}})
        result = await self._cases.update_many(
            {**_due(final_before), "_id": {"$in": batch}},
            {"$set": {"contacts": [], "contacts_erased_at": now}},
        )
        return result.modified_count
