"""Intake's use cases: submit feedback, look a case up by code, follow other services' events.

No HTTP and no broker here: the entrypoints decode requests and messages and call these.
"""

from __future__ import annotations

from datetime import UTC, datetime

from samleng.common.broker import PoisonMessage
from samleng.common.events import Event
from samleng.intake.adapters.cases import CaseRepository, DuplicateCase, StaleCase
from samleng.intake.domain.model import Case, Submission, apply_change, change_for, open_case
from samleng.intake.domain.tracking import TrackingCode, TrackingCodeHasher

MAX_SAVE_ATTEMPTS = 5


class UnknownCase(PoisonMessage):
    """An event names a complaint intake does not hold: it can never apply, so it is poison.

    Intake writes every case before its first event is published, so this is never a race.
    """


async def submit_feedback(
    submission: Submission, cases: CaseRepository, hasher: TrackingCodeHasher
) -> tuple[TrackingCode, Case]:
    """Store a new case with its submitted event (outbox); return its tracking code."""
    for _ in range(3):
        code = TrackingCode.generate()
        case, event = open_case(submission, hasher.hash(code), datetime.now(UTC))
        try:
            await cases.add(case, event)
        except DuplicateCase:
            continue  # a code collision: 80 random bits make this all but impossible
        return code, case
    raise RuntimeError("could not store the case under a fresh tracking code")


async def case_by_code(
    code: TrackingCode, cases: CaseRepository, hasher: TrackingCodeHasher
) -> Case | None:
    """The case a tracking code opens, if any."""
    return await cases.by_code_hash(hasher.hash(code))


async def on_case_event(event: Event, cases: CaseRepository) -> None:
    """Fold an event from routing (or another service) into the case it concerns."""
    change = change_for(event)
    if change is None:
        return
    for _ in range(MAX_SAVE_ATTEMPTS):
        case = await cases.get(event.complaint_id)
        if case is None:
            raise UnknownCase(f"no case {event.complaint_id} for event {event.event_id}")
        updated = apply_change(case, change)
        if updated == case:
            return  # already applied: a redelivery changes nothing
        try:
            await cases.save(updated)
        except StaleCase:
            continue
        return
    raise StaleCase(event.complaint_id)
