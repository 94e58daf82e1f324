"""What notification remembers of a case, in MongoDB: one small document per case.

The citizen's contacts stay sealed at rest. Every change is one atomic update that
returns the document as it is right after, so a notice racing with complaint.submitted
on another replica is seen by one of the two, never neither. A citizen notice for a case
whose contacts are known and have all confirmed is not kept (a read instead of a write):
neither ever reverts, so nothing can miss it; until then notices are kept for the
contacts that confirm later. complaint.submitted usually comes first: its record is then
inserted, those of the moment in one ``insert_many`` (group commit), and the record is
what was inserted (nothing was kept before it). Only when the case exists already (an
event that overtook the submission, a replay) is it updated and read back.

Updates of the moment go together too (a group commit): one unordered bulk write of the
updates, then one read of the cases they changed. Each caller gets its case as read
after its own update, which keeps the rule above: of two racing writers, the one whose
update came second reads the other's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo import ReturnDocument, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from samleng.common.events import SealedContact
from samleng.common.group_commit import GroupCommit, NewDocuments, note_refusals
from samleng.notification.domain.cases import CaseRecord, Move
from samleng.notification.domain.notices import Notice


def _from_document(doc: dict[str, Any] | None) -> CaseRecord:
    doc = doc or {}
    return CaseRecord(
        contacts_known=bool(doc.get("contacts_known")),
        language=doc.get("language", "km"),
        contacts=tuple(SealedContact.model_validate(c) for c in doc.get("contacts", ())),
        notices=tuple(Notice.from_document(n) for n in doc.get("notices", ())),
        office_notices=tuple(Notice.from_document(n) for n in doc.get("office_notices", ())),
        moves=tuple(Move(int(m["sequence"]), str(m["office_id"])) for m in doc.get("moves", ())),
        confirmed=frozenset(int(i) for i in doc.get("confirmed", ())),
        contacts_erased="contacts_erased_at" in doc,  # adapters/retention.py
    )


class MongoCaseMemory:
    """Case records in MongoDB (collection ``cases``)."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._cases = db["cases"]
        self._new = NewDocuments(self._cases)
        self._updates: GroupCommit[tuple[str, dict[str, Any]], CaseRecord] = GroupCommit(
            self._update_round
        )

    async def _update(self, complaint_id: str, update: dict[str, Any]) -> CaseRecord:
        return await self._updates.submit((complaint_id, update))

    async def _update_one(self, complaint_id: str, update: dict[str, Any]) -> CaseRecord:
        doc = await self._cases.find_one_and_update(
            {"_id": complaint_id}, update, upsert=True, return_document=ReturnDocument.AFTER
        )
        return _from_document(doc)

    async def _update_round(
        self, round_: list[tuple[str, dict[str, Any]]]
    ) -> list[CaseRecord | BaseException]:
        if len(round_) == 1:
            return [await self._update_one(*round_[0])]
        alone: dict[int, CaseRecord | BaseException] = {}
        writes = [UpdateOne({"_id": key}, update, upsert=True) for key, update in round_]
        refusals: list[bool | BaseException] = [True] * len(round_)
        try:
            await self._cases.bulk_write(writes, ordered=False)
        except BulkWriteError as refused:
            # a write concern the round missed is raised to every caller (none is durable)
            note_refusals(refused, refusals)
        # two upserts of one new case raced (or one was refused): each again alone
        for index in (i for i, went_in in enumerate(refusals) if went_in is not True):
            try:
                alone[index] = await self._update_one(*round_[index])
            except Exception as failed:
                alone[index] = failed
        keys = list({key for key, _ in round_})
        after = {doc["_id"]: doc async for doc in self._cases.find({"_id": {"$in": keys}})}
        return [
            alone[i] if i in alone else _from_document(after.get(key))
            for i, (key, _) in enumerate(round_)
        ]

    async def learn_contacts(
        self, complaint_id: str, language: str, contacts: tuple[SealedContact, ...]
    ) -> CaseRecord:
        """Remember the sealed contacts; returns the case with every notice kept so far
        (without contacts, no notice kept can go anywhere: the case comes back without them)."""
        learnt = {
            "contacts_known": True,
            "language": language,
            "contacts": [c.model_dump() for c in contacts],
        }
        if await self._new.insert({"_id": complaint_id, **learnt}):
            # nothing was kept before this insert: the case is what it holds
            return CaseRecord(contacts_known=True, language=language, contacts=contacts)
        if not contacts:
            await self._cases.update_one({"_id": complaint_id}, {"$set": learnt}, upsert=True)
            return CaseRecord(contacts_known=True, language=language)
        return await self._update(complaint_id, {"$set": learnt})

    async def remember(
        self, complaint_id: str, *, move: Move | None, notices: Sequence[Notice]
    ) -> CaseRecord:
        """Keep a move and notices (citizen ones, office ones naming no office) in one
        atomic write; returns the case as it is right after."""
        kept: dict[str, Any] = {}
        if move:
            kept["moves"] = {"sequence": move.sequence, "office_id": move.office_id}
        citizen = [n.to_document() for n in notices if n.audience == "citizen"]
        waiting = [n.to_document() for n in notices if n.audience == "office"]
        if citizen:
            kept["notices"] = {"$each": citizen}
        if waiting:
            kept["office_notices"] = {"$each": waiting}
        if not kept:
            return _from_document(await self._cases.find_one({"_id": complaint_id}))
        if set(kept) == {"notices"}:
            # contacts, once known and all confirmed, stay so: a read then spares the write
            known = _from_document(await self._cases.find_one({"_id": complaint_id}))
            if not known.awaiting_consent:
                return known
        return await self._update(complaint_id, {"$addToSet": kept})

    async def confirm(self, complaint_id: str, index: int) -> CaseRecord:
        """Record that contact ``index`` confirmed; returns the case right after."""
        return await self._update(complaint_id, {"$addToSet": {"confirmed": index}})

    async def forget_office_notices(self, complaint_id: str, event_ids: list[str]) -> None:
        """Drop waiting office notices once their deliveries are planned."""
        await self._cases.update_one(
            {"_id": complaint_id},
            {"$pull": {"office_notices": {"event_id": {"$in": event_ids}}}},
        )
