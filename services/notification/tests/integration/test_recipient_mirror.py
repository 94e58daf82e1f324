"""The recipient mirror on the real database: what another replica stores or removes
reaches it through the change stream, what its own process stores is seen at once, a
dropped collection is read again, and while it is not following the look-ups read
MongoDB (so an alert never waits for the mirror)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from samleng.notification.adapters.recipients import MongoRecipientDirectory
from samleng.notification.domain.delivery import Endpoint, Recipient
from tests.support import eventually, scratch_database

pytestmark = pytest.mark.integration

DARA = Recipient("commune:a", "dara", "km", (Endpoint("email", "dara@a.example"),))
SOKHA = Recipient("commune:a", "sokha", "en", (Endpoint("sms", "+8551"),))
VANNA = Recipient("district:b", "vanna", "km", (Endpoint("telegram", "4242"),))


async def until(condition: Callable[[], bool]) -> None:
    """Wait until ``condition`` holds (a change stream brings changes a moment later)."""

    async def probe() -> bool:
        return condition()

    await eventually(probe, timeout=30)


@contextlib.asynccontextmanager
async def following(directory: MongoRecipientDirectory) -> AsyncIterator[None]:
    """The directory's mirror following, until the block ends."""
    task = asyncio.create_task(directory.mirror.follow())
    try:
        await until(lambda: directory.mirror.following)
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_the_mirror_sees_every_replicas_changes(stack: Any) -> None:
    async with scratch_database(stack, "mirror") as db:
        here, there = MongoRecipientDirectory(db), MongoRecipientDirectory(db)
        await there.put(DARA)  # before the mirror follows: in the copy it reads
        async with following(here):
            assert await here.of_offices(["commune:a"]) == {"commune:a": [DARA]}
            await there.put(VANNA)  # another replica: through the change stream
            await until(lambda: here.mirror.of_offices(["district:b"]) == {"district:b": [VANNA]})
            changed = Recipient("district:b", "vanna", "en", (Endpoint("sms", "+8552"),))
            await there.put(changed)
            await until(lambda: here.mirror.of_offices(["district:b"]) == {"district:b": [changed]})
            await there.remove("district:b", "vanna")
            await until(lambda: here.mirror.of_offices(["district:b"]) == {"district:b": []})
            # its own process's change is seen at once, sorted as a read sorts them
            await here.put(SOKHA)
            assert await here.of_offices(["commune:a", "nowhere"]) == {
                "commune:a": [DARA, SOKHA],
                "nowhere": [],
            }
            await here.remove("commune:a", "dara")
            assert await here.of_offices(["commune:a"]) == {"commune:a": [SOKHA]}
            # a dropped collection: the copy is read again, empty
            await db.drop_collection("recipients")
            await until(lambda: here.mirror.of_offices(["commune:a"]) == {"commune:a": []})
            await there.put(DARA)
            await until(lambda: here.mirror.of_offices(["commune:a"]) == {"commune:a": [DARA]})
        assert not here.mirror.following


async def test_without_the_mirror_look_ups_read_mongodb(stack: Any) -> None:
    async with scratch_database(stack, "mirror") as db:
        directory = MongoRecipientDirectory(db)
        await directory.put(DARA)
        await directory.put(VANNA)
        assert not directory.mirror.following
        assert directory.mirror.of_offices(["commune:a"]) is None
        # concurrent look-ups, each with its own offices (one group read)
        one, both = await asyncio.gather(
            directory.of_offices(["commune:a"]),
            directory.of_offices(["commune:a", "district:b"]),
        )
        assert one == {"commune:a": [DARA]}
        assert both == {"commune:a": [DARA], "district:b": [VANNA]}
        assert await directory.of_offices([]) == {}
