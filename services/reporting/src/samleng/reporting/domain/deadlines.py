"""Deadlines kept and missed, read from routing's own deadlines (never recomputed). Pure.

Routing gives the office that holds a case a resolution deadline (``resolve_by``) on
``complaint.assigned``, on every move, and on ``complaint.deadlines_changed`` (paused while
the office waits for the citizen: no deadline; resumed; reopened), and an overall deadline
from the submission (``overall_by``) that moves do not restart. A case's record keeps them
as *holdings*: from when, which office, which deadlines.

A deadline is **kept** when the case was resolved no later than it, while it was in force;
it is **missed** when it passed while it was in force and the case was still open. A
deadline replaced before it passed (the case moved, the clock paused) or ended before it
passed (rejected, withdrawn, closed) is neither. A missed resolution deadline is charged
to the office that held the case when it passed, so an escalation that follows charges
the office that missed it, not the ombudsman that received the case.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from samleng.common.events.status import StatusGroup
from samleng.reporting.domain.cases import CaseRecord

_OPEN = frozenset({StatusGroup.AWAITING_ROUTING.value, StatusGroup.IN_PROGRESS.value})


@dataclass(frozen=True)
class Verdict:
    """One deadline that came due: whose it was, whether it was kept, and when that was
    settled (the resolution, or the instant the deadline passed)."""

    office_id: str
    kept: bool
    at: datetime


def _windows(
    record: CaseRecord, which: int
) -> Iterator[tuple[datetime, datetime | None, str, datetime]]:
    """(from, until, office, deadline) for each stretch one deadline was in force; the
    overall deadline stays in force across moves while its value does not change."""
    holdings = record.holdings
    for index, holding in enumerate(holdings):
        deadline = holding[3] if which == 3 else holding[4]
        if deadline is None:
            continue
        if which == 4 and index and holdings[index - 1][4] == deadline:
            continue  # the same overall deadline, carried by a move
        until = None
        for later in holdings[index + 1 :]:
            if which == 3 or later[4] != deadline:
                until = later[0]
                break
        yield holding[0], until, holding[1], deadline


def _verdicts(record: CaseRecord, end: datetime, which: int) -> list[Verdict]:
    found = []
    for since, until, office_id, deadline in _windows(record, which):
        ending = next(
            (
                (at, stage)
                for at, stage in record.transitions
                if at >= since and (until is None or at < until) and stage not in _OPEN
            ),
            None,
        )
        stops = [at for at in (ending[0] if ending else None, until) if at is not None]
        if ending is not None and ending[1] == StatusGroup.RESOLVED and ending[0] <= deadline:
            verdict = Verdict(office_id, True, ending[0])
        elif not stops or deadline < min(stops):
            verdict = Verdict(office_id, False, deadline)
        else:
            continue  # replaced, paused or ended before it passed
        if verdict.at < end:
            found.append(verdict)
    return found


def resolution_verdicts(record: CaseRecord, end: datetime) -> list[Verdict]:
    """Every resolution deadline of the case kept or missed before ``end``, charged to
    the office that held the case then."""
    return _verdicts(record, end, 3)


def overall_verdicts(record: CaseRecord, end: datetime) -> list[Verdict]:
    """Every overall deadline of the case (one per round: submission, each reopening)
    kept or missed before ``end``."""
    return _verdicts(record, end, 4)


def case_verdict(verdicts: list[Verdict]) -> bool | None:
    """A case is within its deadlines when every one that came due was kept; None when
    none came due yet."""
    if not verdicts:
        return None
    return all(v.kept for v in verdicts)
