"""The four services as processes on the fault suite's private infrastructure, and the tally.

    system = FaultSystem(workdir, amqp_url, mongo_url, gateway)   # URLs the services use
    system.migrate()               # every service's migrate, side by side
    system.start()                 # start all four; wait until ready
    system.kill("routing"); system.restart("routing")
    tally = system.tally(loads)    # what the databases, gateway and DLQs say now
    tally, seconds = system.converge(loads, timeout=90)
    system.close()

Each service keeps its HTTP port across restarts, so a citizen's retry reaches the new
process. The suite reads the services' own databases directly (it has no other way to
see routing's and reporting's records) through ``check_mongo_url``, which bypasses any
proxy the services are put behind.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aio_pika
from pymongo import MongoClient
from pymongo.collection import Collection
from pymongo.errors import PyMongoError

from samleng.common.topology import CONSUMERS, REASON_HEADER
from samleng.devstack import keys, services
from samleng.devstack.faults.gateway import SmsGateway
from samleng.devstack.faults.load import SteadyLoad
from samleng.devstack.issuer import DevIssuer
from samleng.devstack.net import LOOPBACK, free_port
from samleng.devstack.services import BACK_END, RunningService

#: Settings that make the services react within a scenario's seconds (all documented knobs).
QUICK = {
    "intake": {"relay_poll_seconds": 0.2, "submission_limit": 1_000_000},
    "routing": {},
    "notification": {
        "outbox_poll_seconds": 0.2,
        "send_timeout_seconds": 5,
        "lease_seconds": 15,
        "retry_base_seconds": 1,
        "retry_max_seconds": 5,
    },
    "reporting": {"headline_ttl_seconds": 0.5},
}


def _key(name: str) -> str:
    upper = name.upper()
    return upper if upper.startswith("SAMLENG_") else f"SAMLENG_{upper}"


@dataclass
class Tally:
    """What the system holds for one load, read from the services' own stores."""

    accepted: int = 0
    stored: int = 0
    assigned: int = 0
    counted: int = 0
    unrecorded: int = 0  # reporting records of a complaint it never saw submitted
    sms_missing: int = 0
    sms_duplicates: int = 0  # a second SMS with another key: the citizen gets it twice
    sms_resent: int = 0  # the same key again: a retry the provider drops
    sms_failed: int = 0  # notification's own record says an SMS failed for good
    sms_open: int = 0  # SMS deliveries still pending or being sent
    dead_letters: dict[str, int] = field(default_factory=dict)
    refused: int = 0

    @property
    def duplicates(self) -> int:
        """SMS sent twice plus complaints counted more than once."""
        return self.sms_duplicates + max(0, self.counted - self.stored)

    def healthy(self, expected_dead_letters: int = 0) -> bool:
        """True when every accepted complaint went the whole way exactly once."""
        return (
            self.accepted > 0
            and self.refused == 0
            and self.stored == self.accepted
            and self.assigned == self.stored
            and self.counted == self.stored
            and self.unrecorded == 0
            and self.sms_missing == 0
            and self.sms_failed == 0
            and self.sms_open == 0
            and self.duplicates == 0
            and sum(self.dead_letters.values()) == expected_dead_letters
        )

    def only_sms_wrong(self, expected_dead_letters: int = 0) -> bool:
        """True when every check but the SMS ones holds."""
        rest = dataclasses.replace(self, sms_missing=0, sms_failed=0, sms_open=0)
        return rest.healthy(expected_dead_letters)

    def problems(self, expected_dead_letters: int = 0) -> list[str]:
        """What is wrong, in words."""
        found = []
        if self.refused:
            found.append(f"{self.refused} submissions never accepted")
        if self.stored != self.accepted:
            found.append(f"intake stored {self.stored} for {self.accepted} accepted")
        if self.assigned != self.stored:
            found.append(f"{self.stored - self.assigned} never assigned")
        if self.counted != self.stored:
            found.append(f"reporting counted {self.counted} of {self.stored}")
        if self.unrecorded:
            found.append(f"{self.unrecorded} reporting records without received_at")
        if self.sms_missing:
            found.append(f"{self.sms_missing} SMS never reached the gateway")
        if self.sms_open:
            found.append(f"{self.sms_open} SMS deliveries still pending or being sent")
        if self.sms_failed:
            found.append(f"notification recorded {self.sms_failed} SMS as failed")
        if self.sms_duplicates:
            found.append(f"{self.sms_duplicates} SMS sent twice under new keys")
        if sum(self.dead_letters.values()) != expected_dead_letters:
            found.append(f"dead letters {self.dead_letters} (expected {expected_dead_letters})")
        return found


