"""Routing's events go through the one outbox: nothing decided is lost when the process
dies between storing a decision and publishing it, nor across the upgrade from the
outbox lists older releases kept inside each case."""

from __future__ import annotations

import asyncio
from typing import Any

import aio_pika
import pytest
from pymongo import AsyncMongoClient

from samleng.common.calendar import working_calendar
from samleng.common.events import ComplaintAssigned
from samleng.common.outbox import Outbox
from samleng.common.reference import service_catalogue
from samleng.routing.adapters.cases import CaseRepository
from samleng.routing.adapters.directory import bundled_directory
from samleng.routing.app import create_app
from samleng.routing.domain.decisions import Context, on_submitted
from samleng.routing.settings import RoutingSettings
from services.routing.tests.integration.helpers import (
    MONDAY,
    all_published,
    case_record,
    submitted,
    tap_all,
)
from tests.support import eventually, running, settings_for

pytestmark = pytest.mark.integration


def decided(settings: RoutingSettings) -> tuple[Any, ComplaintAssigned]:
    """A new case and its assignment, decided but not stored."""
    ctx = Context(bundled_directory(), service_catalogue(), working_calendar(settings), MONDAY)
    return on_submitted(submitted("170201"), ctx)


async def test_decisions_stored_before_a_crash_are_published_after_a_restart(
    stack: Any, amqp: aio_pika.abc.AbstractChannel
) -> None:
    settings = settings_for(stack, RoutingSettings, "routing")
    feed = await tap_all(amqp)
    stored, old = decided(settings), decided(settings)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongo_url.get_secret_value(), tz_aware=True
    )
    try:
        db = client[settings.mongo_database]
        # a process stored this decision, then died before its relay published it
        await CaseRepository(db, Outbox(db)).add(*stored)
        # an older release kept the events it had not yet published inside the case
        await CaseRepository(db, Outbox(db)).add(*old)
        await db["outbox"].delete_one({"_id": str(old[1].event_id)})
        await db["assignments"].update_one(
            {"_id": old[0].complaint_id}, {"$set": {"outbox": [old[1].model_dump(mode="json")]}}
        )
    finally:
        await client.close()
    async with running(create_app(settings)):
        for case, assigned in (stored, old):
            [seen] = await feed.wait(case.complaint_id, "complaint.assigned")
            assert seen.event_id == assigned.event_id
            await eventually(lambda: all_published(settings, case.complaint_id))  # noqa: B023
    record = await case_record(settings, old[0].complaint_id)
    assert record is not None and "outbox" not in record


async def test_cases_stored_at_once_are_each_stored_once_with_their_assignment(
    stack: Any,
) -> None:
    settings = settings_for(stack, RoutingSettings, "routing")
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongo_url.get_secret_value(), tz_aware=True
    )
    try:
        db = client[settings.mongo_database]
        cases = CaseRepository(db, Outbox(db))
        earlier = decided(settings)
        assert await cases.add(*earlier)
        new = [decided(settings) for _ in range(5)]
        # the earlier case again (a redelivered submission, a second decision) in the
        # middle of a round of new ones: it alone is refused, every new one is stored
        again = (earlier[0], decided(settings)[1])
        firsts = await asyncio.gather(*(cases.add(*pair) for pair in [*new[:2], again, *new[2:]]))
        assert firsts == [True, True, False, True, True, True]
        stored = {d["_id"] async for d in db["assignments"].find({}, {"_id": 1})}
        assert {c.complaint_id for c, _ in [earlier, *new]} <= stored
        outbox = {d["_id"] async for d in db["outbox"].find({}, {"_id": 1})}
        assert {str(a.event_id) for _, a in [earlier, *new]} <= outbox
        assert str(again[1].event_id) not in outbox  # its transaction left nothing behind
        more = [decided(settings) for _ in range(3)]  # a round of new cases only
        assert await asyncio.gather(*(cases.add(*pair) for pair in more)) == [True] * 3
        assert (
            await db["outbox"].count_documents({"_id": {"$in": [str(a.event_id) for _, a in more]}})
            == 3
        )
    finally:
        await client.close()
