"""An office's in-app feed: alerts titled in both languages, read or unread. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from samleng.notification.domain.delivery import Delivery


@dataclass(frozen=True)
class FeedAlert:
    """One alert in a feed, titled in both languages (officers read either)."""

    event_id: str
    complaint_id: str
    recipient: str
    channel: str
    title_en: str
    title_km: str
    created_at: datetime
    read: bool = False


def alert_of(delivery: Delivery) -> FeedAlert:
    """The feed alert an in-app delivery puts in its feed (``target.address``)."""
    return FeedAlert(
        event_id=delivery.event_id,
        complaint_id=delivery.complaint_id or "",
        recipient=delivery.target.address,
        channel=delivery.channel,
        title_en=delivery.title_en,
        title_km=delivery.title_km,
        created_at=delivery.occurred_at,
    )
