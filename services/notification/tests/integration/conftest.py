"""Fixtures of notification's real tier (``stack`` comes from samleng.devstack)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aio_pika
import pytest


@pytest.fixture
async def amqp(stack: Any) -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    """A raw channel (with publisher confirms) on the session's vhost."""
    connection = await aio_pika.connect_robust(stack.amqp_url)
    try:
        yield await connection.channel(publisher_confirms=True)
    finally:
        await connection.close()
