"""Intake's event-side use cases of duplicates: find them, and make linked cases follow.

:func:`find_duplicates` runs when routing puts a case with an office: it scores the
office's comparable open cases (:mod:`samleng.intake.domain.duplicates`) and keeps the
likely ones for the officers' case view. :func:`follow_original` runs when an original is
resolved or closed: each case linked to it takes the same step, stored with its own event
(outbox), once (a redelivery finds nothing left to follow). No HTTP, no broker.
"""

from __future__ import annotations

from datetime import UTC, datetime

from samleng.intake.domain.duplicates import DuplicateRule, likely_duplicates
from samleng.intake.domain.linking import follow
from samleng.intake.ports import MAX_SAVE_ATTEMPTS, Cases, Duplicates, IntakePorts, StaleCase


def duplicate_rule(ports: IntakePorts) -> DuplicateRule:
    """The rule the settings give."""
    settings = ports.settings
    return DuplicateRule(settings.duplicate_threshold, settings.duplicate_window_days)


async def find_duplicates(complaint_id: str, ports: IntakePorts) -> None:
    """Find and keep the likely duplicates of a case among its office's open cases."""
    duplicates = ports.officers.duplicates
    case = await ports.cases.get(complaint_id)
    if case is None or case.office is None:
        return
    rule = duplicate_rule(ports)
    found = likely_duplicates(case, await duplicates.comparable(case, rule), rule)
    await duplicates.remember(case, found)


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
