"""Offices' inboxes: queries over intake's ``cases`` collection, read-only.

A page is ordered oldest first (``submitted_at``, then id) or by the office's next deadline
(``due_order``: cases without one last), and continues after an opaque cursor naming the
last case of the previous page, so pages stay stable while new cases arrive. Counts per
status use the same filters except the status filter.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Collection
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from samleng.common.events import CaseStatus, OfficeRef
from samleng.intake.adapters.cases import NO_DEADLINE, case_from_document
from samleng.intake.domain.model import Case
from samleng.intake.ports import InboxFilter, InboxPage

Document = dict[str, Any]

#: How a page can be ordered: the field sorted on, for each order.
ORDERS = {"submitted": "submitted_at", "deadline": "due_order"}


class InvalidCursor(ValueError):
    """The cursor was not made by this API (or was altered)."""


def _sort_value(case: Case, order: str) -> datetime:
    if order == "deadline":
        return case.next_due or NO_DEADLINE
    return case.submitted_at


def encode_cursor(case: Case, order: str = "submitted") -> str:
    """An opaque cursor pointing just after ``case`` in the given order."""
    raw = json.dumps([order, _sort_value(case, order).isoformat(), case.complaint_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, order: str = "submitted") -> tuple[datetime, str]:
    """The position a cursor points after; InvalidCursor if it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        made_for, at, complaint_id = json.loads(raw)
        if made_for != order:
            raise ValueError("cursor of another order")
        return datetime.fromisoformat(at), str(complaint_id)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise InvalidCursor(cursor) from exc


class Inbox:
    """The cases that sit with one or more offices."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._cases = db["cases"]

    async def create_indexes(self) -> None:
        """The indexes inbox pages use, one per order (idempotent)."""
        for field in ORDERS.values():
            await self._cases.create_index(
                [("office.office_id", ASCENDING), (field, ASCENDING), ("_id", ASCENDING)]
            )
        # a partner expert's inbox over whole provinces
        await self._cases.create_index(
            [("location.province_code", ASCENDING), ("submitted_at", ASCENDING)]
        )

    async def page(
        self,
        where: InboxFilter,
        *,
        limit: int,
        cursor: str | None = None,
        order: str = "submitted",
    ) -> InboxPage:
        """A page of cases in ``order`` (oldest first, or next deadline first), after ``cursor``."""
        field = ORDERS[order]
        query = _query(where, with_status=True)
        if cursor:
            at, complaint_id = decode_cursor(cursor, order)
            query["$or"] = [
                {field: {"$gt": at}},
                {field: at, "_id": {"$gt": complaint_id}},
            ]
        found = self._cases.find(query).sort([(field, ASCENDING), ("_id", ASCENDING)])
        docs = await found.limit(limit + 1).to_list()
        cases = tuple(case_from_document(doc) for doc in docs[:limit])
        more = len(docs) > limit
        next_cursor = encode_cursor(cases[-1], order) if more else None
        return InboxPage(cases=cases, next_cursor=next_cursor)

    async def counts(self, where: InboxFilter) -> dict[str, int]:
        """How many cases of the inbox are in each status (ignoring the status filter)."""
        pipeline: list[Document] = [
            {"$match": _query(where, with_status=False)},
            {"$group": {"_id": "$status", "n": {"$sum": 1}}},
        ]
        counted = {status.value: 0 for status in CaseStatus}
        async for row in await self._cases.aggregate(pipeline):
            counted[str(row["_id"])] = int(row["n"])
        return counted

    async def office_names(self, office_ids: Collection[str]) -> dict[str, OfficeRef]:
        """The offices, as routing named them on their cases (an office without a case is
        left out)."""
        pipeline: list[Document] = [
            {"$match": {"office.office_id": {"$in": sorted(office_ids)}}},
            {"$group": {"_id": "$office.office_id", "office": {"$last": "$office"}}},
        ]
        return {
            str(row["_id"]): OfficeRef.model_validate(row["office"])
            async for row in await self._cases.aggregate(pipeline)
        }


def _query(where: InboxFilter, *, with_status: bool) -> Document:
    query: Document = {"office.office_id": {"$in": list(where.offices)}}
    if where.provinces:  # a partner expert's scope: its offices, or whole provinces
        query = {
            "$and": [
                {
                    "$or": [
                        query,
                        {"location.province_code": {"$in": list(where.provinces)}},
                    ]
                }
            ]
        }
    if with_status and where.statuses:
        query["status"] = {"$in": [s.value for s in where.statuses]}
    if where.kind is not None:
        query["kind"] = where.kind.value
    if where.service_code:
        query["service_code"] = where.service_code
    if where.escalated is not None:
        query["escalated"] = True if where.escalated else {"$ne": True}
    if where.overdue_at is not None:
        query["next_due"] = {"$lt": where.overdue_at}
    return query
