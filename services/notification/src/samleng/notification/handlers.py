"""Notification's use case: turn an event into stored alerts, once each."""

from __future__ import annotations

from samleng.common.events import Event
from samleng.notification.adapters.feed import AlertFeed
from samleng.notification.domain.alerts import alerts_for


async def on_event(event: Event, feed: AlertFeed) -> int:
    """Store the alerts the event causes; returns how many were new."""
    return sum([await feed.add(alert) for alert in alerts_for(event)])
