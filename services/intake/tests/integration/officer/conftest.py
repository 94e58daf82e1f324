"""Fixtures of the officer API's real tier: one RabbitMQ vhost of their own."""

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
def officer_env(stack: Any) -> Iterator[IsolatedEnv]:
    """The stack with a vhost for the officer-side tests."""
    with isolated_env(stack, "officer") as isolated:
        yield isolated


@pytest.fixture
async def amqp(officer_env: IsolatedEnv) -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    """A raw channel (with publisher confirms) on that vhost."""
    async with confirmed_channel(officer_env) as channel:
        yield channel
