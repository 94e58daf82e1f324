"""Fixtures of the real tier (the ``stack`` fixture comes from samleng.devstack)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import aio_pika
import pytest

from samleng.devstack import infra
from tests.support import EventFactory


@pytest.fixture
async def amqp(stack: Any) -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    """A raw channel (with publisher confirms) on the session's vhost."""
    connection = await aio_pika.connect_robust(stack.amqp_url)
    try:
        yield await connection.channel(publisher_confirms=True)
    finally:
        await connection.close()


@pytest.fixture
def fresh_vhost(stack: Any) -> Iterator[Callable[[], str]]:
    """Makes vhosts of their own for tests that count everything on the broker."""
    names: list[str] = []

    def make() -> str:
        name = f"{stack.vhost}-{len(names) + 1}"
        infra.create_vhost(name)
        names.append(name)
        return infra.amqp_url(name)

    yield make
    for name in names:
        infra.delete_vhost(name)


@pytest.fixture
def events() -> EventFactory:
    """Builders of valid events."""
    return EventFactory()
