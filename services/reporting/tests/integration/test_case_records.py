"""Case records in real MongoDB: concurrent folds of one complaint keep the fullest one,
events of one complaint handled at once all end up in its record, and a replica folding
from the record it wrote last loses to one that wrote since, then folds again."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from samleng.common.mongo import make_mongo_client
from samleng.reporting.adapters.archive import MongoEventArchive
from samleng.reporting.adapters.case_records import MongoCaseRecords
from samleng.reporting.adapters.publications import MongoPublications
from samleng.reporting.domain.cases import fold
from samleng.reporting.handlers import on_event
from samleng.reporting.ports import ReportingPorts
from samleng.reporting.settings import ReportingSettings
from services.reporting.tests.integration.helpers import generate
from services.reporting.tests.unit.fakes import CALENDAR, FakeCaseRecords, FakeHeadline
from tests.support import settings_for

pytestmark = pytest.mark.integration


async def test_concurrent_saves_keep_the_record_folded_from_most_events(stack: Any) -> None:
    settings = settings_for(stack, ReportingSettings, "reporting")
    client = make_mongo_client(settings)
    try:
        records = MongoCaseRecords(client[settings.mongo_database])
        events, _ = generate(12, seed=5)
        for complaint_id in {e.complaint_id for e in events}:
            mine = sorted(
                (e for e in events if e.complaint_id == complaint_id), key=lambda e: e.sequence
            )
            # every prefix of the history, saved at once in a random order
            folds = [fold(complaint_id, mine[:n]) for n in range(1, len(mine) + 1)]
            random.Random(complaint_id).shuffle(folds)  # noqa: S311
            await asyncio.gather(*(records.save(f) for f in folds))
        ids = {e.complaint_id for e in events}
        saved = {i: r for i in ids if (r := await records.get(i)) is not None}
        for complaint_id, record in saved.items():
            mine = [e for e in events if e.complaint_id == complaint_id]
            expected = fold(complaint_id, mine)
            # MongoDB keeps milliseconds, so compare what the stored times do not change
            assert (record.n_events, record.status, len(record.transitions)) == (
                len(mine),
                expected.status,
                len(expected.transitions),
            )
        assert len(saved) == 12
    finally:
        await client.close()


async def test_events_of_one_complaint_handled_at_once_all_end_up_in_its_record(
    reporting_db: AsyncDatabase[dict[str, Any]],
) -> None:
    records = MongoCaseRecords(reporting_db)
    ports = ReportingPorts(
        MongoEventArchive(reporting_db),
        records,
        MongoPublications(reporting_db),
        FakeHeadline(FakeCaseRecords()),
        CALENDAR,
    )
    events, _ = generate(12, seed=8)
    rng = random.Random(8)  # noqa: S311 - a reproducible delivery
    stream = events + rng.sample(events, k=len(events) // 3)
    rng.shuffle(stream)
    # every event at once: consumers race for the same records and must not lose one
    await asyncio.gather(*(on_event(event, ports) for event in stream))
    for complaint_id in {e.complaint_id for e in events}:
        mine = [e for e in events if e.complaint_id == complaint_id]
        expected = fold(complaint_id, mine)
        record = await MongoCaseRecords(reporting_db).get(complaint_id)  # as stored
        assert record is not None
        assert (record.folded, record.n_events, record.status, record.transitions) == (
            expected.folded,
            expected.n_events,
            expected.status,
            [(_to_milliseconds(at), status) for at, status in expected.transitions],
        )


async def test_two_replicas_take_turns_on_one_complaint_and_lose_no_event(
    reporting_db: AsyncDatabase[dict[str, Any]],
) -> None:
    def replica() -> ReportingPorts:
        return ReportingPorts(
            MongoEventArchive(reporting_db),
            MongoCaseRecords(reporting_db),
            MongoPublications(reporting_db),
            FakeHeadline(FakeCaseRecords()),
            CALENDAR,
        )

    events, _ = generate(12, seed=3)
    complaint_id = max({e.complaint_id for e in events}, key=lambda c: _count(events, c))
    mine = sorted((e for e in events if e.complaint_id == complaint_id), key=lambda e: e.sequence)
    assert len(mine) >= 3
    first, second = replica(), replica()
    # each replica keeps the record it wrote; every other event goes to the other replica,
    # so each one folds into a record that changed since it wrote it
    for n, event in enumerate(mine):
        await on_event(event, first if n % 2 == 0 else second)
    await on_event(mine[0], second)  # a redelivery changes nothing
    expected = fold(complaint_id, mine)
    stored = await MongoCaseRecords(reporting_db).get(complaint_id)
    assert stored is not None
    assert (stored.folded, stored.n_events) == (expected.folded, expected.n_events)
    archived = await MongoEventArchive(reporting_db).of_complaint(complaint_id)
    assert sorted(str(e.event_id) for e in archived) == sorted(str(e.event_id) for e in mine)


def _count(events: list[Any], complaint_id: str) -> int:
    return sum(1 for e in events if e.complaint_id == complaint_id)


def _to_milliseconds(at: datetime) -> datetime:
    """The instant as MongoDB keeps it."""
    return at.replace(microsecond=at.microsecond // 1000 * 1000)
