"""Fixtures of the conversation real tier: a RabbitMQ vhost of their own."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import aio_pika
import pytest

from services.intake.tests.integration.shared import (
    IsolatedEnv,
    confirmed_channel,
    isolated_env,
)


@pytest.fixture(scope="session")
def env(stack: Any) -> Iterator[IsolatedEnv]:
    """The stack with a vhost for the conversation tests."""
    with isolated_env(stack, "conversations") as isolated:
        yield isolated


@pytest.fixture
async def amqp(env: IsolatedEnv) -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    """A raw channel (with publisher confirms) on that vhost."""
    async with confirmed_channel(env) as channel:
        yield channel
