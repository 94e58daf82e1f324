"""Reporting's handlers with in-memory ports: the table's handler, rebuild and full detail."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime

import httpx
import pytest

from samleng.common.events import DESK_EVENTS, Event, registered_events
from samleng.common.progress import Progress
from samleng.reporting.app import bootstrap
from samleng.reporting.domain.cases import fold
from samleng.reporting.domain.figures import Area
from samleng.reporting.domain.periods import parse_period
from samleng.reporting.handlers import HANDLERS, detail, on_desk_message, on_event, rebuild
from samleng.reporting.settings import ReportingSettings
from services.reporting.tests.integration.helpers import generate
from services.reporting.tests.integration.linked import EXPECTED, linked_history
from services.reporting.tests.unit.fakes import (
    CALENDAR,
    FakeArchive,
    FakeCaseRecords,
    FakePublications,
    fake_ports,
)

pytestmark = pytest.mark.unit


def _by_case(events: list[Event]) -> dict[str, list[Event]]:
    found: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        found[event.complaint_id].append(event)
    return found


def test_the_table_sends_every_case_event_to_the_fold_and_desk_events_to_the_counts() -> None:
    assert set(HANDLERS.event_types()) == set(registered_events())
    cases = [cls for cls in registered_events() if cls not in DESK_EVENTS]
    assert {HANDLERS.handlers[cls] for cls in cases} == {on_event}
    assert {HANDLERS.handlers[cls] for cls in DESK_EVENTS} == {on_desk_message}


async def test_an_event_is_archived_folded_and_marks_its_year_and_later_ones_changed() -> None:
    ports = fake_ports()
    events, _ = generate(1, seed=2)
    first = min(events, key=lambda e: e.sequence)
    await HANDLERS.bind(ports)(first)
    assert isinstance(ports.archive, FakeArchive)
    assert list(ports.archive.events.values()) == [first]
    assert await ports.records.get(first.complaint_id) == fold(first.complaint_id, [first])
    assert isinstance(ports.publications, FakePublications)
    this_year = datetime.now(UTC).year
    assert set(ports.publications.changes) == set(range(first.occurred_at.year, this_year + 1))


async def test_duplicated_and_shuffled_deliveries_give_the_record_of_a_full_fold() -> None:
    ports = fake_ports()
    events, _ = generate(40, seed=7)
    rng = random.Random(3)  # noqa: S311 - a reproducible delivery order
    stream = events + rng.sample(events, k=len(events) // 4)
    rng.shuffle(stream)
    for event in stream:
        await on_event(event, ports)
    for complaint_id, mine in _by_case(events).items():
        assert await ports.records.get(complaint_id) == fold(complaint_id, mine)


async def test_rebuild_refolds_every_record_from_the_archive_and_forgets_publications() -> None:
    archive, records, publications = FakeArchive(), FakeCaseRecords(), FakePublications()
    events, _ = generate(10, seed=4)
    for event in events:
        await archive.keep(event)
    records.records["stale"] = fold("stale", [])
    publications.editions[2026] = "an old build"  # type: ignore[assignment]
    assert await rebuild(archive, records, publications) == 10
    assert set(records.records) == {e.complaint_id for e in events}
    for complaint_id, mine in _by_case(events).items():
        assert records.records[complaint_id] == fold(complaint_id, mine)
    assert publications.editions == {}


async def test_detail_counts_the_received_cases_of_the_area_only() -> None:
    records = FakeCaseRecords()
    events, truths = generate(30, seed=9)
    for complaint_id, mine in _by_case(events).items():
        await records.save(fold(complaint_id, mine))
    period, now = parse_period("2025", CALENDAR), datetime(2027, 1, 1, tzinfo=UTC)
    in_12 = sum(1 for t in truths if t.province == "12" and t.received_at.year == 2025)
    figures = await detail(records, Area(province="12"), period, now)
    assert figures["status"]["received"] == in_12
    everywhere = await detail(records, Area(), period, now)
    assert everywhere["status"]["received"] == sum(1 for t in truths if t.received_at.year == 2025)


async def test_bootstrap_takes_fakes_for_any_port_and_the_routes_read_them() -> None:
    ports = fake_ports()
    events, _ = generate(5, seed=1)
    for event in events:
        await on_event(event, ports)
    service = bootstrap(
        ReportingSettings(environment="test"),
        archive=ports.archive,
        records=ports.records,
        publications=ports.publications,
        headline=ports.headline,
        desk_counts=ports.desk_counts,
    )
    assert service.ports == ports
    transport = httpx.ASGITransport(app=service.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://reporting") as http:
        summary = (await http.get("/v1/stats/summary")).json()
    assert summary["received"] == 5


async def test_rebuild_says_how_far_it_is_with_counts_and_an_eta(
    capsys: pytest.CaptureFixture[str],
) -> None:
    archive, records, publications = FakeArchive(), FakeCaseRecords(), FakePublications()
    events, _ = generate(10, seed=4)
    for event in events:
        await archive.keep(event)
    assert await rebuild(archive, records, publications) == 10
    printed = capsys.readouterr()
    assert printed.out == ""  # progress never mixes with a command's result
    assert "rebuild: started of 10 case records" in printed.err
    assert "rebuild: done, 10 case records in " in printed.err
    said: list[str] = []
    assert await rebuild(archive, records, publications, say=said.append) == 10
    assert said[0] == "rebuild: started of 10 case records" and said[-1].startswith(
        "rebuild: done, 10 case records"
    )


def test_a_progress_line_has_counts_a_share_a_rate_and_an_eta() -> None:
    now = [0.0]
    said: list[str] = []
    progress = Progress("rebuild", 1000, unit="case records", say=said.append, clock=lambda: now[0])
    now[0] = 10.0
    progress.advance(250)  # 25/s: 750 left take 30 s
    assert said[-1] == "rebuild: 250/1,000 case records (25%), 25/s, ETA 0:00:30"
    now[0] = 11.0
    progress.advance(10)  # within every_seconds of the last line: quiet
    assert len(said) == 2


async def test_linked_reports_count_as_received_but_their_problem_resolves_once() -> None:
    ports = fake_ports()
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    history = linked_history(start)
    for event in reversed(history):  # any order folds to the same records
        await on_event(event, ports)
    period = parse_period("2026", ports.calendar)
    figures = await detail(ports.records, Area(), period, datetime(2026, 12, 1, tzinfo=UTC))
    assert figures["problems"] == EXPECTED
    assert figures["status"]["received"] == 4 and figures["status"]["resolved"] == 3
