"""Intake's use cases of duplicates: find them, and make linked cases follow.

:func:`duplicates_of` runs when an officer opens a case: it scores the office's comparable
open cases, before and after it (:mod:`samleng.intake.domain.duplicates`), so what the
officer sees is always current and a new case costs the flow nothing.
:func:`follow_original` runs when an original is resolved or closed: each case linked to
it takes the same step, stored with its own event (outbox), once (a redelivery finds
nothing left to follow). No HTTP, no broker.
"""

from __future__ import annotations

from datetime import UTC, datetime

from samleng.intake.domain.duplicates import Candidate, DuplicateRule, likely_duplicates
from samleng.intake.domain.linking import follow
from samleng.intake.domain.model import Case
from samleng.intake.ports import MAX_SAVE_ATTEMPTS, Cases, Duplicates, StaleCase


async def duplicates_of(
    case: Case, duplicates: Duplicates, rule: DuplicateRule
) -> tuple[Candidate, ...]:
    """The likely duplicates of a case among its office's open, unlinked cases, best first."""
    if case.office is None:
        return ()
    return likely_duplicates(case, await duplicates.comparable(case, rule), rule)


async def follow_original(original_id: str, cases: Cases, duplicates: Duplicates) -> int:
    """Make every case linked to ``original_id`` follow its status; how many moved."""
    moved = 0
    for duplicate_id in await duplicates.linked_to(original_id):
        moved += await _follow_one(duplicate_id, original_id, cases)
    return moved


async def _follow_one(duplicate_id: str, original_id: str, cases: Cases) -> int:
    for _ in range(MAX_SAVE_ATTEMPTS):
        original = await cases.get(original_id)
        duplicate = await cases.get(duplicate_id)
        if original is None or duplicate is None:
            return 0
        step = follow(duplicate, original, datetime.now(UTC))
        if step is None:
            return 0
        try:
            await cases.save_with_event(*step)
        except StaleCase:
            continue
        return 1
    raise StaleCase(duplicate_id)
