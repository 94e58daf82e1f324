"""``samleng dlq``: look at dead-lettered messages and send chosen ones back, audited.

    samleng dlq list                                  # every DLQ: id, type, reason
    samleng dlq list --queue routing.case-events      # one service's
    samleng dlq replay --queue routing.case-events --id 5f0c... --id 77aa...
    samleng dlq replay --queue routing.case-events --reason "not routed yet" --yes
    samleng dlq replay --queue routing.case-events --all --operator ops-anna --yes

A message goes back to the queue it came from (never to the exchange, so no other
service sees it twice), without the dead-letter headers, with publisher confirms; only
then is it removed from the dead-letter queue. Messages not chosen stay where they are.
Every replay is written to the ``dead_letter_replays`` collection of the operations
database (who, when, which queue, which message ids, why) and logged.

Replay only after fixing what made the message fail: a consumer dead-letters a message
again, with its reason, if it is still poison.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage
from pymongo import AsyncMongoClient

from samleng.common.cli import CommandFailed, load_settings
from samleng.common.settings import ServiceSettings
from samleng.common.topology import (
    CONSUMERS,
    ORIGINAL_ROUTING_KEY_HEADER,
    REASON_HEADER,
    SOURCE_QUEUE_HEADER,
)

#: Headers that describe the dead-lettering, dropped when a message goes back.
DEAD_LETTER_HEADERS = frozenset(
    {
        REASON_HEADER,
        SOURCE_QUEUE_HEADER,
        ORIGINAL_ROUTING_KEY_HEADER,
        "x-death",
        "x-first-death-reason",
        "x-first-death-queue",
        "x-first-death-exchange",
        "x-delivery-count",
    }
)
AUDIT_DATABASE = "samleng_operations"
AUDIT_COLLECTION = "dead_letter_replays"


class OperationsSettings(ServiceSettings):
    """Where the operator commands connect (the same SAMLENG_ variables as the services)."""

    service_name: str = "operations"


@dataclass(frozen=True)
class DeadLetter:
    """One dead-lettered message as an operator sees it."""

    queue: str
    message_id: str
    event_type: str
    routing_key: str
    reason: str

    @classmethod
    def of(cls, queue: str, message: AbstractIncomingMessage) -> DeadLetter:
        """Describe a message read from ``queue``."""
        headers = message.headers or {}
        reason = headers.get(REASON_HEADER) or _death_reason(headers) or "(no reason recorded)"
        return cls(
            queue=queue,
            message_id=message.message_id or "(no id)",
            event_type=message.type or "",
            routing_key=str(headers.get(ORIGINAL_ROUTING_KEY_HEADER) or message.routing_key or ""),
            reason=str(reason),
        )


def _death_reason(headers: dict[str, Any]) -> str | None:
    deaths = headers.get("x-death")
    if isinstance(deaths, list) and deaths and isinstance(deaths[0], dict):
        return f"broker: {deaths[0].get('reason')} (delivery limit or rejection)"
    return None


def source_queue(dead_letter_queue: str) -> str:
    """The consumer queue a dead-letter queue belongs to."""
    for consumer in CONSUMERS.values():
        if consumer.dead_letter_queue_name == dead_letter_queue:
            return consumer.name
    raise CommandFailed(
        f"{dead_letter_queue!r} is not a Samleng dead-letter queue; use one of: "
        + ", ".join(c.dead_letter_queue_name for c in CONSUMERS.values()),
        exit_code=2,
    )


def dead_letter_queue_of(name: str) -> str:
    """Accept a consumer queue, its DLQ or a service name; return the DLQ's name."""
    for service, consumer in CONSUMERS.items():
        if name in (service, consumer.name, consumer.dead_letter_queue_name):
            return consumer.dead_letter_queue_name
    source_queue(name)  # raises with the list of valid names
    return name


@dataclass(frozen=True)
class Selection:
    """Which dead letters a replay takes: by id, by reason text, or all."""

    ids: frozenset[str] = frozenset()
    reason: str | None = None
    everything: bool = False

    def takes(self, letter: DeadLetter) -> bool:
        """Whether ``letter`` is chosen."""
        if self.everything:
            return True
        if self.ids:
            return letter.message_id in self.ids
        return self.reason is not None and self.reason.lower() in letter.reason.lower()


async def _read(channel: AbstractChannel, dlq: str, limit: int) -> list[AbstractIncomingMessage]:
    queue = await channel.get_queue(dlq, ensure=True)
    taken: list[AbstractIncomingMessage] = []
    while len(taken) < limit:
        message = await queue.get(no_ack=False, fail=False)
        if message is None:
            break
        taken.append(message)
    return taken


