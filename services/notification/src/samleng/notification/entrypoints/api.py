"""Notification's HTTP API: an office's in-app feed, read and unread.

The feed is addressed by office until officers sign in (issue 5); then it is scoped to
the officer's own office.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Path
from pydantic import BaseModel

from samleng.common.http import Problem
from samleng.notification.adapters.feed import AlertFeed


class Bilingual(BaseModel):
    """The same text in English and Khmer."""

    en: str
    km: str


class AlertView(BaseModel):
    """One in-app alert."""

    event_id: str
    complaint_id: str
    channel: str
    title: Bilingual
    created_at: datetime
    read: bool


class Feed(BaseModel):
    """An office's newest alerts."""

    office_id: str
    unread: int
    alerts: list[AlertView]


class ReadMark(BaseModel):
    """Whether an alert has been read."""

    read: bool = True


OfficeId = Path(max_length=64)


def make_router(feed: AlertFeed) -> APIRouter:
    """Routes over the given feed."""
    router = APIRouter(prefix="/v1", tags=["in-app feed"])

    @router.get("/offices/{office_id}/notifications", response_model=Feed)
    async def office_feed(office_id: str = OfficeId) -> Feed:
        """The newest in-app alerts of an office, and how many are unread."""
        recipient = f"office:{office_id}"
        docs = await feed.for_recipient(recipient)
        return Feed(
            office_id=office_id,
            unread=await feed.unread(recipient),
            alerts=[
                AlertView(
                    event_id=d["event_id"],
                    complaint_id=d["complaint_id"],
                    channel=d["channel"],
                    title=Bilingual(en=d["title_en"], km=d["title_km"]),
                    created_at=d["created_at"],
                    read=d["read"],
                )
                for d in docs
            ],
        )

    @router.put("/offices/{office_id}/notifications/{event_id}/read", status_code=204)
    async def mark_read(
        mark: ReadMark, office_id: str = OfficeId, event_id: str = Path(max_length=64)
    ) -> None:
        """Mark an alert read (``{"read": false}`` marks it unread again)."""
        if not await feed.mark_read(f"office:{office_id}", event_id, mark.read):
            raise Problem(
                404,
                "alert-not-found",
                f"Office {office_id} has no alert for event {event_id}; "
                "take the event_id from the office's feed.",
            )

    return router
