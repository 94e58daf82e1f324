"""Acks of one moment are coalesced, and an ack never covers a message still handled."""

from __future__ import annotations

import asyncio

import pytest

from samleng.common.inbox import AckWindow

pytestmark = pytest.mark.unit


class Channel:
    """Records the acks an AckWindow writes."""

    def __init__(self) -> None:
        self.acks: list[tuple[int, bool]] = []

    async def basic_ack(self, tag: int, multiple: bool = False, wait: bool = True) -> None:
        self.acks.append((tag, multiple))


async def settle(window: AckWindow) -> None:
    await asyncio.sleep(0)
    await window.flushed()


async def test_the_messages_of_one_moment_are_acked_in_one_frame() -> None:
    channel = Channel()
    window = AckWindow(channel)  # type: ignore[arg-type]
    for tag in (2, 1, 3):
        window.handled(tag)
    await settle(window)
    assert channel.acks == [(3, True)]
    window.handled(4)
    await settle(window)
    assert channel.acks[1:] == [(4, False)]


async def test_a_message_still_running_is_never_covered() -> None:
    channel = Channel()
    window = AckWindow(channel)  # type: ignore[arg-type]
    window.handled(1)
    window.handled(3)  # 2 is still being handled
    await settle(window)
    assert channel.acks == [(1, False), (3, False)]  # 3 alone: no multiple over 2
    window.handled(4)
    await settle(window)
    assert channel.acks[2:] == [(4, False)]  # still behind 2
    window.handled(2)
    window.handled(5)
    await settle(window)
    assert channel.acks[3:] == [(5, True)]  # 2..5 settled: one frame covers 2 and 5


async def test_a_returned_message_lets_the_run_pass_it() -> None:
    channel = Channel()
    window = AckWindow(channel)  # type: ignore[arg-type]
    window.returned(2)  # rejected with requeue, sent by the inbox before this
    window.handled(1)
    window.handled(3)
    await settle(window)
    assert channel.acks == [(3, True)]


async def test_a_message_handled_while_acks_are_written_is_acked_too() -> None:
    class SlowChannel(Channel):
        async def basic_ack(self, tag: int, multiple: bool = False, wait: bool = True) -> None:
            await asyncio.sleep(0.01)  # the frame is being written: the loop turns
            self.acks.append((tag, multiple))

    channel = SlowChannel()
    window = AckWindow(channel)  # type: ignore[arg-type]
    window.handled(1)
    await asyncio.sleep(0.005)  # the window is writing 1's ack
    window.handled(2)
    await settle(window)
    assert channel.acks == [(1, False), (2, False)]
