"""The officers who receive each office's alerts, kept in MongoDB.

Officers set their own entry when signed in (``/v1/me/preferences``); admins can keep
entries for others with the CLI or the admin API. The handlers' look-ups of the moment
are made in one query (a group read): each starts after its caller asked, so none misses
an entry stored before it asked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from samleng.common.group_commit import GroupCommit
from samleng.notification.domain.delivery import Endpoint, Recipient


def _to_document(recipient: Recipient) -> dict[str, Any]:
    return {
        "_id": recipient.key,
        "office_id": recipient.office_id,
        "recipient_id": recipient.recipient_id,
        "language": recipient.language,
        "endpoints": [{"channel": e.channel, "address": e.address} for e in recipient.endpoints],
        "digest": recipient.digest,
    }


def _from_document(doc: dict[str, Any]) -> Recipient:
    return Recipient(
        office_id=doc["office_id"],
        recipient_id=doc["recipient_id"],
        language=doc["language"],
        endpoints=tuple(Endpoint(e["channel"], e["address"]) for e in doc["endpoints"]),
        digest=doc.get("digest", False),
    )


class MongoRecipientDirectory:
    """Recipients per office in MongoDB (collection ``recipients``)."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._recipients = db["recipients"]
        self._lookups: GroupCommit[frozenset[str], dict[str, list[Recipient]]] = GroupCommit(
            self._look_up
        )

    async def create_indexes(self) -> None:
        """Index recipients by office (idempotent)."""
        await self._recipients.create_index([("office_id", ASCENDING)])

    async def put(self, recipient: Recipient) -> bool:
        """Create or replace a recipient; True when it is new."""
        result = await self._recipients.replace_one(
            {"_id": recipient.key}, _to_document(recipient), upsert=True
        )
        return result.upserted_id is not None

    async def remove(self, office_id: str, recipient_id: str) -> bool:
        """Remove a recipient; False if there was none."""
        key = Recipient(office_id, recipient_id, "km", ()).key
        result = await self._recipients.delete_one({"_id": key})
        return result.deleted_count == 1

    async def of_office(self, office_id: str) -> list[Recipient]:
        """Everyone who receives this office's alerts."""
        cursor = self._recipients.find({"office_id": office_id}).sort("recipient_id", 1)
        return [_from_document(doc) for doc in await cursor.to_list()]

    async def of_offices(self, office_ids: Iterable[str]) -> dict[str, list[Recipient]]:
        """Everyone who receives the alerts of each of these offices, by office (the
        look-ups of concurrent callers in one read)."""
        ids = frozenset(office_ids)
        if not ids:
            return {}
        return await self._lookups.submit(ids)

    async def _look_up(self, wanted: Sequence[frozenset[str]]) -> list[dict[str, list[Recipient]]]:
        ids = sorted(frozenset().union(*wanted))
        query = {"office_id": ids[0]} if len(ids) == 1 else {"office_id": {"$in": ids}}
        found: dict[str, list[Recipient]] = {office_id: [] for office_id in ids}
        for doc in await self._recipients.find(query).sort("recipient_id", 1).to_list():
            found[doc["office_id"]].append(_from_document(doc))
        return [{office_id: found[office_id] for office_id in each} for each in wanted]

    async def get(self, key: str) -> Recipient | None:
        """One recipient by the key deliveries name it with."""
        doc = await self._recipients.find_one({"_id": key})
        return _from_document(doc) if doc else None

    async def digest_takers(self) -> list[Recipient]:
        """Recipients who chose a daily digest."""
        return [_from_document(d) for d in await self._recipients.find({"digest": True}).to_list()]
