"""What notification remembers of a case: the citizen's sealed contacts and language,
the offices it moved through, and the notices that arrived before what they need
(citizen notices before the contacts, an answer before the assignment)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from samleng.common.events import SealedContact
from samleng.notification.domain.notices import Notice, office_in_charge


@dataclass(frozen=True)
class CaseContacts:
    """The citizen's sealed contacts and language, once complaint.submitted was seen."""

    known: bool
    language: str
    contacts: tuple[SealedContact, ...]
    notices: tuple[Notice, ...]


def _from_document(doc: dict[str, Any] | None) -> CaseContacts:
    doc = doc or {}
    return CaseContacts(
        known=bool(doc.get("contacts_known")),
        language=doc.get("language", "km"),
        contacts=tuple(SealedContact.model_validate(c) for c in doc.get("contacts", ())),
        notices=tuple(Notice.from_document(n) for n in doc.get("notices", ())),
    )


class CaseMemory:
    """One small document per case; contacts stay sealed at rest."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._cases = db["cases"]

    async def learn_contacts(
        self, complaint_id: str, language: str, contacts: tuple[SealedContact, ...]
    ) -> CaseContacts:
        """Remember the sealed contacts; returns them with every citizen notice kept so far."""
        doc = await self._cases.find_one_and_update(
            {"_id": complaint_id},
            {
                "$set": {
                    "contacts_known": True,
                    "language": language,
                    "contacts": [c.model_dump() for c in contacts],
                }
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        return _from_document(doc)

    async def keep_notice(self, notice: Notice) -> CaseContacts:
        """Keep a citizen notice; returns the case as it is right after.

        Keeping first and reading in the same atomic update means a notice racing with
        complaint.submitted on another replica is seen by one of the two, never neither.
        """
        doc = await self._cases.find_one_and_update(
            {"_id": notice.complaint_id},
            {"$addToSet": {"notices": notice.to_document()}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        return _from_document(doc)

    async def record_move(
        self, complaint_id: str, office_id: str, sequence: int
    ) -> list[tuple[str, Notice]]:
        """Remember a move of the case; returns waiting office notices it lets us place.

        Every move is kept with its sequence, so an answer that overtook the assignment
        goes to the office the case was with when the citizen answered.
        """
        doc = await self._cases.find_one_and_update(
            {"_id": complaint_id},
            {"$addToSet": {"moves": {"sequence": sequence, "office_id": office_id}}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        moves = _moves(doc)
        placed = []
        for raw in (doc or {}).get("office_notices", ()):
            notice = Notice.from_document(raw)
            office = office_in_charge(moves, notice.sequence)
            if office:
                placed.append((office, notice))
        return placed

    async def keep_office_notice(self, notice: Notice) -> str | None:
        """Keep an office notice that names no office; returns the office if known already."""
        doc = await self._cases.find_one_and_update(
            {"_id": notice.complaint_id},
            {"$addToSet": {"office_notices": notice.to_document()}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        return office_in_charge(_moves(doc), notice.sequence)

    async def forget_office_notices(self, complaint_id: str, event_ids: list[str]) -> None:
        """Drop office notices once their deliveries are planned."""
        await self._cases.update_one(
            {"_id": complaint_id},
            {"$pull": {"office_notices": {"event_id": {"$in": event_ids}}}},
        )


def _moves(doc: dict[str, Any] | None) -> list[tuple[int, str]]:
    return [(int(m["sequence"]), str(m["office_id"])) for m in (doc or {}).get("moves", ())]
