"""Fixtures of the officer API's real tier: one RabbitMQ vhost of their own.

These tests publish routing's events by hand, which other services' queues would
otherwise collect on the session's vhost, so they get a vhost of their own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import aio_pika
import pytest

from samleng.devstack import infra
from services.intake.tests.integration.officer.support import OfficerEnv


@pytest.fixture(scope="session")
def officer_env(stack: Any) -> Iterator[OfficerEnv]:
    """The stack with a vhost for the officer-side tests."""
    name = f"{stack.vhost}-officer"
    infra.create_vhost(name)
    try:
        yield OfficerEnv(stack, infra.amqp_url(name))
    finally:
        infra.delete_vhost(name)


@pytest.fixture
async def amqp(officer_env: OfficerEnv) -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    """A raw channel (with publisher confirms) on that vhost."""
    connection = await aio_pika.connect_robust(officer_env.amqp_url)
    try:
        yield await connection.channel(publisher_confirms=True)
    finally:
        await connection.close()
