from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from samleng.intake.domain.audit import GENESIS, AuditRecord, chain, verify_chain

pytestmark = pytest.mark.unit

KEY = b"audit-key-for-tests"


def trail(n: int):
    entries, prev = [], GENESIS
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    for i in range(1, n + 1):
        record = AuditRecord(
            at=start + timedelta(minutes=i),
            subject=f"officer-{i % 2}",
            role="officer",
            office_id="commune:170201",
            action="read",
            complaint_id=f"c-{i}",
        )
        entry = chain(i, record, prev, KEY)
        entries.append(entry)
        prev = entry.hash
    return entries


def test_an_intact_trail_verifies() -> None:
    entries = trail(5)
    assert verify_chain(entries, (5, entries[-1].hash), KEY) == []


def test_an_edited_entry_is_found() -> None:
    entries = trail(5)
    entries[2] = replace(entries[2], record=replace(entries[2].record, action="resolve"))
    assert [b.seq for b in verify_chain(entries, (5, entries[-1].hash), KEY)] == [3]


def test_a_removed_entry_is_found() -> None:
    entries = trail(5)
    del entries[1]
    problems = verify_chain(entries, (5, entries[-1].hash), KEY)
    assert problems and problems[0].seq == 3


def test_a_cut_tail_is_found_through_the_head() -> None:
    entries = trail(5)
    assert verify_chain(entries[:4], (5, entries[-1].hash), KEY)


def test_a_rewritten_chain_does_not_match_the_head() -> None:
    entries = trail(3)
    forged = chain(3, replace(entries[2].record, action="delete"), entries[1].hash, KEY)
    assert verify_chain([*entries[:2], forged], (3, entries[2].hash), KEY)


def test_a_chain_recomputed_without_the_key_does_not_verify() -> None:
    entries, prev = [], GENESIS
    for entry in trail(3):
        forged = chain(entry.seq, replace(entry.record, action="nothing"), prev, b"guessed")
        entries.append(forged)
        prev = forged.hash
    problems = verify_chain(entries, (3, prev), KEY)
    assert {p.seq for p in problems} == {1, 2, 3}
