"""Moving a case between offices, pure: transfers, forwards, escalations and the case limits.

Every move restarts the clocks of the office that receives the case, but never the overall
clock (``Case.overall_by``, from the submission). Two limits stop a case from being passed
on instead of resolved; both send it straight to the provincial ombudsman:

- the **overall deadline** passes while the case is still open (:func:`overall_overdue`);
- a transfer or forward is asked for after the case was already handed on
  ``move_limit`` times (:func:`on_request`). Once with the provincial ombudsman (or the
  national team), a further hand-off is refused: that office must resolve the case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from samleng.common.calendar import WorkingCalendar
from samleng.common.events import (
    ActorRef,
    CaseStatus,
    ComplaintEscalated,
    ComplaintForwarded,
    ComplaintTransferred,
    Deadlines,
    EscalatedData,
    EscalationRequested,
    Event,
    ForwardRequested,
    MovedData,
    MoveRequestData,
    TransferRequested,
)
from samleng.common.reference import ServiceCatalogue, UnknownService
from samleng.routing.domain.case import Case
from samleng.routing.domain.model import INTERIOR, Directory, Office
from samleng.routing.domain.rules import (
    MoveRefused,
    forward_target,
    ombudsman_above,
    provincial_ombudsman,
    refuse_accused,
    transfer_target,
)
from samleng.routing.domain.sla import CaseLimits, Timer, start_clocks

PRODUCER = "routing"
Trigger = Literal["acknowledgement_overdue", "resolution_overdue", "appeal", "officer_request"]
Limit = Literal["overall_deadline", "move_limit"]

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
    "overall_deadline": (
        "The case was not resolved within the overall time allowed from its submission, "
        "although it was with {office}.",
        "ករណីនេះមិនត្រូវបានដោះស្រាយក្នុងរយៈពេលសរុបដែលបានកំណត់ចាប់ពីថ្ងៃដាក់ស្នើទេ ទោះបីវាស្ថិតនៅ {office} ក៏ដោយ។",
    ),
    "move_limit": (
        "{office} asked to pass the case on again, but it has already been handed on "
        "{moves} times; a case must be resolved, not passed around.",
        "{office} បានស្នើសុំបញ្ជូនករណីនេះបន្តទៀត ប៉ុន្តែករណីនេះត្រូវបានបញ្ជូនបន្ត {moves} "
        "ដងរួចហើយ៖ ករណីត្រូវតែដោះស្រាយ មិនមែនបញ្ជូនពីកន្លែងមួយទៅកន្លែងមួយទេ។",
    ),
}


@dataclass(frozen=True)
class Context:
    """What a decision depends on: the active directory, the catalogue, the calendar, now,
    and the deployment's case limits (a directory version may override them)."""

    directory: Directory
    catalogue: ServiceCatalogue
    calendar: WorkingCalendar
    now: datetime
    defaults: CaseLimits = field(default_factory=CaseLimits)

    @property
    def limits(self) -> CaseLimits:
        """The case limits in force: the settings', overridden by the directory's SLA."""
        return self.directory.sla.limits(self.defaults)


def office_clocks(
    case: Case, ctx: Context, *, acknowledged: bool = False
) -> tuple[Deadlines, list[Timer]]:
    """The deadlines and timers of the office that gets the case now; the overall clock
    and a question's reply clock carry over (a move pauses nothing new)."""
    deadlines, timers = start_clocks(
        ctx.directory.sla,
        ctx.calendar,
        case.kind,
        case.category,
        ctx.now,
        acknowledged=acknowledged,
        standard_working_days=standard_working_days(case, ctx.catalogue),
    )
    kept = [t for t in case.timers if t.deadline == "overall"]
    return deadlines.model_copy(update={"overall_by": case.overall_by}), [*timers, *kept]


def overall_clock(case: Case, ctx: Context) -> None:
    """Start the overall clock of a case from now (a submission or a reopening)."""
    case.stop("overall")
    days = ctx.limits.overall_working_days
    case.overall_by = ctx.calendar.deadline(ctx.now, days) if days else None
    if case.overall_by is not None:
        case.timers = [*case.timers, Timer("overall", case.overall_by)]


def standard_working_days(case: Case, catalogue: ServiceCatalogue) -> int | None:
    """The service's own standard time, where the catalogue gives one."""
    if not case.service_code:
        return None
    try:
        return catalogue.service(case.service_code).standard_working_days
    except UnknownService:
        return None