class FaultSystem:
    """The four services on given infrastructure URLs, with a fixed port each."""

    def __init__(
        self,
        workdir: Path,
        amqp_url: str,
        mongo_url: str,
        gateway: SmsGateway,
        *,
        check_mongo_url: str | None = None,
        check_amqp_url: Callable[[], str] | None = None,
        overrides: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.workdir = workdir
        self.amqp_url, self.mongo_url = amqp_url, mongo_url
        self.check_mongo_url = check_mongo_url or mongo_url
        self.check_amqp_url = check_amqp_url or (lambda: amqp_url)
        self.gateway = gateway
        self.prefix = f"f{workdir.name[-6:].replace('-', '')}"
        secrets = keys.generate()
        issuer = DevIssuer.generate()
        self.envs: dict[str, dict[str, str]] = {}
        for name in BACK_END:
            settings: dict[str, Any] = {**QUICK[name], **(overrides or {}).get(name, {})}
            if name == "notification":
                settings["sms_gateway_url"] = gateway.url
            env = {
                "SAMLENG_ENVIRONMENT": "test",
                "SAMLENG_AMQP_URL": amqp_url,
                "SAMLENG_MONGO_URL": mongo_url,
                "SAMLENG_MONGO_DATABASE": f"{self.prefix}_{name}",
                "SAMLENG_HTTP_HOST": LOOPBACK,
                "SAMLENG_HTTP_PORT": str(free_port()),
                "SAMLENG_LOG_LEVEL": "INFO",
                **keys.for_service(name, secrets),
                **issuer.settings_env(),
            }
            env.update({_key(k): str(v) for k, v in settings.items()})
            self.envs[name] = env
        self.running: dict[str, RunningService] = {}
        self._starts = 0

    def url(self, name: str) -> str:
        """Base URL of a service (stable across restarts)."""
        return f"http://{LOOPBACK}:{self.envs[name]['SAMLENG_HTTP_PORT']}"

    def migrate(self) -> None:
        """Run every service's ``migrate`` side by side (they need only MongoDB)."""
        with ThreadPoolExecutor(len(BACK_END)) as pool:
            migrations = [
                pool.submit(
                    services.migrate,
                    name,
                    self.envs[name],
                    self.workdir / "logs" / f"{name}-migrate.log",
                )
                for name in BACK_END
            ]
            for migration in migrations:
                migration.result()

    def start(self, names: tuple[str, ...] = BACK_END) -> None:
        """Start ``names`` (migrated before) and wait until all are ready."""
        for name in names:
            self.spawn(name)
        for name in names:
            self.running[name].wait_ready(60)

    def spawn(self, name: str) -> RunningService:
        """Start ``name`` without waiting for readiness."""
        self._starts += 1
        log = self.workdir / "logs" / f"{name}-{self._starts}.log"
        self.running[name] = services.spawn(name, self.envs[name], log)
        return self.running[name]

    def restart(self, name: str, ready_timeout: float = 60.0) -> None:
        """Start ``name`` again (after a kill) and wait until it is ready."""
        self.spawn(name).wait_ready(ready_timeout)

    def kill(self, name: str) -> None:
        """kill -9 ``name``."""
        self.running[name].kill()

    def close(self) -> None:
        """Stop every service (SIGTERM, then SIGKILL)."""
        for service in reversed(list(self.running.values())):
            if service.is_alive():
                service.stop(timeout=10.0)

    def logs(self) -> str:
        """Every service log of this system, concatenated."""
        return "\n".join(
            path.read_text(encoding="utf-8", errors="replace")
            for path in sorted((self.workdir / "logs").glob("*.log"))
        )

    # what the system holds

    def tally(self, loads: list[SteadyLoad]) -> Tally:
        """Read intake's and reporting's stores, the gateway and the dead-letter queues."""
        accepted = {number for load in loads for number in load.accepted}
        tally = Tally(accepted=len(accepted), refused=sum(len(load.refused) for load in loads))
        client: MongoClient[dict[str, Any]]
        with MongoClient(self.check_mongo_url, serverSelectionTimeoutMS=3000) as client:
            cases: Collection[dict[str, Any]] = client[f"{self.prefix}_intake"]["cases"]
            tally.stored = cases.count_documents({})
            tally.assigned = cases.count_documents({"status": {"$ne": "submitted"}})
            records: Collection[dict[str, Any]] = client[f"{self.prefix}_reporting"]["cases"]
            tally.counted = records.count_documents({"received_at": {"$ne": None}})
            tally.unrecorded = records.count_documents({"received_at": None})
            deliveries: Collection[dict[str, Any]] = client[f"{self.prefix}_notification"][
                "deliveries"
            ]
            tally.sms_failed = deliveries.count_documents({"channel": "sms", "state": "failed"})
            tally.sms_open = deliveries.count_documents(
                {"channel": "sms", "state": {"$in": ["pending", "sending"]}}
            )
        received = self.gateway.by_number()
        for number in accepted:
            keys_seen = received.get(number, [])
            distinct = set(keys_seen)
            tally.sms_missing += not distinct
            tally.sms_duplicates += max(0, len(distinct) - 1)
            tally.sms_resent += len(keys_seen) - len(distinct)
        tally.dead_letters = asyncio.run(dead_letter_counts(self.check_amqp_url()))
        return tally

    def converge(
        self, loads: list[SteadyLoad], timeout: float, expected_dead_letters: int = 0
    ) -> tuple[Tally, float | None]:
        """Poll the tally until healthy; return it and the seconds it took (None: never)."""
        started = time.monotonic()
        tally = Tally()
        while True:
            try:
                tally = self.tally(loads)
            except (PyMongoError, OSError, aio_pika.exceptions.AMQPException):
                pass
            else:
                if tally.healthy(expected_dead_letters):
                    return tally, time.monotonic() - started
            if time.monotonic() - started > timeout:
                return tally, None
            time.sleep(1.0)


async def dead_letter_counts(amqp_url: str) -> dict[str, int]:
    """Messages in every dead-letter queue (only the non-empty ones)."""
    connection = await aio_pika.connect(amqp_url, timeout=5)
    try:
        channel = await connection.channel()
        counts = {}
        for consumer in CONSUMERS.values():
            queue = await channel.declare_queue(consumer.dead_letter_queue_name, passive=True)
            count = queue.declaration_result.message_count or 0
            if count:
                counts[consumer.dead_letter_queue_name] = count
        return counts
    finally:
        await connection.close()


async def dead_letters(amqp_url: str) -> list[dict[str, Any]]:
    """Every message in the dead-letter queues (left in place): queue, reason, body."""
    found: list[dict[str, Any]] = []
    connection = await aio_pika.connect(amqp_url, timeout=5)
    try:
        channel = await connection.channel()
        for consumer in CONSUMERS.values():
            queue = await channel.declare_queue(consumer.dead_letter_queue_name, passive=True)
            while (message := await queue.get(no_ack=False, fail=False)) is not None:
                headers = message.headers or {}
                found.append(
                    {
                        "queue": consumer.dead_letter_queue_name,
                        "reason": str(headers.get(REASON_HEADER, "")),
                        "body": message.body,
                        "message_id": message.message_id,
                    }
                )
        # closing the channel without acks returns every message to its queue
    finally:
        await connection.close()
    return found
