"""Folding one event at a time gives the record a full refold gives, whatever the order.

Property-style: many seeded random deliveries of generated histories (shuffled, with
duplicates), each checked after every event against the full fold of what was delivered.
"""

from __future__ import annotations

import random
from collections import defaultdict

import pytest

from samleng.common.events import Event
from samleng.reporting.domain.cases import CaseRecord, causal_key, fold, with_event
from samleng.reporting.handlers import on_event
from services.reporting.tests.integration.helpers import generate
from services.reporting.tests.unit.fakes import FakeArchive, fake_ports

pytestmark = pytest.mark.unit

HISTORIES, _ = generate(60, seed=21)


def _by_case(events: list[Event]) -> dict[str, list[Event]]:
    found: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        found[event.complaint_id].append(event)
    return found


CASES = _by_case(HISTORIES)


def _delivery(events: list[Event], rng: random.Random) -> list[Event]:
    stream = events + [rng.choice(events) for _ in range(rng.randrange(0, len(events) + 1))]
    rng.shuffle(stream)
    return stream


def _consume(complaint_id: str, stream: list[Event]) -> tuple[CaseRecord, int]:
    """What the handler does, without ports: extend, or refold what has arrived so far;
    checks after every event that the record is the full fold of what arrived."""
    record: CaseRecord | None = None
    arrived: list[Event] = []
    refolds = 0
    for event in stream:
        arrived.append(event)
        extended = with_event(record, event)
        if extended is None:
            refolds += 1
            extended = fold(complaint_id, arrived)
        record = extended
        assert record == fold(complaint_id, arrived)
    assert record is not None
    return record, refolds


@pytest.mark.parametrize("seed", range(25))
def test_any_order_with_duplicates_gives_the_full_fold_after_every_event(seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - reproducible deliveries
    for complaint_id, events in CASES.items():
        record, _ = _consume(complaint_id, _delivery(events, rng))
        assert record == fold(complaint_id, events)


def test_in_order_deliveries_never_refold() -> None:
    for complaint_id, events in CASES.items():
        in_order = sorted(events, key=causal_key)
        with_duplicates = [e for event in in_order for e in (event, event)]
        record, refolds = _consume(complaint_id, with_duplicates)
        assert refolds == 0
        assert record == fold(complaint_id, events)


def test_an_older_event_refolds_and_so_does_a_record_that_does_not_list_its_events() -> None:
    complaint_id, events = next((c, e) for c, e in CASES.items() if len(e) >= 3)
    first, *rest = sorted(events, key=causal_key)
    later = fold(complaint_id, rest)
    assert with_event(later, first) is None
    unlisted = fold(complaint_id, rest[:-1])
    unlisted.folded = []  # a record stored before records listed their events
    assert with_event(unlisted, rest[-1]) is None
    assert with_event(later, rest[0]) is later  # one it holds: nothing to do


async def test_the_handler_extends_in_order_and_reads_the_archive_only_for_late_events() -> None:
    ports = fake_ports()
    assert isinstance(ports.archive, FakeArchive)
    in_order = sorted(HISTORIES, key=lambda e: (e.occurred_at, e.sequence))
    for event in in_order:
        await on_event(event, ports)
    assert ports.archive.reads == 0
    rng = random.Random(5)  # noqa: S311
    late = fake_ports()
    assert isinstance(late.archive, FakeArchive)
    for event in _delivery(HISTORIES, rng):
        await on_event(event, late)
    assert 0 < late.archive.reads < len(HISTORIES)
    for complaint_id, events in CASES.items():
        expected = fold(complaint_id, events)
        assert await ports.records.get(complaint_id) == expected
        assert await late.records.get(complaint_id) == expected
