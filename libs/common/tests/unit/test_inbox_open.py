"""An inbox whose broker does not answer while it opens tries again, and gives up in time."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from samleng.common import inbox as inbox_module
from samleng.common.health import DependencyHealth
from samleng.common.inbox import Inbox
from samleng.common.metrics import ServiceMetrics
from samleng.common.topology import ConsumerQueue

pytestmark = pytest.mark.unit


class Queue:
    async def consume(self, callback: Any) -> str:
        return "ctag-1"


class Channel:
    def __init__(self, answers: bool) -> None:
        self.answers = answers
        self.closed = False
        self.is_closed = False

    async def set_qos(self, prefetch_count: int) -> None:
        if not self.answers:
            await asyncio.Event().wait()  # the broker never answers

    async def declare_queue(self, name: str, **_: Any) -> Queue:
        return Queue()

    async def close(self) -> None:
        self.closed = True


class Connection:
    def __init__(self, answers: list[bool]) -> None:
        self.channels = [Channel(a) for a in answers]
        self.opened: list[Channel] = []

    async def channel(self, **_: Any) -> Channel:
        opened = self.channels[len(self.opened)]
        self.opened.append(opened)
        return opened


def an_inbox(connection: Connection) -> Inbox:
    async def connect() -> Any:
        return connection

    async def dispatch(event: Any) -> None:
        pass

    async def dead_letter(*_: Any) -> None:
        pass

    return Inbox(
        ConsumerQueue("tests.queue", ("complaint.submitted.v1",), 20),
        dispatch,
        connect=connect,
        dead_letter=dead_letter,
        metrics=ServiceMetrics("tests"),
        health=DependencyHealth(),
    )


async def test_a_try_the_broker_did_not_answer_is_made_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(inbox_module, "OPEN_TIMEOUT_SECONDS", 0.05)
    connection = Connection([False, True])
    inbox = an_inbox(connection)
    await inbox.start(prefetch_count=8)
    assert inbox.is_consuming()
    assert connection.opened[0].closed and not connection.opened[1].closed


async def test_an_inbox_the_broker_never_answers_fails_to_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(inbox_module, "OPEN_TIMEOUT_SECONDS", 0.05)
    connection = Connection([False] * inbox_module.OPEN_ATTEMPTS)
    inbox = an_inbox(connection)
    with pytest.raises(TimeoutError):
        await inbox.start(prefetch_count=8)
    assert not inbox.is_consuming()
    assert all(channel.closed for channel in connection.opened)
