"""MongoDB side of duplicates: the comparable cases of an office, found pairs, links.

``duplicate_candidates`` holds one document per pair found (``_id`` = ``case|other``),
written when a case reaches an office; either case's view reads it. The comparable cases
come from ``cases`` through one compound index (office, commune, status, submission
time), so the query reads only the office's open cases of that commune in the window,
however many cases the country holds.
"""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from samleng.common.events import OPEN
from samleng.intake.adapters.cases import case_from_document
from samleng.intake.domain.duplicates import Candidate, DuplicateRule
from samleng.intake.domain.model import Case

Document = dict[str, Any]

#: At most this many cases are scored for one new case (the newest in the window).
MAX_COMPARED = 500


class DuplicateStore:
    """Comparable cases, the pairs found among them and the links officers made."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._cases = db["cases"]
        self._pairs = db["duplicate_candidates"]

    async def create_indexes(self) -> None:
        """The indexes of the comparable-cases query, the pairs and the links (idempotent)."""
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
        await self._pairs.create_index("case_id")
        await self._pairs.create_index("other_id")

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

    async def remember(self, case: Case, candidates: tuple[Candidate, ...]) -> None:
        """Keep the pairs found for ``case``; drop those an earlier routing found."""
        others = [c.complaint_id for c in candidates]
        await self._pairs.delete_many({"case_id": case.complaint_id, "other_id": {"$nin": others}})
        if not candidates:
            return
        await self._pairs.bulk_write(
            [
                UpdateOne(
                    {"_id": f"{case.complaint_id}|{c.complaint_id}"},
                    {
                        "$set": {
                            "case_id": case.complaint_id,
                            "other_id": c.complaint_id,
                            "score": c.score,
                            "same_service": c.same_service,
                            "days_apart": c.days_apart,
                            "case_submitted_at": case.submitted_at,
                            "other_submitted_at": c.submitted_at,
                        }
                    },
                    upsert=True,
                )
                for c in candidates
            ]
        )

    async def candidates_of(self, complaint_id: str) -> list[Candidate]:
        """The pairs the case is part of, as candidates for it, best first."""
        found = self._pairs.find({"$or": [{"case_id": complaint_id}, {"other_id": complaint_id}]})
        candidates = [
            Candidate(
                complaint_id=doc["other_id"] if doc["case_id"] == complaint_id else doc["case_id"],
                score=float(doc["score"]),
                same_service=bool(doc["same_service"]),
                days_apart=int(doc["days_apart"]),
                submitted_at=(
                    doc["other_submitted_at"]
                    if doc["case_id"] == complaint_id
                    else doc["case_submitted_at"]
                ),
            )
            async for doc in found.limit(50)
        ]
        return sorted(candidates, key=lambda c: (-c.score, c.submitted_at))

    async def linked_to(self, original_id: str) -> list[str]:
        """The ids of the cases linked to ``original_id``."""
        found = self._cases.find({"linked_to": original_id}, {"_id": 1})
        return [str(doc["_id"]) async for doc in found]