async def list_dead_letters(amqp_url: str, queues: Sequence[str], limit: int) -> list[DeadLetter]:
    """Every dead letter of ``queues`` (DLQ names); each stays in its queue."""
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        found: list[DeadLetter] = []
        for dlq in queues:
            messages = await _read(channel, dlq, limit)
            found += [DeadLetter.of(dlq, m) for m in messages]
            for message in messages:
                await message.nack(requeue=True)
        return found
    finally:
        await connection.close()


async def replay(amqp_url: str, dlq: str, selection: Selection, limit: int) -> list[DeadLetter]:
    """Send the chosen dead letters back to their queue; return what went back."""
    target = source_queue(dlq)
    connection = await aio_pika.connect(amqp_url)
    replayed: list[DeadLetter] = []
    try:
        channel = await connection.channel(publisher_confirms=True)
        messages = await _read(channel, dlq, limit)
        for message in messages:
            letter = DeadLetter.of(dlq, message)
            if not selection.takes(letter):
                await message.nack(requeue=True)
                continue
            headers = {
                k: v for k, v in (message.headers or {}).items() if k not in DEAD_LETTER_HEADERS
            }
            await channel.default_exchange.publish(
                aio_pika.Message(
                    message.body,
                    headers=headers,
                    content_type=message.content_type,
                    message_id=message.message_id,
                    correlation_id=message.correlation_id,
                    type=message.type,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=target,
                mandatory=True,
            )
            await message.ack()  # only after the broker confirmed the copy
            replayed.append(letter)
        return replayed
    finally:
        await connection.close()


async def record_replay(
    mongo_url: str, operator: str, dlq: str, selection: Selection, replayed: list[DeadLetter]
) -> None:
    """Write the replay to the operations audit collection."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url, tz_aware=True)
    try:
        await client[AUDIT_DATABASE][AUDIT_COLLECTION].insert_one(
            {
                "at": datetime.now(UTC),
                "operator": operator,
                "dead_letter_queue": dlq,
                "to_queue": source_queue(dlq),
                "selection": {
                    "ids": sorted(selection.ids),
                    "reason": selection.reason,
                    "all": selection.everything,
                },
                "message_ids": [letter.message_id for letter in replayed],
                "reasons": sorted({letter.reason for letter in replayed}),
            }
        )
    finally:
        await client.close()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="samleng dlq", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="show dead letters with their reasons")
    listing.add_argument("--queue", help="a service, its queue or its DLQ (default: all)")
    listing.add_argument("--limit", type=int, default=1000, help="at most this many per queue")
    again = commands.add_parser("replay", help="send chosen dead letters back to their queue")
    again.add_argument("--queue", required=True, help="a service, its queue or its DLQ")
    chosen = again.add_mutually_exclusive_group(required=True)
    chosen.add_argument("--id", action="append", default=[], help="a message id (repeat)")
    chosen.add_argument("--reason", help="every message whose reason contains this text")
    chosen.add_argument("--all", action="store_true", help="every message of the queue")
    again.add_argument("--operator", default=None, help="who replays (default: the OS user)")
    again.add_argument("--limit", type=int, default=1000, help="at most this many")
    again.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``samleng dlq list|replay``."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(OperationsSettings)
        amqp = settings.amqp_url.get_secret_value()
        if args.command == "list":
            queues = (
                [dead_letter_queue_of(args.queue)]
                if args.queue
                else [c.dead_letter_queue_name for c in CONSUMERS.values()]
            )
            letters = asyncio.run(list_dead_letters(amqp, queues, args.limit))
            for letter in letters:
                what = letter.event_type or letter.routing_key
                print(f"{letter.queue}\t{letter.message_id}\t{what}\t{letter.reason}")
            print(f"{len(letters)} dead letter(s)", file=sys.stderr)
            return 0
        dlq = dead_letter_queue_of(args.queue)
        selection = Selection(frozenset(args.id), args.reason, args.all)
        if not args.yes:
            question = f"Send the chosen messages of {dlq} back to {source_queue(dlq)}? [y/N] "
            answer = input(question)
            if answer.strip().lower() not in ("y", "yes"):
                print("nothing replayed", file=sys.stderr)
                return 1
        replayed = asyncio.run(replay(amqp, dlq, selection, args.limit))
        operator = args.operator or getpass.getuser()
        asyncio.run(
            record_replay(settings.mongo_url.get_secret_value(), operator, dlq, selection, replayed)
        )
        for letter in replayed:
            print(f"replayed\t{letter.message_id}\t{letter.reason}")
        print(f"{len(replayed)} message(s) sent back to {source_queue(dlq)}", file=sys.stderr)
        return 0
    except CommandFailed as failed:
        print(f"samleng dlq: {failed}", file=sys.stderr)
        return failed.exit_code
