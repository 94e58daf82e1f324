"""Fixtures of intake's citizen-side real tier: one RabbitMQ vhost of their own.

These tests publish events that other services' queues would otherwise collect on the
session's vhost, so they get a vhost of their own (created once, deleted at the end).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import aio_pika
import pytest

from samleng.devstack import infra


@dataclass(frozen=True)
class CitizenEnv:
    """The session's stack, and the vhost these tests use on it."""

    stack: Any
    amqp_url: str


@pytest.fixture(scope="session")
def env(stack: Any) -> Iterator[CitizenEnv]:
    """The stack with a vhost for the citizen-side tests."""
    name = f"{stack.vhost}-citizen"
    infra.create_vhost(name)
    try:
        yield CitizenEnv(stack, infra.amqp_url(name))
    finally:
        infra.delete_vhost(name)


@pytest.fixture
async def amqp(env: CitizenEnv) -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    """A raw channel (with publisher confirms) on that vhost."""
    connection = await aio_pika.connect_robust(env.amqp_url)
    try:
        yield await connection.channel(publisher_confirms=True)
    finally:
        await connection.close()
