"""Confirmation codes and daily message counters in MongoDB; only keyed hashes, all expiring.

``contact_confirmations``: ``_id`` = keyed hash of a code sent, with the case and the
contact's index, until ``expires_at`` (a TTL index removes it). ``daily_messages``:
``_id`` = keyed hash of (day, channel, address), the tokens of the messages admitted that
day (at most the cap), until the day after (TTL). Neither holds an address or a code.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase


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
        """Expire counters (idempotent)."""
        await self._days.create_index([("expires_at", ASCENDING)], expireAfterSeconds=0)

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

    async def stop(self, key: str) -> None:
        """Admit nothing more to this address."""
        await self._stopped.update_one({"_id": key}, {"$set": {"_id": key}}, upsert=True)

    async def resume(self, key: str) -> None:
        """Admit messages to this address again."""
        await self._stopped.delete_one({"_id": key})

    async def stopped(self, key: str) -> bool:
        """Whether the address sent STOP."""
        return await self._stopped.find_one({"_id": key}) is not None