def on_request(
    case: Case, event: TransferRequested | ForwardRequested | EscalationRequested, ctx: Context
) -> list[Event]:
    """Carry out an office's move request, or raise MoveRefused saying why not."""
    case.ensure_open()
    request = event.data
    if request.office_id != case.office.office_id:
        raise MoveRefused(
            f"only the responsible office ({case.office.office_id}) can move the case; "
            f"{request.office_id} asked",
            f"មានតែការិយាល័យទទួលខុសត្រូវ ({case.office.office_id}) ទេ ដែលអាចផ្ទេរករណីនេះបាន៖ "
            f"{request.office_id} បានស្នើសុំ",
        )
    actor = request.actor or ActorRef(role="officer", office_id=request.office_id)
    if isinstance(event, EscalationRequested):
        above = ombudsman_above(ctx.directory, current(case, ctx))
        if above is None:
            raise MoveRefused(
                "the case is already with the national team, the top of the ladder",
                "ករណីនេះស្ថិតនៅក្រុមការងារថ្នាក់ជាតិរួចហើយ ដែលជាថ្នាក់ខ្ពស់បំផុត",
            )
        data = escalation(case, above, "officer_request", ctx, actor=actor, reason=request.reason)
        return [
            ComplaintEscalated.caused_by(event, producer=PRODUCER, data=data, occurred_at=ctx.now)
        ]
    if isinstance(event, ForwardRequested):
        target = forward_target(ctx.directory, case.province_code, _ministry_of(request, ctx))
    else:
        target = transfer_target(ctx.directory, request.to_office_id, case.office)
    refuse_accused(target, case.accused_office_id)
    limit = ctx.limits.move_limit
    if limit and case.hand_offs >= limit:
        data = _beyond_move_limit(case, ctx, actor)
        return [
            ComplaintEscalated.caused_by(event, producer=PRODUCER, data=data, occurred_at=ctx.now)
        ]
    if isinstance(event, ForwardRequested):
        moved = move(case, target, "forward-to-ministry", request.reason, actor, ctx)
        return [
            ComplaintForwarded.caused_by(event, producer=PRODUCER, data=moved, occurred_at=ctx.now)
        ]
    moved = move(case, target, "transfer-on-request", request.reason, actor, ctx)
    return [
        ComplaintTransferred.caused_by(event, producer=PRODUCER, data=moved, occurred_at=ctx.now)
    ]


def overall_overdue(case: Case, ctx: Context) -> EscalatedData | None:
    """The overall deadline passed: the case goes to the provincial ombudsman (None if it
    is there already, or with the national team)."""
    target = provincial_ombudsman(ctx.directory, case.province_code)
    if _at_or_above(case, target):
        return None
    return escalation(case, target, "resolution_overdue", ctx, limit="overall_deadline")


def _beyond_move_limit(case: Case, ctx: Context, actor: ActorRef) -> EscalatedData:
    target = provincial_ombudsman(ctx.directory, case.province_code)
    if _at_or_above(case, target):
        raise MoveRefused(
            f"the case has been handed on {case.hand_offs} times already; "
            f"{case.office.name_en} must resolve it (or escalate it)",
            f"ករណីនេះត្រូវបានបញ្ជូនបន្ត {case.hand_offs} ដងរួចហើយ៖ "
            f"{case.office.name_km} ត្រូវតែដោះស្រាយវា (ឬលើកវាទៅថ្នាក់លើ)",
        )
    return escalation(case, target, "officer_request", ctx, actor=actor, limit="move_limit")


def _at_or_above(case: Case, target: Office) -> bool:
    return case.office.office_id == target.office_id or case.office.level == "national"


def _ministry_of(request: MoveRequestData, ctx: Context) -> str:
    if request.to_ministry:
        return request.to_ministry
    office = ctx.directory.office(request.to_office_id or "")
    if office is not None and office.ministry and office.ministry != INTERIOR:
        return office.ministry
    raise MoveRefused(
        "a forward needs to_ministry (a ministry code of the service catalogue)",
        "ការបញ្ជូនបន្តត្រូវការ to_ministry (លេខកូដក្រសួងក្នុងបញ្ជីសេវា)",
    )


def escalation(
    case: Case,
    above: Office,
    trigger: Trigger,
    ctx: Context,
    *,
    actor: ActorRef | None = None,
    reason: str = "",
    wording: str = "",
    limit: Limit | None = None,
) -> EscalatedData:
    """Move the case up to ``above``, saying why in both languages."""
    en, km = _TRIGGER_TEXT[limit or wording or trigger]
    office = case.office
    words = {"reason": reason, "moves": case.hand_offs}
    if limit is not None:
        reason_en = en.format(office=office.name_en, **words) + (
            f" It goes straight to {above.name_en}, the provincial ombudsman, "
            "who must see it resolved."
        )
        reason_km = km.format(office=office.name_km, **words) + (
            f" ករណីនេះត្រូវបានបញ្ជូនដោយផ្ទាល់ទៅ {above.name_km} "
            "ដែលជាអម្បុដ្សម៉ាន់ខេត្ត ដើម្បីធានាថាវាត្រូវបានដោះស្រាយ។"
        )
    else:
        reason_en = en.format(office=office.name_en, **words) + (
            f" It goes one level up the ladder, to {above.name_en}."
        )
        reason_km = km.format(office=office.name_km, **words) + (
            f" ករណីនេះត្រូវបានលើកទៅមួយថ្នាក់ខាងលើ គឺ {above.name_km}។"
        )
    rule = {"overall_deadline": "overall-deadline", "move_limit": "move-limit"}.get(
        limit or "", "escalation-ladder"
    )
    moved = move(case, above, rule, "", actor, ctx, texts=(reason_en, reason_km))
    return EscalatedData(**moved.model_dump(), trigger=trigger, limit=limit)


def move(
    case: Case,
    target: Office,
    rule: str,
    reason: str,
    actor: ActorRef | None,
    ctx: Context,
    *,
    texts: tuple[str, str] | None = None,
) -> MovedData:
    """Move the case to ``target`` and restart the office clocks there (not the overall)."""
    case.paused = []  # the new office did not ask the question: its clocks run
    case.timers = [t for t in case.timers if t.deadline != "reply"]
    deadlines, timers = office_clocks(case, ctx)
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


def current(case: Case, ctx: Context) -> Office:
    """The case's office as the active directory knows it (it may be newer than the one
    that routed the case)."""
    return ctx.directory.office(case.office.office_id) or case.office
