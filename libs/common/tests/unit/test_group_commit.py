"""Group commit: concurrent callers share rounds, each gets its own result or error."""

import asyncio

import pytest

from samleng.common.group_commit import GroupCommit

pytestmark = pytest.mark.unit


class Store:
    """A write that records its rounds and can be held open or made to fail."""

    def __init__(self) -> None:
        self.rounds: list[list[int]] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.fail_round: Exception | None = None

    async def write(self, items: list[int]) -> list[int | BaseException]:
        self.rounds.append(list(items))
        await self.gate.wait()
        if self.fail_round is not None:
            raise self.fail_round
        return [ValueError(f"refused {i}") if i < 0 else i * 10 for i in items]


async def test_callers_at_the_same_time_share_one_round() -> None:
    store = Store()
    group = GroupCommit(store.write)
    results = await asyncio.gather(*(group.submit(i) for i in range(5)))
    assert results == [0, 10, 20, 30, 40]
    assert store.rounds == [[0, 1, 2, 3, 4]]


async def test_callers_arriving_during_a_round_go_in_the_next_one() -> None:
    store = Store()
    store.gate.clear()
    group = GroupCommit(store.write)
    first = asyncio.create_task(group.submit(1))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert store.rounds == [[1]]
    later = [asyncio.create_task(group.submit(i)) for i in (2, 3)]
    await asyncio.sleep(0)
    assert not first.done()  # nobody returns before the write of their item
    store.gate.set()
    assert await asyncio.gather(first, *later) == [10, 20, 30]
    assert store.rounds == [[1], [2, 3]]


async def test_a_refused_item_fails_only_its_caller() -> None:
    group = GroupCommit(Store().write)
    results = await asyncio.gather(group.submit(1), group.submit(-1), return_exceptions=True)
    assert results[0] == 10
    assert isinstance(results[1], ValueError)


async def test_a_failed_write_fails_every_caller_of_the_round_and_the_next_round_runs() -> None:
    store = Store()
    store.fail_round = ConnectionError("database down")
    group = GroupCommit(store.write)
    results = await asyncio.gather(group.submit(1), group.submit(2), return_exceptions=True)
    assert all(isinstance(r, ConnectionError) for r in results)
    store.fail_round = None
    assert await group.submit(3) == 30


async def test_rounds_are_bounded() -> None:
    store = Store()
    group = GroupCommit(store.write, max_round=2)
    assert await asyncio.gather(*(group.submit(i) for i in range(5))) == [0, 10, 20, 30, 40]
    assert store.rounds == [[0, 1], [2, 3], [4]]
