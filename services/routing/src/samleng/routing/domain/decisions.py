"""Routing's decisions, pure: route a new case, apply an action to a case, fire its clocks.

Each takes the case and a :class:`Context` (directory, catalogue, calendar and the time),
changes the case in memory and returns the events the change causes; storing the case
and its events together is the handlers' job (:mod:`samleng.routing.handlers`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from samleng.common.events import (
    ActorRef,
    AssignedData,
    CaseStatus,
    ClosedData,
    ComplaintAcknowledged,
    ComplaintAssigned,
    ComplaintClosed,
    ComplaintEscalated,
    ComplaintForwarded,
    ComplaintRejected,
    ComplaintReopened,
    ComplaintResolved,
    ComplaintSubmitted,
    ComplaintTransferred,
    ComplaintWithdrawn,
    DeadlineApproaching,
    DeadlineData,
    DeadlinePassed,
    EscalatedData,
    EscalationRequested,
    Event,
    ForwardRequested,
    MovedData,
    MoveRequestData,
    TransferRequested,
)
from samleng.common.reference import ServiceCatalogue
from samleng.routing.domain.calendar import WorkingCalendar
from samleng.routing.domain.case import REOPENABLE, Case
from samleng.routing.domain.model import INTERIOR, Directory, Office
from samleng.routing.domain.rules import (
    MoveRefused,
    forward_target,
    ombudsman_above,
    pick_office,
    refuse_accused,
    transfer_target,
)
from samleng.routing.domain.sla import Timer, confirmation_clock, start_clocks

PRODUCER = "routing"
Trigger = Literal["acknowledgement_overdue", "resolution_overdue", "appeal", "officer_request"]

_TRIGGER_TEXT: dict[str, tuple[str, str]] = {
    "acknowledgement_overdue": (
        "{office} did not acknowledge the case in time.",
        "{office} មិនបានទទួលស្គាល់ករណីនេះទាន់ពេលវេលាទេ។",
    ),
    "resolution_overdue": (
        "{office} did not resolve the case in time.",
        "{office} មិនបានដោះស្រាយករណីនេះទាន់ពេលវេលាទេ។",
    ),
    "appeal": (
        "The citizen appealed the resolution given by {office}.",
        "ពលរដ្ឋបានប្ដឹងឧទ្ធរណ៍លើដំណោះស្រាយរបស់ {office}។",
    ),
    "appeal_of_rejection": (
        "The citizen appealed the rejection of the case by {office}.",
        "ពលរដ្ឋបានប្ដឹងឧទ្ធរណ៍លើការបដិសេធករណីនេះដោយ {office}។",
    ),
    "officer_request": (
        "{office} asked to escalate the case: {reason}",
        "{office} បានស្នើសុំលើកករណីនេះទៅថ្នាក់លើ៖ {reason}",
    ),
}


@dataclass(frozen=True)
class Context:
    """What a decision depends on: the active directory, the catalogue, the calendar, now."""

    directory: Directory
    catalogue: ServiceCatalogue
    calendar: WorkingCalendar
    now: datetime


def on_submitted(event: ComplaintSubmitted, ctx: Context) -> tuple[Case, ComplaintAssigned]:
    """Route a new case: the office, its deadlines, and the assignment that announces it."""
    data = event.data
    decision = pick_office(data, ctx.directory, ctx.catalogue)
    deadlines, timers = start_clocks(
        ctx.directory.sla, ctx.calendar, data.kind, data.category, ctx.now
    )
    assigned = ComplaintAssigned.caused_by(
        event,
        producer=PRODUCER,
        occurred_at=ctx.now,
        data=AssignedData(
            office=decision.office.ref(),
            rule=decision.rule,
            explanation_en=decision.explanation_en,
            explanation_km=decision.explanation_km,
            directory_version=decision.directory_version,
            deadlines=deadlines,
            not_yet_served=decision.not_yet_served,
        ),
    )
    case = Case(
        complaint_id=event.complaint_id,
        correlation_id=event.correlation_id,
        kind=data.kind,
        category=data.category,
        province_code=data.location.province_code,
        district_code=data.location.district_code,
        commune_code=data.location.commune_code,
        office=decision.office,
        directory_version=decision.directory_version,
        accused_office_id=data.about_office_id if data.about_office_conduct else None,
        timers=timers,
    )
    case.remember(str(event.event_id), event.sequence)
    case.remember(str(assigned.event_id), assigned.sequence)
    return case, assigned


def on_case_event(case: Case, event: Event, ctx: Context) -> list[Event]:
    """Apply an office's or citizen's action to the case; the events it causes.

    Raises MoveRefused or CaseClosed for a request that can never be carried out.
    """
    emitted: list[Event] = []
    if isinstance(event, ComplaintAcknowledged):
        if event.data.office_id == case.office.office_id and case.status == CaseStatus.ASSIGNED:
            case.stop("acknowledge")
            case.status = CaseStatus.ACKNOWLEDGED
    elif isinstance(event, ComplaintResolved):
        if event.data.office_id == case.office.office_id and not case.is_final:
            case.stop("acknowledge", "resolve", "confirm")
            case.timers.append(confirmation_clock(ctx.directory.sla, ctx.calendar, ctx.now))
            case.status = CaseStatus.RESOLVED
    elif isinstance(event, ComplaintRejected | ComplaintWithdrawn | ComplaintClosed):
        case.timers = []
        case.status = {
            ComplaintRejected: CaseStatus.REJECTED,
            ComplaintWithdrawn: CaseStatus.WITHDRAWN,
            ComplaintClosed: CaseStatus.CLOSED,
        }[type(event)]
    elif isinstance(event, ComplaintReopened):
        if case.status in REOPENABLE:
            emitted += _reopen(case, event, ctx)
    elif isinstance(event, TransferRequested | ForwardRequested | EscalationRequested):
        emitted += _on_request(case, event, ctx)
    case.remember(str(event.event_id), event.sequence)
    for out in emitted:
        case.remember(str(out.event_id), out.sequence)
    return emitted


def on_clock(case: Case, ctx: Context) -> list[Event]:
    """Fire the clocks of a case that are due at ``ctx.now``: warn, pass, escalate, close."""
    emitted: list[Event] = []
    for timer in sorted(case.timers, key=lambda t: t.next_at):
        if timer.next_at > ctx.now:
            continue
        if timer.due_at > ctx.now:
            case.timers = [replace(t, warned=True) if t is timer else t for t in case.timers]
            emitted.append(_after(case, DeadlineApproaching, _deadline(case, timer), ctx))
            continue
        case.timers = [t for t in case.timers if t is not timer]
        if timer.deadline == "confirm":
            closed = ClosedData(how="auto_closed", office_id=case.office.office_id)
            emitted.append(_after(case, ComplaintClosed, closed, ctx))
            case.timers, case.status = [], CaseStatus.CLOSED
            break
        emitted.append(_after(case, DeadlinePassed, _deadline(case, timer), ctx))
        trigger: Trigger = (
            "acknowledgement_overdue" if timer.deadline == "acknowledge" else "resolution_overdue"
        )
        above = ombudsman_above(ctx.directory, _current(case, ctx))
        if above is not None:
            data = _escalation(case, above, trigger, ctx)
            emitted.append(_after(case, ComplaintEscalated, data, ctx))
            break  # the new office's clocks start now; older ones are gone
    return emitted


# --- moves ----------------------------------------------------------------------------------


def _on_request(
    case: Case, event: TransferRequested | ForwardRequested | EscalationRequested, ctx: Context
) -> list[Event]:
    case.ensure_open()
    request = event.data
    if request.office_id != case.office.office_id:
        raise MoveRefused(
            f"only the responsible office ({case.office.office_id}) can move the case; "
            f"{request.office_id} asked"
        )
    actor = request.actor or ActorRef(role="officer", office_id=request.office_id)
    if isinstance(event, EscalationRequested):
        above = ombudsman_above(ctx.directory, _current(case, ctx))
        if above is None:
            raise MoveRefused("the case is already with the national team, the top of the ladder")
        data = _escalation(case, above, "officer_request", ctx, actor=actor, reason=request.reason)
        return [
            ComplaintEscalated.caused_by(event, producer=PRODUCER, data=data, occurred_at=ctx.now)
        ]
    if isinstance(event, ForwardRequested):
        target = forward_target(ctx.directory, case.province_code, _ministry_of(request, ctx))
        refuse_accused(target, case.accused_office_id)
        moved = _move(case, target, "forward-to-ministry", request.reason, actor, ctx)
        return [
            ComplaintForwarded.caused_by(event, producer=PRODUCER, data=moved, occurred_at=ctx.now)
        ]
    target = transfer_target(ctx.directory, request.to_office_id, case.office)
    refuse_accused(target, case.accused_office_id)
    moved = _move(case, target, "transfer-on-request", request.reason, actor, ctx)
    return [
        ComplaintTransferred.caused_by(event, producer=PRODUCER, data=moved, occurred_at=ctx.now)
    ]


def _ministry_of(request: MoveRequestData, ctx: Context) -> str:
    if request.to_ministry:
        return request.to_ministry
    office = ctx.directory.office(request.to_office_id or "")
    if office is not None and office.ministry and office.ministry != INTERIOR:
        return office.ministry
    raise MoveRefused("a forward needs to_ministry (a ministry code of the service catalogue)")


def _reopen(case: Case, event: ComplaintReopened, ctx: Context) -> list[Event]:
    case.stop("confirm")
    if event.data.appeal:
        above = ombudsman_above(ctx.directory, _current(case, ctx))
        if above is not None:
            wording = "appeal_of_rejection" if case.status == CaseStatus.REJECTED else "appeal"
            data = _escalation(case, above, "appeal", ctx, actor=event.data.by, wording=wording)
            return [
                ComplaintEscalated.caused_by(
                    event, producer=PRODUCER, data=data, occurred_at=ctx.now
                )
            ]
    # reopened at the same office: it has acknowledged already and must resolve again
    _, timers = start_clocks(
        ctx.directory.sla, ctx.calendar, case.kind, case.category, ctx.now, acknowledged=True
    )
    case.timers, case.status = timers, CaseStatus.ACKNOWLEDGED
    return []


def _escalation(
    case: Case,
    above: Office,
    trigger: Trigger,
    ctx: Context,
    *,
    actor: ActorRef | None = None,
    reason: str = "",
    wording: str = "",
) -> EscalatedData:
    en, km = _TRIGGER_TEXT[wording or trigger]
    office = case.office
    reason_en = en.format(office=office.name_en, reason=reason) + (
        f" It goes one level up the ladder, to {above.name_en}."
    )
    reason_km = km.format(office=office.name_km, reason=reason) + (
        f" ករណីនេះត្រូវបានលើកទៅមួយថ្នាក់ខាងលើ គឺ {above.name_km}។"
    )
    moved = _move(case, above, "escalation-ladder", "", actor, ctx, texts=(reason_en, reason_km))
    return EscalatedData(**moved.model_dump(), trigger=trigger)


def _move(
    case: Case,
    target: Office,
    rule: str,
    reason: str,
    actor: ActorRef | None,
    ctx: Context,
    *,
    texts: tuple[str, str] | None = None,
) -> MovedData:
    """Move the case to ``target`` and restart its clocks there."""
    deadlines, timers = start_clocks(
        ctx.directory.sla, ctx.calendar, case.kind, case.category, ctx.now
    )
    if texts is None:
        texts = (
            f"Sent from {case.office.name_en} to {target.name_en}. Reason given: {reason}",
            f"បានបញ្ជូនពី {case.office.name_km} ទៅ {target.name_km}។ មូលហេតុ៖ {reason}",
        )
    data = MovedData(
        from_office=case.office.ref(),
        to_office=target.ref(),
        reason_en=texts[0],
        reason_km=texts[1],
        rule=rule,
        directory_version=ctx.directory.version,
        requested_by=actor,
        deadlines=deadlines,
    )
    case.moves = [*case.moves, {"rule": rule, "from": case.office.office_id, "to": target.office_id,
                                "directory_version": ctx.directory.version}]  # fmt: skip
    case.office, case.timers, case.status = target, timers, CaseStatus.ASSIGNED
    return data


def _current(case: Case, ctx: Context) -> Office:
    # the active directory may be newer than the one that routed the case
    return ctx.directory.office(case.office.office_id) or case.office


def _deadline(case: Case, timer: Timer) -> DeadlineData:
    return DeadlineData.model_validate(
        {"office": case.office.ref(), "deadline": timer.deadline, "due_at": timer.due_at}
    )


def _after(case: Case, cls: type[Event], data: object, ctx: Context) -> Event:
    event = cls.after(
        case.complaint_id,
        case.last_sequence,
        producer=PRODUCER,
        data=data,
        correlation_id=case.correlation_id,
        occurred_at=ctx.now,
    )
    case.remember(str(event.event_id), event.sequence)
    return event
