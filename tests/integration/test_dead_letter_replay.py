"""``samleng dlq``: an operator lists dead letters with their reasons and sends chosen
ones back to their queue, where the service handles them; the replay is audited."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import aio_pika
import pytest
from pymongo import AsyncMongoClient

from samleng.common import console, dead_letters
from samleng.common.events import parse_event
from samleng.common.topology import CONSUMERS, REASON_HEADER, SOURCE_QUEUE_HEADER
from samleng.routing.app import create_app as create_routing
from samleng.routing.settings import RoutingSettings
from tests.support import (
    EventFactory,
    next_message,
    running,
    settings_for,
    take_from_queue,
    tap,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def operator_env(stack: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = stack.env_for("routing")
    for name in ("SAMLENG_AMQP_URL", "SAMLENG_MONGO_URL"):
        monkeypatch.setenv(name, env[name])
    monkeypatch.setenv("SAMLENG_ENVIRONMENT", "test")
    return env


async def _dead_letter(amqp: Any, dlq: str, body: bytes, message_id: str, reason: str) -> None:
    """Put a message in a DLQ as the inbox would have left it."""
    message = aio_pika.Message(
        body,
        message_id=message_id,
        headers={REASON_HEADER: reason, SOURCE_QUEUE_HEADER: dlq.removesuffix(".dlq")},
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )
    await amqp.default_exchange.publish(message, routing_key=dlq, mandatory=True)


async def test_an_operator_replays_dead_letters_by_reason_and_the_service_handles_them(
    stack: Any,
    amqp: Any,
    events: EventFactory,
    operator_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    routing = CONSUMERS["routing"]
    settings = settings_for(stack, RoutingSettings, "routing")
    submitted = events.submitted("170201")
    poison_id = f"poison-{uuid.uuid4()}"
    outage = "failed 20 deliveries; last error RuntimeError: database restarting"
    assigned = await tap(amqp, "complaint.assigned.v1")
    async with running(create_routing(settings)):
        dlq = routing.dead_letter_queue_name
        await _dead_letter(amqp, dlq, b"not json", poison_id, "body is not UTF-8 JSON")
        await _dead_letter(amqp, dlq, submitted.to_json_bytes(), str(submitted.event_id), outage)

        # listing shows both, with their reasons, and leaves them in place
        # the command runs its own event loop, as it does in a shell
        assert await asyncio.to_thread(console.main, ["dlq", "list", "--queue", "routing"]) == 0
        listed = capsys.readouterr().out
        assert poison_id in listed and "not UTF-8 JSON" in listed
        assert str(submitted.event_id) in listed and "database restarting" in listed

        # the cause is fixed: replay what failed for it, and only that
        code = await asyncio.to_thread(
            dead_letters.main,
            [
                *("replay", "--queue", "routing", "--reason", "database restarting"),
                *("--operator", "ops-test", "--yes"),
            ],
        )
        assert code == 0
        out = capsys.readouterr().out
        assert str(submitted.event_id) in out and poison_id not in out
        routed = parse_event((await next_message(assigned)).body)
        assert routed.complaint_id == submitted.complaint_id

    still = await take_from_queue(amqp, routing.dead_letter_queue_name, poison_id)
    assert still.body == b"not json"
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(operator_env["SAMLENG_MONGO_URL"])
    try:
        audit = client[dead_letters.AUDIT_DATABASE][dead_letters.AUDIT_COLLECTION]
        [record] = await audit.find({"message_ids": str(submitted.event_id)}).to_list()
        await audit.delete_many({"_id": record["_id"]})
    finally:
        await client.close()
    assert record["operator"] == "ops-test"
    assert record["to_queue"] == routing.name
    assert record["selection"]["reason"] == "database restarting"


def test_replay_names_the_queues_it_knows() -> None:
    assert dead_letters.main(["replay", "--queue", "nowhere", "--all", "--yes"]) == 2
