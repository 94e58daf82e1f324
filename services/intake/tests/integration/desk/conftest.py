"""Fixtures of the desk's real tier: one RabbitMQ vhost of their own."""

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
def desk_env(stack: Any) -> Iterator[IsolatedEnv]:
    """The stack with a vhost for the desk tests."""
    with isolated_env(stack, "desk") as isolated:
        yield isolated


@pytest.fixture
async def amqp(desk_env: IsolatedEnv) -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    """A raw channel (with publisher confirms) on that vhost."""
    async with confirmed_channel(desk_env) as channel:
        yield channel
