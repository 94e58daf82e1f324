"""Routing's decisions, pure: route a new case, apply an action to a case, fire its clocks.

Each takes the case and a :class:`Context` (directory, catalogue, calendar, the time and
the case limits), changes the case in memory and returns the events the change causes;
storing the case and its events together is the handlers' job
(:mod:`samleng.routing.handlers`). Moves between offices are in
:mod:`samleng.routing.domain.moves`.

While a question waits for the citizen the office's clocks are paused (the working time
left on them is kept) and a reply clock runs: an answer resumes the office's clocks, and
silence until the reply clock passes closes the case as ``no_reply``.
"""

from __future__ import annotations

from dataclasses import replace

from samleng.common.events import (
    AssignedData,
    CaseStatus,
    ClosedData,
    ComplaintAcknowledged,
    ComplaintAssigned,
    ComplaintClosed,
    ComplaintEscalated,
    ComplaintRejected,
    ComplaintReopened,
    ComplaintResolved,
    ComplaintSubmitted,
    ComplaintWithdrawn,
    DeadlineApproaching,
    DeadlineData,
    DeadlinePassed,
    Deadlines,
    DeadlinesChanged,
    DeadlinesChangedData,
    EscalationRequested,
    Event,
    ForwardRequested,
    InformationProvided,
    InformationRequested,
    TransferRequested,
)
from samleng.routing.domain.case import REOPENABLE, Case
from samleng.routing.domain.moves import (
    PRODUCER,
    Context,
    Trigger,
    current,
    escalation,
    office_clocks,
    on_request,
    overall_clock,
    overall_overdue,
    standard_working_days,
)
from samleng.routing.domain.rules import ombudsman_above, pick_office
from samleng.routing.domain.sla import (
    OFFICE_CLOCKS,
    Timer,
    confirmation_clock,
    pause,
    resume,
)

__all__ = ["PRODUCER", "Context", "on_case_event", "on_clock", "on_submitted"]


def on_submitted(event: ComplaintSubmitted, ctx: Context) -> tuple[Case, ComplaintAssigned]:
    """Route a new case: the office, its deadlines, and the assignment that announces it."""
    data = event.data
    decision = pick_office(data, ctx.directory, ctx.catalogue)
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
        service_code=data.service_code,
    )
    overall_clock(case, ctx)
    deadlines, case.timers = office_clocks(case, ctx)
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
    case.remember(str(event.event_id), event.sequence)
    case.remember(str(assigned.event_id), assigned.sequence)
    return case, assigned


def on_case_event(case: Case, event: Event, ctx: Context) -> list[Event]:
    """Apply an office's or citizen's action to the case; the events it causes.

    Raises MoveRefused (CaseClosed among them) for a move that will not be carried out.
    """
    emitted: list[Event] = []
    if isinstance(event, ComplaintAcknowledged):
        if event.data.office_id == case.office.office_id and case.status == CaseStatus.ASSIGNED:
            case.stop("acknowledge")
            case.status = CaseStatus.ACKNOWLEDGED
    elif isinstance(event, ComplaintResolved):
        if event.data.office_id == case.office.office_id and not case.is_final:
            case.stop_all()
            case.timers.append(confirmation_clock(ctx.directory.sla, ctx.calendar, ctx.now))
            case.status = CaseStatus.RESOLVED
    elif isinstance(event, ComplaintRejected | ComplaintWithdrawn | ComplaintClosed):
        case.stop_all()
        case.status = {
            ComplaintRejected: CaseStatus.REJECTED,
            ComplaintWithdrawn: CaseStatus.WITHDRAWN,
            ComplaintClosed: CaseStatus.CLOSED,
        }[type(event)]
    elif isinstance(event, ComplaintReopened):
        if case.status in REOPENABLE:
            emitted += _reopen(case, event, ctx)
    elif isinstance(event, InformationRequested):
        if event.data.office_id == case.office.office_id and _is_working(case):
            emitted += _wait_for_citizen(case, event, ctx)
    elif isinstance(event, InformationProvided):
        if case.waits_for_citizen and not case.is_final:
            emitted += _resume(case, event, ctx)
    elif isinstance(event, TransferRequested | ForwardRequested | EscalationRequested):
        emitted += on_request(case, event, ctx)
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
        if timer.deadline in ("confirm", "reply"):
            reason = "no_reply" if timer.deadline == "reply" else None
            closed = ClosedData(how="auto_closed", office_id=case.office.office_id, reason=reason)
            emitted.append(_after(case, ComplaintClosed, closed, ctx))
            case.stop_all()
            case.status = CaseStatus.CLOSED
            break
        if timer.deadline == "overall":
            data = overall_overdue(case, ctx)
            if data is not None:
                emitted.append(_after(case, ComplaintEscalated, data, ctx))
                break  # the provincial ombudsman's clocks start now
            continue
        emitted.append(_after(case, DeadlinePassed, _deadline(case, timer), ctx))
        trigger: Trigger = (
            "acknowledgement_overdue" if timer.deadline == "acknowledge" else "resolution_overdue"
        )
        above = ombudsman_above(ctx.directory, current(case, ctx))
        if above is not None:
            data = escalation(case, above, trigger, ctx)
            emitted.append(_after(case, ComplaintEscalated, data, ctx))
            break  # the new office's clocks start now; older ones are gone
    return emitted


