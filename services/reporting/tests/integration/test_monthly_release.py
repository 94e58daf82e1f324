"""Production releases the public tables once a month, as of the month's start, in real
MongoDB: cases of the running month stay out, events in between rebuild nothing (two
builds minutes apart cannot be compared to single a case out), a new month releases."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from samleng.common.calendar import time_zone
from samleng.common.mongo import make_mongo_client
from samleng.reporting.adapters.case_records import MongoCaseRecords
from samleng.reporting.adapters.publications import MongoPublications
from samleng.reporting.domain.cases import CaseRecord
from samleng.reporting.entrypoints.publisher import Publisher
from samleng.reporting.settings import ReportingSettings
from services.reporting.tests.unit.fakes import CALENDAR
from tests.support import settings_for

pytestmark = pytest.mark.integration


def _case(received: datetime) -> CaseRecord:
    return CaseRecord(
        str(uuid.uuid4()),
        n_events=1,
        received_at=received,
        province="12",
        district="1201",
        commune="120101",
        transitions=[(received, "awaiting_routing")],
        status="awaiting_routing",
        last_event_at=received,
    )


async def test_tables_are_released_as_of_each_month_start(stack: Any) -> None:
    settings = settings_for(stack, ReportingSettings, "reporting", environment="production")
    assert settings.monthly_release  # production's default
    client = make_mongo_client(settings)
    try:
        db = client[settings.mongo_database]
        records, publications = MongoCaseRecords(db), MongoPublications(db)
        await records.create_indexes()
        publisher = Publisher(
            records,
            publications,
            CALENDAR,
            threshold=1,
            monthly=True,
            interval_seconds=1,
            republish_after_seconds=3600,
        )
        for day in (datetime(2026, 10, 10, 3, tzinfo=UTC), datetime(2026, 10, 20, 3, tzinfo=UTC)):
            await records.save(_case(day))
        await records.save(_case(datetime(2026, 11, 5, 3, tzinfo=UTC)))

        def received(table: Any) -> int:
            return int(table.cells[("total", "received")])

        made = await publisher.publish_due(now=datetime(2026, 11, 23, 5, tzinfo=UTC))
        (edition,) = made
        assert edition.built_at == datetime(2026, 11, 1, tzinfo=time_zone("+07:00"))
        year = await publications.table(edition, "status/2026/national")
        assert year is not None and received(year) == 2  # November's case is not released
        assert await publications.table(edition, "status/2026-11/national") is None

        await records.save(_case(datetime(2026, 11, 23, 5, 5, tzinfo=UTC)))
        await publications.changed([2026])
        later = datetime(2026, 11, 23, 5, 10, tzinfo=UTC)
        assert await publisher.publish_due(now=later) == []  # nothing new to release

        december = datetime(2026, 12, 2, 5, tzinfo=UTC)
        (edition,) = await publisher.publish_due(now=december)
        assert edition.built_at == datetime(2026, 12, 1, tzinfo=time_zone("+07:00"))
        year = await publications.table(edition, "status/2026/national")
        assert year is not None and received(year) == 4
        assert await publisher.publish_due(now=december + timedelta(minutes=5)) == []
    finally:
        await client.drop_database(settings.mongo_database)
        await client.close()


async def test_a_year_marked_changed_takes_no_write_until_the_publisher_reads_it(
    reporting_db: AsyncDatabase[dict[str, Any]],
) -> None:
    publications = MongoPublications(reporting_db)
    changes = reporting_db["publication_changes"]
    await publications.changed([2025, 2026])
    assert await publications.versions() == {2025: 1, 2026: 1}  # read: unmarked
    await publications.changed([2026])
    before = await changes.find_one({"_id": 2026})
    await publications.changed([2026])  # later events find the year marked: no change
    assert await changes.find_one({"_id": 2026}) == before
    assert await publications.versions() == {2025: 1, 2026: 2}
    await publications.changed([2026])  # after the publisher read: counted again
    assert await publications.versions() == {2025: 1, 2026: 3}
