"""Helpers for the real tier: in-process services on the session's own vhost and
databases, polling, and raw AMQP publishing/reading (import as ``tests.support``)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, TypeVar

import aio_pika
import httpx
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from samleng.common import telemetry
from samleng.common.events import (
    AssignedData,
    Category,
    ComplaintAssigned,
    ComplaintResolved,
    ComplaintSubmitted,
    Event,
    FeedbackKind,
    Location,
    OfficeActionData,
    OfficeRef,
    SubmittedData,
)
from samleng.common.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)

_databases = itertools.count(1)


def settings_for(stack: Any, cls: type[S], service: str, **overrides: Any) -> S:
    """Settings for one in-process service on the session's vhost, in a database of its own."""
    env = stack.env_for(service)
    values: dict[str, Any] = {
        key.removeprefix("SAMLENG_").lower(): value for key, value in env.items()
    }
    values["mongo_database"] = f"{stack.db_prefix}_{service}_{next(_databases)}"
    values.update(overrides)
    return cls(**values)


@contextlib.asynccontextmanager
async def scratch_database(stack: Any, label: str) -> AsyncIterator[AsyncDatabase[Any]]:
    """A database of the test's own on the session's mongod (timezone-aware dates),
    dropped afterwards: for adapters tested on their own."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    name = f"{stack.db_prefix}_{label}_{uuid.uuid4().hex[:8]}"
    try:
        yield client[name]
    finally:
        await client.drop_database(name)
        await client.close()


@contextlib.asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run an app's lifespan (broker, Mongo, consumers) and give an HTTP client to it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T | None]], timeout: float = 15.0, interval: float = 0.1
) -> T:
    """Poll ``probe`` until it returns something truthy; fail with a clear message otherwise."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = await probe()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s (last value: {last!r})")


class EventFactory:
    """Builds valid events for hand-made messages."""

    def submitted(
        self, commune: str = "170201", complaint_id: str | None = None
    ) -> ComplaintSubmitted:
        """A complaint.submitted event for a commune."""
        location = Location(
            province_code=commune[:2], district_code=commune[:4], commune_code=commune
        )
        return ComplaintSubmitted.first(
            complaint_id or str(uuid.uuid4()),
            producer="test",
            data=SubmittedData(
                kind=FeedbackKind.COMPLAINT, category=Category.EXTRA_FEE, location=location
            ),
        )

    def assigned(self, cause: Event, office_id: str = "commune:170201") -> ComplaintAssigned:
        """The complaint.assigned event routing would derive from ``cause``."""
        office = OfficeRef(
            office_id=office_id,
            level="commune",
            kind="commune_office",
            name_en="Chub Ta Trav commune/sangkat office",
            name_km="រដ្ឋបាលឃុំ/សង្កាត់ ជប់តាត្រាវ",
        )
        data = AssignedData(
            office=office,
            rule="commune-office",
            explanation_en="test",
            explanation_km="សាកល្បង",
            directory_version="test",
        )
        return ComplaintAssigned.caused_by(cause, producer="test", data=data)

    def resolved(self, cause: Event) -> ComplaintResolved:
        """A complaint.resolved event following ``cause``."""
        return ComplaintResolved.caused_by(
            cause, producer="test", data=OfficeActionData(office_id="commune:170201")
        )


async def publish_event(channel: aio_pika.abc.AbstractChannel, event: Any) -> None:
    """Publish an event to the topic exchange as a service would (persistent, mandatory)."""
    exchange = await channel.get_exchange("samleng.events")
    message = aio_pika.Message(
        event.to_json_bytes(),
        message_id=str(event.event_id),
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )
    await exchange.publish(message, routing_key=event.routing_key, mandatory=True)


async def publish_raw(
    channel: aio_pika.abc.AbstractChannel, queue: str, body: bytes, message_id: str
) -> None:
    """Put raw bytes straight into a queue (through the default exchange)."""
    message = aio_pika.Message(
        body, message_id=message_id, delivery_mode=aio_pika.DeliveryMode.PERSISTENT
    )
    await channel.default_exchange.publish(message, routing_key=queue, mandatory=True)


async def take_from_queue(
    channel: aio_pika.abc.AbstractChannel, queue_name: str, message_id: str, timeout: float = 30.0
) -> aio_pika.abc.AbstractIncomingMessage:
    """Wait for the message with this id in a queue (acking what it reads)."""
    queue = await channel.get_queue(queue_name, ensure=True)

    async def probe() -> aio_pika.abc.AbstractIncomingMessage | None:
        while (message := await queue.get(fail=False, no_ack=True)) is not None:
            if message.message_id == message_id:
                return message
        return None

    return await eventually(probe, timeout=timeout, interval=0.2)


async def tap(
    channel: aio_pika.abc.AbstractChannel, routing_key: str
) -> aio_pika.abc.AbstractQueue:
    """A private, auto-deleted queue that receives a copy of every event under a key."""
    exchange = await channel.declare_exchange(
        "samleng.events", aio_pika.ExchangeType.TOPIC, durable=True
    )
    queue = await channel.declare_queue(exclusive=True, auto_delete=True)
    await queue.bind(exchange, routing_key=routing_key)
    return queue


async def next_message(
    queue: aio_pika.abc.AbstractQueue, timeout: float = 15.0
) -> aio_pika.abc.AbstractIncomingMessage:
    """The next message of a queue, waiting for it to arrive (acked on receipt)."""

    async def probe() -> aio_pika.abc.AbstractIncomingMessage | None:
        return await queue.get(fail=False, no_ack=True)

    return await eventually(probe, timeout=timeout, interval=0.1)


async def drained(channel: aio_pika.abc.AbstractChannel, queue_name: str) -> None:
    """Wait until a queue holds no ready message (its consumer took them all)."""

    async def empty() -> bool:
        declared = await channel.declare_queue(queue_name, passive=True)
        result = declared.declaration_result
        return result.message_count == 0

    await eventually(empty)


@contextlib.contextmanager
def recorded_spans() -> Iterator[InMemorySpanExporter]:
    """Every span the process finishes meanwhile (on the services' tracer provider)."""
    telemetry.configure(ServiceSettings(service_name="tests", environment="test"))
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    try:
        yield exporter
    finally:
        exporter.shutdown()  # later spans are dropped, not kept for the rest of the session
