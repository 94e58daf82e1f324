"""Notification's retention policy on the real broker and database: the sealed contacts a
case record holds, the sealed targets of its citizen deliveries and its pending
confirmation codes are erased ``SAMLENG_RETENTION_CONTACTS_DAYS`` after the case became
final, not before; a reopening cancels it; replayed or late events neither bring contacts
back nor move the date; and the periodic job runs safely on two replicas."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import json_util
from pymongo.asynchronous.database import AsyncDatabase

from samleng.common import leases
from samleng.common.cli import service_database
from samleng.common.events import (
    ActorRef,
    CitizenActionData,
    ClosedData,
    ComplaintClosed,
    ComplaintRejected,
    ComplaintReopened,
    ComplaintSubmitted,
    ComplaintWithdrawn,
    Event,
    RejectedData,
    ReopenedData,
)
from samleng.notification.app import create_app
from samleng.notification.domain.retention import NOT_SENT
from samleng.notification.settings import NotificationSettings
from services.notification.tests.integration.helpers import (
    assigned,
    captured_logs,
    office,
    provider_settings,
    providers,
    seal,
    submitted,
)
from services.notification.tests.integration.test_alerts import delivery_log, sealing_key
from services.notification.tests.integration.test_consent import a_number
from tests.support import drained, eventually, publish_event, running, settings_for

pytestmark = pytest.mark.integration

DAYS = 180
NOW = datetime.now(UTC)
LONG_AGO = NOW - timedelta(days=DAYS + 20)
RECENTLY = NOW - timedelta(days=DAYS - 20)
OFFICE = office("commune:170201")


def closed(cause: Event, when: datetime) -> ComplaintClosed:
    """The case closed on its own ``when`` (the period to confirm ran out)."""
    data = ClosedData(how="auto_closed", office_id=OFFICE.office_id)
    return ComplaintClosed.caused_by(cause, producer="test", data=data, occurred_at=when)


def reopened(cause: Event) -> ComplaintReopened:
    """The citizen reopens the case."""
    data = ReopenedData(by=ActorRef(role="citizen"), office_id=OFFICE.office_id)
    return ComplaintReopened.caused_by(cause, producer="test", data=data)


def opening(key: str, sms: str, telegram: str) -> tuple[ComplaintSubmitted, Event]:
    """A case with an SMS and a Telegram contact, assigned to the office."""
    first = submitted(
        str(uuid.uuid4()), (seal(key, "sms", sms), seal(key, "telegram", telegram)), "en"
    )
    return first, assigned(first, OFFICE)


async def case_doc(db: AsyncDatabase[Any], complaint_id: str) -> dict[str, Any]:
    """The case record notification keeps."""
    return await db["cases"].find_one({"_id": complaint_id}) or {}


def command(stack: Any, settings: NotificationSettings, *args: str) -> str:
    """Run ``python -m samleng.notification retention ...`` on the settings' database."""
    env = stack.env_for("notification", mongo_database=settings.mongo_database)
    done = subprocess.run(
        [sys.executable, "-m", "samleng.notification", "retention", *args],
        env={**os.environ, **env, "SAMLENG_RETENTION_CONTACTS_DAYS": str(DAYS)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


async def test_contacts_and_delivery_targets_are_erased_after_the_period_not_before(
    stack: Any, amqp: Any
) -> None:
    async with providers() as (inbox, gateways):
        gateways.down.add("telegram")  # its request waits for a retry an hour away
        settings = settings_for(
            stack,
            NotificationSettings,
            "notification",
            **provider_settings(inbox, gateways, retry_base_seconds=3600, retry_max_seconds=7200),
            retention_enabled=False,
        )
        key = sealing_key(settings)
        numbers = {name: a_number() for name in ("due", "recent", "reopened", "late", "open")}
        chats = {name: str(uuid.uuid4().int % 10**9) for name in numbers}
        cases = {name: opening(key, numbers[name], chats[name]) for name in numbers}
        ids = {name: first.complaint_id for name, (first, _) in cases.items()}
        closures = {
            "due": closed(cases["due"][1], LONG_AGO),
            "recent": closed(cases["recent"][1], RECENTLY),
            "reopened": closed(cases["reopened"][1], LONG_AGO),
            "late": closed(cases["late"][1], LONG_AGO),
        }
        reopening = reopened(closures["reopened"])
        late_reopening = reopened(closures["late"])
        async with running(create_app(settings)) as http, service_database(settings) as db:
            for first, assignment in cases.values():
                await publish_event(amqp, first)
                await publish_event(amqp, assignment)
            # each contact's confirmation request: SMS sent, Telegram waiting for its retry
            for name in numbers:
                await eventually(lambda n=name: _requests_settled(db, ids[n]), timeout=60)  # type: ignore[misc]
            await publish_event(amqp, late_reopening)  # the reopening overtakes the closure
            await eventually(lambda: _sequence(db, ids["late"], late_reopening.sequence))
            for closure in closures.values():
                await publish_event(amqp, closure)
            await publish_event(amqp, reopening)
            for name, event in (*closures.items(), ("reopened", reopening)):
                # each closure is kept as a citizen notice (no contact confirmed): handled
                await eventually(lambda n=name, e=event: _handled(db, ids[n], e), timeout=60)  # type: ignore[misc]
            # an older rejection, late: it must not move the recent case's date back
            rejection = RejectedData(office_id=OFFICE.office_id, reason="spam")
            stale = ComplaintRejected.caused_by(
                cases["recent"][1], producer="test", data=rejection, occurred_at=LONG_AGO
            ).model_copy(update={"sequence": closures["recent"].sequence - 1})
            await publish_event(amqp, stale)
            await publish_event(amqp, closures["due"])  # a replay: changes nothing
            await drained(amqp, "notification.alerts")
            await eventually(lambda: _sequence(db, ids["late"], late_reopening.sequence))
            recent = await case_doc(db, ids["recent"])
            assert recent["finality_sequence"] == closures["recent"].sequence
            assert abs(recent["final_at"] - RECENTLY) < timedelta(milliseconds=1)

            dry = await asyncio.to_thread(command, stack, settings, "--dry-run")
            assert "contacts: 1 case(s) due for erasure" in dry, dry
            assert (
                len((await case_doc(db, ids["due"]))["contacts"]) == 2
            )  # a dry run erases nothing
            before = await _dump(db)
            done = await asyncio.to_thread(command, stack, settings, "--yes")
            assert "contacts: 1 case(s) erased" in done, done
            again = await asyncio.to_thread(command, stack, settings, "--yes")
            assert "contacts: 0 case(s) erased" in again, again

            erased = await case_doc(db, ids["due"])
            assert erased["contacts"] == [] and "contacts_erased_at" in erased
            assert erased["final_at"] is not None  # when it became final stays on the record
            for name in ("recent", "reopened", "late", "open"):
                assert len((await case_doc(db, ids[name]))["contacts"]) == 2, name
            # the delivery log keeps what operators need; only the sealed address went
            deliveries = await db["deliveries"].find({"complaint_id": ids["due"]}).to_list()
            citizen = [d for d in deliveries if d["audience"] == "citizen"]
            assert sorted((d["channel"], d["state"]) for d in citizen) == [
                ("sms", "sent"),
                ("telegram", "suppressed"),
            ]
            assert all("target" not in d for d in citizen)
            [waiting] = [d for d in citizen if d["channel"] == "telegram"]
            assert waiting["last_error"] == NOT_SENT and waiting["attempts"] == 1
            shown = await delivery_log(http, settings, complaint_id=ids["due"])
            assert {(d["channel"], d["state"]) for d in shown} >= {("sms", "sent")}
            codes = await db["contact_confirmations"].find().to_list()
            assert {c["complaint_id"] for c in codes} == {ids[n] for n in numbers if n != "due"}
            sealed = [c.ciphertext for c in cases["due"][0].data.contacts]
            after = await _dump(db)
            assert all(s in before for s in sealed)
            assert not any(s in after for s in sealed)

            # a late reopening, a replayed submission and a new closure of the erased case
            sent_before = len(gateways.requests)
            late = reopened(closures["due"])
            replay = cases["due"][0]
            closed_again = closed(late, NOW)
            for event in (late, replay, closed_again):
                await publish_event(amqp, event)
            await eventually(lambda: _sequence(db, ids["due"], closed_again.sequence), timeout=60)
            await drained(amqp, "notification.alerts")
            await eventually(lambda: _erased_still(db, ids["due"]), timeout=60)
            assert len(gateways.requests) == sent_before  # nothing went to the citizen
            plan = await _explain_due(db)
            assert "retention_due" in plan and "IXSCAN" in plan and "COLLSCAN" not in plan


async def test_the_job_erases_on_one_replica_and_logs_only_counts(stack: Any, amqp: Any) -> None:
    async with providers() as (inbox, gateways):
        settings = settings_for(
            stack,
            NotificationSettings,
            "notification",
            **provider_settings(inbox, gateways),
            retention_interval_seconds=0.2,
        )
        key = sealing_key(settings)
        number, chat = a_number(), str(uuid.uuid4().int % 10**9)
        first, assignment = opening(key, number, chat)
        withdrawn = ComplaintWithdrawn.caused_by(
            assignment, producer="test", data=CitizenActionData(), occurred_at=LONG_AGO
        )
        keep, keep_assignment = opening(key, a_number(), chat)
        with captured_logs() as logs, job_logs_on():
            async with (
                running(create_app(settings)),
                running(create_app(settings)),
                service_database(settings) as db,
            ):
                for event in (first, assignment, keep, keep_assignment):
                    await publish_event(amqp, event)
                for case in (first, keep):
                    await eventually(lambda c=case: _requests_sent(db, c.complaint_id), timeout=60)  # type: ignore[misc]
                await publish_event(amqp, withdrawn)
                await eventually(lambda: _erased_still(db, first.complaint_id), timeout=60)
                await drained(amqp, "notification.alerts")
                # the deliveries' targets went before the case's contacts
                await eventually(lambda: _targets_erased(db, first.complaint_id, 2))
                assert len((await case_doc(db, keep.complaint_id))["contacts"]) == 2
                # the run that erased ends with its count (a stop before it would lose it)
                await eventually(lambda: _logged(logs.lines))
            async with service_database(settings) as db:
                assert await db["leases"].find().to_list() == []  # both gave the lease up
    counts = [line for line in logs.lines if '"retention applied"' in line]
    assert sum(_count(line) for line in counts) == 1  # erased once, by one replica
    for line in logs.lines:
        assert number not in line and chat not in line
        assert not any(c.ciphertext in line for c in first.data.contacts)


async def _requests_settled(db: AsyncDatabase[Any], complaint_id: str) -> bool:
    states = {
        d["channel"]: (d["state"], d.get("attempts", 0))
        for d in await db["deliveries"].find({"complaint_id": complaint_id}).to_list()
        if d["audience"] == "citizen"
    }
    return states == {"sms": ("sent", 1), "telegram": ("pending", 1)}


@contextlib.contextmanager
def job_logs_on() -> Iterator[None]:
    """The job's logger switched on meanwhile (another test may have disabled it)."""
    logger = logging.getLogger(leases.__name__)
    saved = logger.disabled, logger.propagate, logger.level
    logger.disabled, logger.propagate = False, True
    logger.setLevel(logging.NOTSET)
    try:
        yield
    finally:
        logger.disabled, logger.propagate = saved[:2]
        logger.setLevel(saved[2])


async def _requests_sent(db: AsyncDatabase[Any], complaint_id: str) -> bool:
    states = [
        d["state"]
        for d in await db["deliveries"].find({"complaint_id": complaint_id}).to_list()
        if d["audience"] == "citizen"
    ]
    return states == ["sent", "sent"]


async def _targets_erased(db: AsyncDatabase[Any], complaint_id: str, count: int) -> bool:
    query = {"complaint_id": complaint_id, "audience": "citizen"}
    citizen = await db["deliveries"].find(query).to_list()
    return len(citizen) == count and all("target" not in d for d in citizen)


async def _sequence(db: AsyncDatabase[Any], complaint_id: str, sequence: int) -> bool:
    return (await case_doc(db, complaint_id)).get("finality_sequence") == sequence


async def _handled(db: AsyncDatabase[Any], complaint_id: str, event: Event) -> bool:
    doc = await case_doc(db, complaint_id)
    if isinstance(event, ComplaintReopened):
        return doc.get("finality_sequence") == event.sequence
    return str(event.event_id) in {n["event_id"] for n in doc.get("notices", ())}


async def _erased_still(db: AsyncDatabase[Any], complaint_id: str) -> bool:
    doc = await case_doc(db, complaint_id)
    return "contacts_erased_at" in doc and doc.get("contacts") == []


async def _dump(db: AsyncDatabase[Any]) -> str:
    parts = []
    for name in await db.list_collection_names():
        parts.append(json_util.dumps(await db[name].find().to_list()))
    return "\n".join(parts)


async def _explain_due(db: AsyncDatabase[Any]) -> str:
    """The winning plan of the due query, as the planner picks it without a hint."""
    due = {"final_at": {"$exists": True, "$lt": NOW}, "contacts.0": {"$exists": True}}
    explained = await db.command("explain", {"find": "cases", "filter": due})
    return str(explained["queryPlanner"]["winningPlan"])


async def _logged(lines: list[str]) -> bool:
    return any(_count(line) for line in lines if '"retention applied"' in line)


def _count(line: str) -> int:
    return int(json.loads(line[: line.rindex("}") + 1]).get("count", 0))
