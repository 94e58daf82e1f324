"""The officers who receive each office's alerts, kept in MongoDB.

Officers set their own entry when signed in (``/v1/me/preferences``); admins can keep
entries for others with the CLI or the admin API. They change seldom and are read on
every alert, so each process keeps them all in memory (:class:`RecipientMirror`): a
change stream on the collection, opened before the copy is read, brings every change
made by any replica a few milliseconds after it is written, and the process's own
changes at once. While the mirror is not following (at start-up, after the stream
broke), look-ups go to MongoDB, those of the moment in one query (a group read).

    directory = MongoRecipientDirectory(db)
    background.append(directory.mirror.follow)   # keeps the copy, for the life of the app
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from samleng.common.group_commit import GroupCommit
from samleng.notification.domain.delivery import Endpoint, Recipient

log = logging.getLogger(__name__)

#: How long the mirror waits before following again after its change stream broke.
REFOLLOW_SECONDS = 1.0
#: Changes after which the mirror's copy no longer matches the collection's: read it again.
RESET = frozenset({"drop", "rename", "dropDatabase", "invalidate"})


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


class RecipientMirror:
    """Every recipient in memory, by office, kept current by a change stream."""

    def __init__(self, collection: AsyncCollection[dict[str, Any]]) -> None:
        self._collection = collection
        self._offices: dict[str, dict[str, Recipient]] | None = None  # None: not following

    @property
    def following(self) -> bool:
        """True while the copy is complete and kept current."""
        return self._offices is not None

    def of_offices(self, office_ids: Iterable[str]) -> dict[str, list[Recipient]] | None:
        """The recipients of each office, as :meth:`MongoRecipientDirectory.of_offices`
        gives them; None while not following."""
        offices = self._offices
        if offices is None:
            return None
        return {
            office_id: sorted(offices.get(office_id, {}).values(), key=_by_id)
            for office_id in office_ids
        }

    def keep(self, recipient: Recipient) -> None:
        """A recipient this process stored (seen before its change comes)."""
        if self._offices is not None:
            self._offices.setdefault(recipient.office_id, {})[recipient.key] = recipient

    def drop(self, key: str) -> None:
        """A recipient this process removed."""
        if self._offices is not None:
            for kept in self._offices.values():
                kept.pop(key, None)

    async def follow(self) -> None:
        """Keep the copy current until cancelled; a broken stream is opened again."""
        quiet = False  # one warning per outage, not one per attempt
        while True:
            try:
                await self._follow_once()
            except asyncio.CancelledError:
                self._offices = None
                raise
            except Exception:
                if not quiet or self.following:
                    log.warning("recipient mirror lost its change stream; reading MongoDB")
                quiet = True
            else:
                quiet = False
            self._offices = None
            await asyncio.sleep(REFOLLOW_SECONDS)

    async def _follow_once(self) -> None:
        # the stream first, then the copy: a change made in between comes in the stream
        # too, and applying it again leaves the same document
        async with await self._collection.watch(full_document="updateLookup") as stream:
            offices: dict[str, dict[str, Recipient]] = {}
            for doc in await self._collection.find({}).to_list():
                recipient = _from_document(doc)
                offices.setdefault(recipient.office_id, {})[recipient.key] = recipient
            self._offices = offices
            async for change in stream:
                if change["operationType"] in RESET:
                    return
                self._apply(change)

    def _apply(self, change: Mapping[str, Any]) -> None:
        key = str(change["documentKey"]["_id"])
        self.drop(key)
        doc = change.get("fullDocument")
        if doc is not None:  # None: deleted (or deleted before the update was looked up)
            self.keep(_from_document(doc))


def _by_id(recipient: Recipient) -> str:
    return recipient.recipient_id


class MongoRecipientDirectory:
    """Recipients per office in MongoDB (collection ``recipients``), and their mirror."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._recipients = db["recipients"]
        self.mirror = RecipientMirror(self._recipients)
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
        self.mirror.keep(recipient)
        return result.upserted_id is not None

    async def remove(self, office_id: str, recipient_id: str) -> bool:
        """Remove a recipient; False if there was none."""
        key = Recipient(office_id, recipient_id, "km", ()).key
        result = await self._recipients.delete_one({"_id": key})
        self.mirror.drop(key)
        return result.deleted_count == 1

    async def of_office(self, office_id: str) -> list[Recipient]:
        """Everyone who receives this office's alerts."""
        cursor = self._recipients.find({"office_id": office_id}).sort("recipient_id", 1)
        return [_from_document(doc) for doc in await cursor.to_list()]

    async def of_offices(self, office_ids: Iterable[str]) -> dict[str, list[Recipient]]:
        """Everyone who receives the alerts of each of these offices, by office (from the
        mirror; while it is not following, the look-ups of the moment in one read)."""
        ids = frozenset(office_ids)
        if not ids:
            return {}
        mirrored = self.mirror.of_offices(ids)
        if mirrored is not None:
            return mirrored
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
