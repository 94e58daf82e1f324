"""An office's in-app feed: alerts titled in both languages, read or unread. Pure: no I/O.

An alert is what the feed shows of a sent in-app delivery (``adapters/feed.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
