"""Notes on a case, kept apart from the case so no citizen view shows them: officers'
internal notes (``internal_notes``) and partner experts' notes to the office
(``partner_notes``, the office the case was with when written).

Notes are append-only (no endpoint edits or deletes them) and carry the author's role and
office, not their name, like every other record officers leave.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from samleng.intake.ports import InternalNote


class InternalNotes:
    """The ``internal_notes`` collection (or ``partner_notes``)."""

    def __init__(
        self, db: AsyncDatabase[dict[str, Any]], collection: str = "internal_notes"
    ) -> None:
        self._notes = db[collection]

    async def create_indexes(self) -> None:
        """Notes are read per case, oldest first (idempotent)."""
        await self._notes.create_index([("complaint_id", ASCENDING), ("at", ASCENDING)])

    async def add(
        self, complaint_id: str, text: str, *, role: str, office_id: str, now: datetime
    ) -> InternalNote:
        """Store a new note."""
        note = InternalNote(uuid.uuid4().hex, complaint_id, now, role, office_id, text)
        await self._notes.insert_one({"_id": note.note_id, **_fields(note)})
        return note

    async def for_case(self, complaint_id: str) -> list[InternalNote]:
        """Every note on a case, oldest first."""
        cursor = self._notes.find({"complaint_id": complaint_id}).sort("at", ASCENDING)
        return [
            InternalNote(
                note_id=doc["_id"],
                complaint_id=doc["complaint_id"],
                at=doc["at"],
                role=doc["role"],
                office_id=doc["office_id"],
                text=doc["text"],
            )
            async for doc in cursor
        ]


def _fields(note: InternalNote) -> dict[str, Any]:
    return {
        "complaint_id": note.complaint_id,
        "at": note.at,
        "role": note.role,
        "office_id": note.office_id,
        "text": note.text,
    }
