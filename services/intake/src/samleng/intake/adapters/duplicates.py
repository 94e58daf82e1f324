"""MongoDB side of duplicates: the comparable cases of an office, and links.

The comparable cases come from ``cases`` through one compound index (office, commune,
status, submission time), so the query reads only the office's open cases of that commune
in the window, however many cases the country holds. They are read when an officer opens
a case, not when a case reaches an office: nothing is stored per pair, so a pair is never
stale and the flow of new cases pays nothing for it (issue #19).
"""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from samleng.common.events import OPEN
from samleng.intake.adapters.cases import case_from_document
from samleng.intake.domain.duplicates import DuplicateRule
from samleng.intake.domain.model import Case

Document = dict[str, Any]

#: At most this many cases are scored for one new case (the newest in the window).
MAX_COMPARED = 500


class DuplicateStore:
    """Comparable cases and the links officers made."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._db = db
        self._cases = db["cases"]

    async def create_indexes(self) -> None:
        """The indexes of the comparable-cases query and the links (idempotent); the pairs
        earlier versions stored are dropped."""
        await self._cases.create_index(
            [
                ("office.office_id", ASCENDING),
                ("location.commune_code", ASCENDING),
                ("status", ASCENDING),
                ("submitted_at", DESCENDING),
            ],
            name="duplicates_comparable",
        )
        await self._cases.create_index(
            "linked_to", partialFilterExpression={"linked_to": {"$type": "string"}}
        )
        await self._db.drop_collection("duplicate_candidates")

    async def comparable(self, case: Case, rule: DuplicateRule) -> list[Case]:
        """The office's open, unlinked cases of the commune and service in the window."""
        if case.office is None:
            return []
        sub = case.submission
        query: Document = {
            "office.office_id": case.office.office_id,
            "location.commune_code": sub.location.commune_code,
            "status": {"$in": [s.value for s in OPEN]},
            "submitted_at": {
                "$gte": case.submitted_at - rule.window,
                "$lte": case.submitted_at + rule.window,
            },
            "_id": {"$ne": case.complaint_id},
            "linked_to": None,
        }
        if sub.service_code:
            query["service_code"] = sub.service_code
        else:
            query["category"] = sub.category.value
        found = self._cases.find(query).sort("submitted_at", DESCENDING).limit(MAX_COMPARED)
        return [case_from_document(doc) async for doc in found]

    async def linked_to(self, original_id: str) -> list[str]:
        """The ids of the cases linked to ``original_id``."""
        found = self._cases.find({"linked_to": original_id}, {"_id": 1})
        return [str(doc["_id"]) async for doc in found]
