"""Notification's HTTP API for signed-in officers: their office's in-app feed, and their
own alert preferences (channels, language, daily digest).

Every route takes an OIDC bearer token (``samleng.common.officers``); an office's feed is
reachable only with a token of that office — any other office answers 404, as if it did
not exist.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from samleng.common.auth import Principal, Role
from samleng.common.http import Problem
from samleng.common.officers import CurrentOfficer, SignedInFirst
from samleng.notification.domain.delivery import Recipient
from samleng.notification.entrypoints.admin_api import RecipientBody, RecipientView, recipient_view
from samleng.notification.entrypoints.deps import FeedDep, RecipientsDep


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


OfficePath = Annotated[str, Path(max_length=64)]
RECIPIENT_ID = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")

router = APIRouter(prefix="/v1", tags=["officers"], route_class=SignedInFirst)


def _member(officer: Principal, office_id: str) -> None:
    """404 unless the signed-in user belongs to the office (existence is not revealed); a
    partner expert's offices are a scope to review in intake, not offices it belongs to."""
    if office_id not in officer.offices or officer.roles <= {Role.PARTNER_EXPERT}:
        raise Problem(
            404,
            "office-not-found",
            f"You have no feed for office {office_id!r}; use one of the offices in your sign-in.",
        )


@router.get("/offices/{office_id}/notifications", response_model=Feed)
async def office_feed(officer: CurrentOfficer, office_id: OfficePath, feed: FeedDep) -> Feed:
    """The newest in-app alerts of your office, and how many are unread."""
    _member(officer, office_id)
    recipient = f"office:{office_id}"
    alerts = await feed.for_recipient(recipient)
    return Feed(
        office_id=office_id,
        unread=await feed.unread(recipient),
        alerts=[
            AlertView(
                event_id=a.event_id,
                complaint_id=a.complaint_id,
                channel=a.channel,
                title=Bilingual(en=a.title_en, km=a.title_km),
                created_at=a.created_at,
                read=a.read,
            )
            for a in alerts
        ],
    )


@router.put("/offices/{office_id}/notifications/{event_id}/read", status_code=204)
async def mark_read(
    mark: ReadMark,
    officer: CurrentOfficer,
    office_id: OfficePath,
    event_id: Annotated[str, Path(max_length=64)],
    feed: FeedDep,
) -> None:
    """Mark an alert read (``{"read": false}`` marks it unread again)."""
    _member(officer, office_id)
    if not await feed.mark_read(f"office:{office_id}", event_id, mark.read):
        raise Problem(
            404,
            "alert-not-found",
            f"Office {office_id} has no alert for event {event_id}; "
            "take the event_id from the office's feed.",
        )


@router.get("/me/preferences", response_model=list[RecipientView])
async def my_preferences(officer: CurrentOfficer, recipients: RecipientsDep) -> list[RecipientView]:
    """How you receive each of your offices' alerts (empty: the in-app feed only)."""
    subject = _recipient_id(officer)
    found = [await recipients.get(_key(office, subject)) for office in sorted(officer.offices)]
    return [recipient_view(r) for r in found if r is not None]


@router.put("/me/preferences/{office_id}", response_model=RecipientView)
async def set_my_preferences(
    body: RecipientBody, officer: CurrentOfficer, office_id: OfficePath, recipients: RecipientsDep
) -> RecipientView:
    """Choose your channels, language and daily digest for one of your offices."""
    _member(officer, office_id)
    recipient = body.recipient(office_id, _recipient_id(officer))
    await recipients.put(recipient)
    return recipient_view(recipient)


def _recipient_id(officer: Principal) -> str:
    if not RECIPIENT_ID.match(officer.subject):
        raise Problem(
            400,
            "unusable-subject",
            "Your sign-in's subject cannot name a recipient; ask an admin to register you.",
        )
    return officer.subject


def _key(office_id: str, recipient_id: str) -> str:
    return Recipient(office_id, recipient_id, "km", ()).key
