"""Confirmation codes and daily message counters in MongoDB; only keyed hashes, all expiring.

``contact_confirmations``: ``_id`` = keyed hash of a code sent, with the case and the
contact's index, until ``expires_at`` (a TTL index removes it). ``daily_messages``:
``_id`` = keyed hash of (day, channel, address), the tokens of the messages admitted that
day (at most the cap), until the day after (TTL). ``stopped_addresses``: ``_id`` = keyed
hash of (channel, address) whose holder sent STOP, with the time of the last STOP or START
(a resumed one expires after ``RESUMED_KEPT``). None holds an address or a code.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, ReturnDocument, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

#: How long a resumed address's last START is kept: a STOP older than it, delivered late
#: (redelivered, or replayed from a dead-letter queue within that time), changes nothing.
RESUMED_KEPT = timedelta(days=90)


class MongoConfirmationStore:
    """Codes sent and not expired (collection ``contact_confirmations``)."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._codes = db["contact_confirmations"]

    async def create_indexes(self) -> None:
        """Expire codes (idempotent)."""
        await self._codes.create_index([("expires_at", ASCENDING)], expireAfterSeconds=0)

    async def expect(self, codes: Sequence[tuple[str, str, int]], expires_at: datetime) -> None:
        """Remember codes until ``expires_at``; one expected already keeps its first expiry."""
        if codes:
            await self._codes.bulk_write(
                [
                    UpdateOne(
                        {"_id": key},
                        {
                            "$setOnInsert": {
                                "complaint_id": complaint_id,
                                "index": index,
                                "expires_at": expires_at,
                            }
                        },
                        upsert=True,
                    )
                    for key, complaint_id, index in codes
                ],
                ordered=False,
            )

    async def find(self, code_key: str, now: datetime) -> tuple[str, int] | None:
        """(complaint id, contact index) of an unexpired code (the TTL monitor is lazy)."""
        doc = await self._codes.find_one({"_id": code_key, "expires_at": {"$gt": now}})
        return (str(doc["complaint_id"]), int(doc["index"])) if doc else None


class MongoMessageAllowance:
    """Messages per citizen address per day (collection ``daily_messages``)."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._days = db["daily_messages"]
        self._stopped = db["stopped_addresses"]  # keyed hashes of addresses that sent STOP

    async def create_indexes(self) -> None:
        """Expire counters and resumed addresses (idempotent)."""
        await self._days.create_index([("expires_at", ASCENDING)], expireAfterSeconds=0)
        await self._stopped.create_index([("expires_at", ASCENDING)], expireAfterSeconds=0)

    async def admit(self, key: str, token: str, cap: int, expires_at: datetime) -> bool:
        """Add the token unless the counter holds ``cap`` others, in one atomic update
        (two replicas racing for the last place cannot both win); True if it is in."""
        tokens = {"$ifNull": ["$tokens", []]}
        token_in = {"$in": [{"$literal": token}, tokens]}
        full = {"$gte": [{"$size": tokens}, cap]}
        added = {"$concatArrays": [tokens, [{"$literal": token}]]}
        doc = await self._days.find_one_and_update(
            {"_id": key},
            [
                {
                    "$set": {
                        "tokens": {"$cond": [{"$or": [token_in, full]}, tokens, added]},
                        "expires_at": {"$literal": expires_at},
                    }
                }
            ],
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        return doc is not None and token in doc.get("tokens", ())

    async def stop(self, key: str, at: datetime) -> None:
        """Admit nothing more to this address (unless it was resumed after ``at``)."""
        await self._change(key, at, {"stopped": True, "at": at}, {"expires_at": ""})

    async def resume(self, key: str, at: datetime) -> None:
        """Admit messages to this address again (unless it was stopped after ``at``)."""
        await self._change(key, at, {"stopped": False, "at": at, "expires_at": at + RESUMED_KEPT})

    async def _change(
        self, key: str, at: datetime, changes: dict[str, Any], unset: dict[str, str] | None = None
    ) -> None:
        """Apply the change only if it is later than the one kept: order-tolerant."""
        update: dict[str, Any] = {"$set": changes}
        if unset:
            update["$unset"] = unset
        later = {"$or": [{"at": {"$lt": at}}, {"at": {"$exists": False}}]}
        try:
            await self._stopped.update_one({"_id": key, **later}, update, upsert=True)
        except DuplicateKeyError:
            return  # a later STOP or START of this address is kept already

    async def stopped(self, key: str) -> bool:
        """Whether the address sent STOP (and no START after it)."""
        doc = await self._stopped.find_one({"_id": key})
        return doc is not None and bool(doc.get("stopped", True))