# --- questions to the citizen ---------------------------------------------------------------


def _is_working(case: Case) -> bool:
    return case.status in (CaseStatus.ASSIGNED, CaseStatus.ACKNOWLEDGED)


def _wait_for_citizen(case: Case, event: InformationRequested, ctx: Context) -> list[Event]:
    """Pause the office's clocks (once) and (re)start the reply clock."""
    days = ctx.limits.no_reply_working_days
    if not case.waits_for_citizen:
        case.paused = pause(case.timers, ctx.calendar, ctx.now)
        case.timers = [t for t in case.timers if t.deadline not in OFFICE_CLOCKS]
    case.timers = [t for t in case.timers if t.deadline != "reply"]
    if days:
        case.timers.append(Timer("reply", ctx.calendar.deadline(ctx.now, days)))
    return [_deadlines_changed(case, event, "paused_for_citizen", ctx)]


def _resume(case: Case, event: InformationProvided, ctx: Context) -> list[Event]:
    """The citizen answered: the office's clocks run on with the working time they had."""
    resumed = resume(case.paused, ctx.directory.sla, ctx.calendar, ctx.now)
    case.timers = [t for t in case.timers if t.deadline != "reply"] + resumed
    case.paused = []
    return [_deadlines_changed(case, event, "resumed", ctx)]


# --- reopening ------------------------------------------------------------------------------


def _reopen(case: Case, event: ComplaintReopened, ctx: Context) -> list[Event]:
    """A new round: new deadlines, overall clock included, at the same office or above."""
    was = case.status
    case.stop_all()
    overall_clock(case, ctx)
    if event.data.appeal:
        above = ombudsman_above(ctx.directory, current(case, ctx))
        if above is not None:
            wording = "appeal_of_rejection" if was == CaseStatus.REJECTED else "appeal"
            data = escalation(case, above, "appeal", ctx, actor=event.data.by, wording=wording)
            return [
                ComplaintEscalated.caused_by(
                    event, producer=PRODUCER, data=data, occurred_at=ctx.now
                )
            ]
    # reopened at the same office: it has acknowledged already and must resolve again
    _, case.timers = office_clocks(case, ctx, acknowledged=True)
    case.status = CaseStatus.ACKNOWLEDGED
    return [_deadlines_changed(case, event, "reopened", ctx)]


def _deadlines_changed(case: Case, cause: Event, why: str, ctx: Context) -> DeadlinesChanged:
    return DeadlinesChanged.caused_by(
        cause,
        producer=PRODUCER,
        occurred_at=ctx.now,
        data=DeadlinesChangedData.model_validate(
            {"office": case.office.ref(), "deadlines": _current_deadlines(case, ctx), "why": why}
        ),
    )


def _current_deadlines(case: Case, ctx: Context) -> Deadlines:
    """The deadlines the case's clocks stand at now (paused office clocks are absent)."""
    due = {t.deadline: t.due_at for t in case.timers}
    _, rule = ctx.directory.sla.terms_for(case.kind, case.category)
    if standard_working_days(case, ctx.catalogue):
        rule += "+service-standard"
    return Deadlines(
        acknowledge_by=due.get("acknowledge"),
        resolve_by=due.get("resolve"),
        sla_rule=rule,
        overall_by=case.overall_by,
        reply_by=due.get("reply"),
    )


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
