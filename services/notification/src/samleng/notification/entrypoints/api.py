"""Notification's HTTP API: an office's in-app feed."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Path
from pydantic import BaseModel

from samleng.notification.adapters.feed import AlertFeed


class Bilingual(BaseModel):
    """The same text in English and Khmer."""

    en: str
    km: str


class AlertView(BaseModel):
    """One in-app alert."""

    complaint_id: str
    channel: str
    title: Bilingual
    created_at: datetime
    read: bool


class Feed(BaseModel):
    """An office's newest alerts."""

    office_id: str
    alerts: list[AlertView]


def make_router(feed: AlertFeed) -> APIRouter:
    """Routes over the given feed."""
    router = APIRouter(prefix="/v1", tags=["in-app feed"])

    @router.get("/offices/{office_id}/notifications", response_model=Feed)
    async def office_feed(office_id: str = Path(max_length=64)) -> Feed:
        """The newest in-app alerts of an office."""
        docs = await feed.for_recipient(f"office:{office_id}")
        return Feed(
            office_id=office_id,
            alerts=[
                AlertView(
                    complaint_id=d["complaint_id"],
                    channel=d["channel"],
                    title=Bilingual(en=d["title_en"], km=d["title_km"]),
                    created_at=d["created_at"],
                    read=d["read"],
                )
                for d in docs
            ],
        )

    return router
