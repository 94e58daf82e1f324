"""The office feed on the real database: an office's sent in-app deliveries, newest
first, with read marks; the alerts of before issue 19 lend their read marks to their
deliveries once, and their collection is renamed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from samleng.notification.adapters.deliveries import MongoDeliveryQueue
from samleng.notification.adapters.feed import ADOPTED, MongoAlertFeed
from samleng.notification.domain.delivery import Delivery, DeliveryState, Target
from tests.support import scratch_database

pytestmark = pytest.mark.integration

T0 = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
FEED = "office:commune:a"


def in_app(n: int, state: DeliveryState = DeliveryState.SENT) -> Delivery:
    """The in-app delivery of event ``e<n>`` to office commune:a's feed."""
    at = T0 + timedelta(minutes=n)
    return Delivery(
        id=f"e{n}|{FEED}|in_app",
        event_id=f"e{n}",
        event_type="complaint.assigned",
        kind="assigned",
        complaint_id=f"case-{n}",
        office_id="commune:a",
        audience="office",
        recipient=FEED,
        channel="in_app",
        language="km",
        subject="s",
        text="t",
        target=Target(address=FEED),
        state=state,
        occurred_at=at,
        created_at=at,
        due_at=at,
        title_en=f"alert {n}",
        title_km=f"ដំណឹង {n}",
    )


async def test_the_feed_is_the_sent_in_app_deliveries_and_adopts_the_old_alerts(
    stack: Any,
) -> None:
    async with scratch_database(stack, "feed") as db:
        queue, feed = MongoDeliveryQueue(db), MongoAlertFeed(db)
        await queue.plan([in_app(1), in_app(2), in_app(3, DeliveryState.PENDING)])
        # alerts of before: e1 was read, e2 not
        await db["alerts"].insert_many(
            [
                {"event_id": f"e{n}", "recipient": FEED, "channel": "in_app", "read": n == 1}
                for n in (1, 2)
            ]
        )
        await queue.create_indexes()
        await feed.create_indexes()
        await feed.create_indexes()  # a second replica, or a restart: nothing more to do
        assert await db.list_collection_names(filter={"name": "alerts"}) == []
        assert await db[ADOPTED].count_documents({}) == 2
        # newest first; the pending one is not shown until it is sent
        shown = await feed.for_recipient(FEED)
        assert [(a.event_id, a.read, a.title_en) for a in shown] == [
            ("e2", False, "alert 2"),
            ("e1", True, "alert 1"),
        ]
        assert shown[0].created_at == T0 + timedelta(minutes=2)
        assert await feed.unread(FEED) == 1
        assert await feed.mark_read(FEED, "e2")
        assert await feed.unread(FEED) == 0
        assert await feed.mark_read(FEED, "e1", read=False)
        assert await feed.unread(FEED) == 1
        assert not await feed.mark_read(FEED, "e3")  # not sent yet
        assert not await feed.mark_read("office:commune:b", "e1")  # another office's feed
        assert await feed.for_recipient("office:commune:b") == []
        # a feed is read through its index, newest first without a sort in memory
        shown_query = {"recipient": FEED, "channel": "in_app", "state": "sent"}
        explained = await db.command(
            "explain", {"find": "deliveries", "filter": shown_query, "sort": {"occurred_at": -1}}
        )
        plan = str(explained["queryPlanner"]["winningPlan"])
        assert "recipient_1_channel_1_state_1_occurred_at_-1" in plan and "SORT" not in plan
