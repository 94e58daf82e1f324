"""Case updates of one moment go to MongoDB in one bulk write and one read, and each
caller still gets its case as it is after its own update (real MongoDB)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from samleng.notification.adapters.cases import MongoCaseMemory
from samleng.notification.domain.cases import Move
from tests.support import scratch_database

pytestmark = pytest.mark.integration


@pytest.fixture
async def memory(stack: Any) -> AsyncIterator[MongoCaseMemory]:
    async with scratch_database(stack, "casemem") as db:
        yield MongoCaseMemory(db)


async def test_updates_of_one_moment_each_read_their_own_write(memory: MongoCaseMemory) -> None:
    known = [str(uuid.uuid4()) for _ in range(6)]
    for key in known[:3]:  # three cases notification heard of, three it did not
        await memory.learn_contacts(key, "en", ())
    twice = known[0]
    calls = [
        memory.remember(key, move=Move(1, f"office:{n}"), notices=()) for n, key in enumerate(known)
    ]
    calls.append(memory.remember(twice, move=Move(2, "office:again"), notices=()))
    records = await asyncio.gather(*calls)
    for n, record in enumerate(records[:6]):
        assert Move(1, f"office:{n}") in record.moves  # its own write, read back
        assert record.contacts_known == (n < 3)
    assert set(records[6].moves) == {Move(1, "office:0"), Move(2, "office:again")}
    assert set(records[0].moves) <= {Move(1, "office:0"), Move(2, "office:again")}


async def test_upserts_of_one_new_case_racing_in_one_round_both_land(
    memory: MongoCaseMemory,
) -> None:
    key = str(uuid.uuid4())
    records = await asyncio.gather(
        *(memory.remember(key, move=Move(n, f"office:{n}"), notices=()) for n in range(5))
    )
    stored = await memory.remember(key, move=None, notices=())  # nothing to keep: a read
    assert set(stored.moves) == {Move(n, f"office:{n}") for n in range(5)}
    for n, record in enumerate(records):
        assert Move(n, f"office:{n}") in record.moves
