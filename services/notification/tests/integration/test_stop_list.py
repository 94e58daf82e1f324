"""The stop list on the real database: STOP and START of an address are kept by their
time, so a late (redelivered) STOP never undoes a later START, nor a late START a later
STOP; a replayed change is a no-op; a resumed address's record expires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from samleng.notification.adapters.consent import RESUMED_KEPT, MongoMessageAllowance
from tests.support import scratch_database

pytestmark = pytest.mark.integration

T0 = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)


async def test_stop_and_start_are_kept_by_their_time_whatever_order_they_come_in(
    stack: Any,
) -> None:
    async with scratch_database(stack, "stoplist") as db:
        allowance = MongoMessageAllowance(db)
        await allowance.create_indexes()
        stopped, started = T0, T0 + timedelta(minutes=1)
        await allowance.resume("a", started)  # START comes first, its STOP late
        await allowance.stop("a", stopped)
        assert not await allowance.stopped("a")
        await allowance.stop("b", started)  # STOP after a START that comes late
        await allowance.resume("b", stopped)
        await allowance.stop("b", started)  # the STOP redelivered: nothing changes
        assert await allowance.stopped("b")
        await allowance.resume("b", started + timedelta(minutes=1))
        assert not await allowance.stopped("b")
        kept = await db["stopped_addresses"].find_one({"_id": "b"})
        assert kept is not None and kept["expires_at"] == started + timedelta(minutes=1) + (
            RESUMED_KEPT
        )
        await db["stopped_addresses"].insert_one({"_id": "old"})  # before times
        assert await allowance.stopped("old")
        await allowance.resume("old", T0)
        assert not await allowance.stopped("old")
        assert not await allowance.stopped("never")
