"""Routing's use cases and the table of the events it consumes.

Each handler loads the case through the :class:`~samleng.routing.ports.Cases` port, lets
a pure decision (:mod:`samleng.routing.domain.decisions`) change it, and saves the case
with the events it causes in one write; the outbox relay publishes them. Submissions
create the case (the first decision wins; a redelivered submission re-announces the same
assignment). Every other event is applied under an optimistic ``version`` check, so two
replicas never both act on one case. A move request routing will not carry out (unknown
office, closed case, wrong office asking, the move limit reached at the provincial
ombudsman) is answered with ``complaint.move_refused`` saying why in both languages, so
the office and the citizen see it; the dead-letter queue is for poison only.
"""

from __future__ import annotations

from samleng.common.events import (
    ComplaintAcknowledged,
    ComplaintClosed,
    ComplaintRejected,
    ComplaintReopened,
    ComplaintResolved,
    ComplaintSubmitted,
    ComplaintWithdrawn,
    EscalationRequested,
    Event,
    ForwardRequested,
    InformationProvided,
    InformationRequested,
    MoveRefusedData,
    MoveRequestRefused,
    TransferRequested,
)
from samleng.common.handling import HandlerTable
from samleng.routing.domain.decisions import (
    PRODUCER,
    Context,
    on_case_event,
    on_clock,
    on_submitted,
)
from samleng.routing.domain.rules import MoveRefused
from samleng.routing.ports import RoutingPorts, StoredCase

#: How often a handler reloads a case that changed under it before giving the message back.
MAX_ATTEMPTS = 10


class CaseNotYetRouted(RuntimeError):
    """An action on a case routing has not seen yet: retried, dead-lettered if it persists."""


class CaseKeptChanging(RuntimeError):
    """Others changed the case every time this handler tried: the message is retried."""


async def context(ports: RoutingPorts) -> Context:
    """What a decision depends on, now: the active directory, catalogue, calendar, time."""
    directory = await ports.directories.active()
    return Context(directory, ports.catalogue, ports.calendar, ports.clock.now(), ports.limits)


async def route_new_case(event: ComplaintSubmitted, ports: RoutingPorts) -> None:
    """A new complaint: decide its office, start its clocks and announce the assignment."""
    case, assigned = on_submitted(event, await context(ports))
    if await ports.cases.add(case, assigned):
        return
    existing = await ports.cases.get(event.complaint_id)
    if existing is None:
        raise CaseKeptChanging(f"case {event.complaint_id} exists but could not be read")
    # a redelivered submission re-announces the first assignment (same event_id)
    await ports.cases.announce_again(existing.assigned)


async def apply_to_case(event: Event, ports: RoutingPorts) -> None:
    """An action on a routed case: move it, time it or stop its clocks."""
    for _ in range(MAX_ATTEMPTS):
        stored = await ports.cases.get(event.complaint_id)
        if stored is None:
            raise CaseNotYetRouted(f"case {event.complaint_id} is not routed yet")
        if stored.case.has_seen(str(event.event_id)):
            return  # handled before; its events are in the outbox already
        ctx = await context(ports)
        try:
            emitted = on_case_event(stored.case, event, ctx)
        except MoveRefused as refused:  # raised before the decision changed anything
            emitted = [refusal(stored, event, refused, ctx)]
        if await ports.cases.save(stored, emitted):
            return
    raise CaseKeptChanging(f"case {event.complaint_id} kept changing; will retry")


def refusal(stored: StoredCase, event: Event, refused: MoveRefused, ctx: Context) -> Event:
    """The answer to a move request routing will not carry out: the case stays where it is."""
    assert isinstance(event, TransferRequested | ForwardRequested | EscalationRequested)
    request = event.data
    kind = {
        TransferRequested: "transfer",
        ForwardRequested: "forward",
        EscalationRequested: "escalation",
    }[type(event)]
    answer = MoveRequestRefused.caused_by(
        event,
        producer=PRODUCER,
        occurred_at=ctx.now,
        data=MoveRefusedData.model_validate(
            {
                "office_id": request.office_id,
                "request": kind,
                "request_event_id": str(event.event_id),
                "reason_en": refused.reason_en,
                "reason_km": refused.reason_km,
                "to_office_id": request.to_office_id,
                "to_ministry": request.to_ministry,
                "requested_by": request.actor,
            }
        ),
    )
    stored.case.remember(str(event.event_id), event.sequence)
    stored.case.remember(str(answer.event_id), answer.sequence)
    return answer


async def fire_clocks(claimed: StoredCase, ports: RoutingPorts) -> bool:
    """Fire the due clocks of a claimed case and store it with the events (and give it
    back); False if a message changed the case meanwhile (the next pass sees it again)."""
    events = on_clock(claimed.case, await context(ports))
    return await ports.cases.save(claimed, events)


HANDLERS: HandlerTable[RoutingPorts] = HandlerTable(
    service="routing",
    queue="routing.case-events",
    handlers={
        ComplaintSubmitted: route_new_case,
        ComplaintAcknowledged: apply_to_case,
        ComplaintResolved: apply_to_case,
        ComplaintRejected: apply_to_case,
        ComplaintReopened: apply_to_case,
        ComplaintWithdrawn: apply_to_case,
        TransferRequested: apply_to_case,
        ForwardRequested: apply_to_case,
        EscalationRequested: apply_to_case,
        ComplaintClosed: apply_to_case,
        InformationRequested: apply_to_case,
        InformationProvided: apply_to_case,
    },
)
