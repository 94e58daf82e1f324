"""The in-app channel: the office's feed."""

from __future__ import annotations

from samleng.notification.domain.delivery import Channel, Outgoing
from samleng.notification.domain.feed import FeedAlert
from samleng.notification.ports import AlertFeed


class InAppChannel:
    """Writes the alert to the feed (idempotent per event and recipient)."""

    channel: Channel = "in_app"

    def __init__(self, feed: AlertFeed) -> None:
        self._feed = feed

    async def send(self, message: Outgoing) -> None:
        """Add the alert to the recipient's feed."""
        await self._feed.add(
            FeedAlert(
                event_id=message.event_id,
                complaint_id=message.complaint_id,
                recipient=message.address,
                channel=self.channel,
                title_en=message.title_en,
                title_km=message.title_km,
                created_at=message.created_at,
            )
        )
