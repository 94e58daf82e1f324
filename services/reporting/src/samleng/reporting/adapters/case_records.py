"""Case records in MongoDB (``cases`` collection), one per complaint.

A consumer reads a record, folds an event into it and writes it back *in place of the
record it read* (:meth:`MongoCaseRecords.replace`, a compare-and-set on ``n_events``): two
consumers extending the same complaint at once cannot both win, and the loser folds again
from what the winner wrote. Each write holds every event of the record it replaces, so the
records of a complaint only grow, and one ``n_events`` names one record. A rebuild writes
with :meth:`MongoCaseRecords.save`: the record folded from more events wins.

The records this consumer wrote last are kept in memory (a few thousand, least recently
used first out), so the next event of a complaint is folded without reading its record
again. A kept record can only be older than the stored one (records only grow), and
``replace`` compares ``n_events`` with the stored one: a stale one loses the
compare-and-set, is dropped, and the handler reads the stored record and folds again.
Records that consumers write at the same time go in one unordered bulk write (a group
commit); when some of them lost their compare-and-set, the bulk write does not say which,
so every one of the round folds again (one that was stored finds its event folded).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from pymongo import InsertOne, ReplaceOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from samleng.common.group_commit import GroupCommit, note_refusals
from samleng.reporting.domain.cases import UNFINISHED, CaseRecord
from samleng.reporting.domain.figures import Area

#: How many records written last are kept in memory to fold the next event without a read.
KEPT_RECORDS = 2000
#: Records read per round trip when a period's records are streamed.
RELEVANT_BATCH = 1000


class MongoCaseRecords:
    """Read and write case records."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._cases = db["cases"]
        self._written: OrderedDict[str, CaseRecord] = OrderedDict()
        self._writes: GroupCommit[tuple[CaseRecord, CaseRecord | None], bool] = GroupCommit(
            self._write_round
        )

    async def create_indexes(self) -> None:
        """Indexes of the period and area queries (idempotent)."""
        await self._cases.create_index([("province", 1), ("district", 1), ("received_at", 1)])
        await self._cases.create_index([("received_at", 1)])
        await self._cases.create_index([("status", 1)])
        await self._cases.create_index([("last_event_at", -1)])
        await self._cases.create_index([("commune", 1), ("received_at", 1)])

    async def get(self, complaint_id: str) -> CaseRecord | None:
        """The stored record of a complaint, if any (the one this consumer wrote last, if
        it is still kept; callers never change it in place)."""
        kept = self._written.get(complaint_id)
        if kept is not None:
            return kept
        doc = await self._cases.find_one({"_id": complaint_id})
        return None if doc is None else CaseRecord.from_document(doc)

    def _keep(self, record: CaseRecord) -> None:
        self._written[record.complaint_id] = record
        self._written.move_to_end(record.complaint_id)
        if len(self._written) > KEPT_RECORDS:
            self._written.popitem(last=False)

    async def replace(self, record: CaseRecord, previous: CaseRecord | None) -> bool:
        """Store the record in place of ``previous``, the stored one it was folded from
        (None: there was none); False when another consumer changed it meanwhile (or,
        rarely, when another record of its round did: folding again then finds it stored)."""
        self._written.pop(record.complaint_id, None)  # kept again only once written
        if not await self._writes.submit((record, previous)):
            return False
        self._keep(record)
        return True

    async def _write_round(
        self, round_: list[tuple[CaseRecord, CaseRecord | None]]
    ) -> list[bool | BaseException]:
        writes: list[InsertOne[dict[str, Any]] | ReplaceOne[dict[str, Any]]] = [
            InsertOne(record.to_document())
            if previous is None
            else ReplaceOne(
                {"_id": record.complaint_id, "n_events": previous.n_events},
                record.to_document(),
            )
            for record, previous in round_
        ]
        outcome: list[bool | BaseException] = [True] * len(writes)
        try:
            matched = (await self._cases.bulk_write(writes, ordered=False)).matched_count
        except BulkWriteError as exc:
            note_refusals(exc, outcome)
            matched = int(exc.details.get("nMatched", 0))
        replaced = [
            i for i, (_, before) in enumerate(round_) if before is not None and outcome[i] is True
        ]
        if matched < len(replaced):
            for i in replaced:
                outcome[i] = False
        return outcome

    async def save(self, record: CaseRecord) -> None:
        """Store the record unless a record folded from more events is already there."""
        self._written.pop(record.complaint_id, None)
        document = record.to_document()
        fresher_or_equal = {"_id": record.complaint_id, "n_events": {"$lte": record.n_events}}
        try:
            await self._cases.replace_one(fresher_or_equal, document, upsert=True)
        except DuplicateKeyError:
            # Either a record folded from more events is stored (keep it), or another
            # consumer inserted this complaint's first record meanwhile: try once more.
            await self._cases.replace_one(fresher_or_equal, document)

    async def clear(self) -> None:
        """Forget every record (before a rebuild)."""
        self._written.clear()
        await self._cases.delete_many({})

    async def relevant(
        self, area: Area, start: datetime, end: datetime
    ) -> AsyncIterator[CaseRecord]:
        """Records that can count in a period: received in it, or before it and either
        changed since its start or unfinished now; read as they are used."""
        query: dict[str, Any] = {
            "received_at": {"$ne": None, "$lt": end},
            "$or": [
                {"received_at": {"$gte": start}},
                {"last_event_at": {"$gte": start}},
                {"status": {"$in": [s.value for s in UNFINISHED]}},
            ],
        }
        # the same test as Area.contains: the smallest area named decides
        if area.commune is not None:
            query["commune"] = area.commune
        elif area.district is not None:
            query["district"] = area.district
        elif area.province is not None:
            query["province"] = area.province
        # the ids of the folded events are for folding, not counting: leave them here; a
        # batch is decoded at once, so a small one (not 16 MB of records) is all that is held
        cursor = self._cases.find(query, {"folded": 0}, batch_size=RELEVANT_BATCH)
        async for doc in cursor:
            yield CaseRecord.from_document(doc)

    async def first_received(self) -> datetime | None:
        """When the earliest case was received (None before any)."""
        doc = await self._cases.find_one(
            {"received_at": {"$ne": None}}, {"received_at": 1}, sort=[("received_at", 1)]
        )
        return None if doc is None else doc["received_at"]

    async def status_counts(self) -> tuple[dict[str, int], datetime | None]:
        """Received cases per current status, and the time of the newest event."""
        counts: dict[str, int] = {}
        cursor = await self._cases.aggregate(
            [
                {"$match": {"received_at": {"$ne": None}}},
                {"$group": {"_id": {"s": "$status", "how": "$closed_how"}, "n": {"$sum": 1}}},
            ]
        )
        async for row in cursor:
            status = row["_id"]["s"]
            if status == "closed":
                confirmed = row["_id"].get("how") == "confirmed_by_citizen"
                status = "closed_confirmed" if confirmed else "closed_auto"
            counts[status] = counts.get(status, 0) + row["n"]
        return counts, await self.latest_event_at()

    async def latest_event_at(self) -> datetime | None:
        """The time of the newest event folded into a received case's record (a complaint
        whose submission has not arrived counts nowhere, not even here)."""
        latest = await self._cases.find_one(
            {"received_at": {"$ne": None}}, {"last_event_at": 1}, sort=[("last_event_at", -1)]
        )
        return (latest or {}).get("last_event_at")
