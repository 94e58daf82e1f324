"""Intake follows routing's decisions about its cases: the handler table of its inbox.

It also hears its own resolutions and closings, so that the cases linked to an original
follow it (:mod:`samleng.intake.duplicates.handlers`). Likely duplicates are found when an
officer opens a case, not here.

Each handler folds one decision into the case it concerns (:func:`fold_into_case`), in the
order of the case's own ``sequence`` (never backwards) and at most once (a redelivery
changes nothing). No HTTP and no broker here: the table is bound by
:func:`samleng.common.broker.subscribe_table`.
"""

from __future__ import annotations

from samleng.common.events import (
    ComplaintAssigned,
    ComplaintClosed,
    ComplaintEscalated,
    ComplaintForwarded,
    ComplaintResolved,
    ComplaintTransferred,
    DeadlinesChanged,
    Event,
    MoveRequestRefused,
)
from samleng.common.handling import HandlerTable, PoisonMessage
from samleng.intake.domain.model import CaseChange, RoutingMove, apply_change, assignment
from samleng.intake.domain.model import closing as closing_change
from samleng.intake.domain.model import move as move_change
from samleng.intake.domain.routing_facts import deadlines_change, refusal
from samleng.intake.duplicates.handlers import follow_original
from samleng.intake.ports import MAX_SAVE_ATTEMPTS, Cases, IntakePorts, StaleCase


class UnknownCase(PoisonMessage):
    """An event names a complaint intake does not hold: it can never apply, so it is poison.

    Intake writes every case before its first event is published, so this is never a race.
    """


async def fold_into_case(event: Event, change: CaseChange, cases: Cases) -> None:
    """Fold what an event changes into its case, once, retrying if the case moves meanwhile.

    The first try starts from the case as this process last stored it (usually the case
    just submitted, so no read); a retry reads the stored case.
    """
    for attempt in range(MAX_SAVE_ATTEMPTS):
        read = cases.last_written if attempt == 0 else cases.get
        case = await read(event.complaint_id)
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


async def on_assigned(event: ComplaintAssigned, ports: IntakePorts) -> None:
    """Routing chose the office: the case is assigned to it, under its deadlines."""
    await fold_into_case(event, assignment(event), ports.cases)


async def on_moved(event: RoutingMove, ports: IntakePorts) -> None:
    """Routing forwarded, transferred or escalated the case: it is with another office."""
    await fold_into_case(event, move_change(event), ports.cases)


async def on_closed(event: ComplaintClosed, ports: IntakePorts) -> None:
    """The case was closed (confirmed by the citizen or closed when the period passed);
    the resolved cases linked to it close too."""
    await fold_into_case(event, closing_change(event), ports.cases)
    await follow_original(event.complaint_id, ports.cases, ports.officers.duplicates)


async def on_resolved(event: ComplaintResolved, ports: IntakePorts) -> None:
    """An office resolved a case (intake stored it already): the open cases linked to it
    are resolved too."""
    await follow_original(event.complaint_id, ports.cases, ports.officers.duplicates)


async def on_deadlines_changed(event: DeadlinesChanged, ports: IntakePorts) -> None:
    """The office's clocks paused for the citizen's answer, resumed, or restarted."""
    await fold_into_case(event, deadlines_change(event), ports.cases)


async def on_move_refused(event: MoveRequestRefused, ports: IntakePorts) -> None:
    """Routing refused an office's move request: the office and the citizen see why."""
    await fold_into_case(event, refusal(event), ports.cases)


HANDLERS: HandlerTable[IntakePorts] = HandlerTable(
    service="intake",
    queue="intake.case-updates",
    handlers={
        ComplaintAssigned: on_assigned,
        ComplaintForwarded: on_moved,
        ComplaintTransferred: on_moved,
        ComplaintEscalated: on_moved,
        ComplaintClosed: on_closed,
        ComplaintResolved: on_resolved,
        DeadlinesChanged: on_deadlines_changed,
        MoveRequestRefused: on_move_refused,
    },
)
