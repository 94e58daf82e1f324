"""What routing's facts about a case that do not move it change: the office's clocks paused
for the citizen, resumed or restarted (``complaint.deadlines_changed``), and a move routing
refused (``complaint.move_refused``). Pure: each returns a :class:`CaseChange` that keeps
the case's status, for :func:`~samleng.intake.domain.model.apply_change`."""

from __future__ import annotations

from samleng.common.events import CaseStatus, DeadlinesChanged, MoveRequestRefused
from samleng.intake.domain.model import CaseChange, MoveRefusal, timeline_entry

_CLOCK_TEXT: dict[str, tuple[str, str]] = {
    "paused_for_citizen": (
        "The office's clock is paused while it waits for your answer.",
        "នាឡិការបស់ការិយាល័យត្រូវបានផ្អាក ខណៈពេលរង់ចាំចម្លើយរបស់អ្នក។",
    ),
    "resumed": (
        "Your answer arrived: the office's clock runs again with the time it had left.",
        "ចម្លើយរបស់អ្នកបានមកដល់៖ នាឡិការបស់ការិយាល័យដំណើរការឡើងវិញ ជាមួយពេលវេលាដែលនៅសល់។",
    ),
    "reopened": (
        "The case was reopened: the office has new deadlines.",
        "ករណីនេះត្រូវបានបើកឡើងវិញ៖ ការិយាល័យមានកាលកំណត់ថ្មី។",
    ),
}


def deadlines_change(event: DeadlinesChanged) -> CaseChange:
    """What routing's new deadlines for the same office do: paused, resumed or restarted."""
    en, km = _CLOCK_TEXT[event.data.why]
    deadlines = event.data.deadlines
    if deadlines.reply_by is not None:
        en += f" Without an answer by {deadlines.reply_by:%Y-%m-%d %H:%M} UTC the case closes."
        km += f" បើគ្មានចម្លើយត្រឹម {deadlines.reply_by:%Y-%m-%d %H:%M} UTC ករណីនេះនឹងត្រូវបិទ។"
    return CaseChange(
        timeline_entry(event, CaseStatus.ASSIGNED, en, km),
        office=event.data.office,
        deadlines=deadlines,
        keeps_status=True,
    )


def refusal(event: MoveRequestRefused) -> CaseChange:
    """What routing's refusal of a move does: nothing moves, and everyone sees why."""
    data = event.data
    km_request = {"transfer": "ការផ្ទេរ", "forward": "ការបញ្ជូនបន្ត", "escalation": "ការលើកឡើង"}
    return CaseChange(
        timeline_entry(
            event,
            CaseStatus.ASSIGNED,
            f"The {data.request} asked for was refused; the case stays where it is. "
            f"Why: {data.reason_en}",
            f"{km_request[data.request]} ដែលបានស្នើសុំ ត្រូវបានបដិសេធ៖ ករណីនេះនៅដដែល។ "
            f"មូលហេតុ៖ {data.reason_km}",
        ),
        keeps_status=True,
        refusal=MoveRefusal(
            event_id=str(event.event_id),
            at=event.occurred_at,
            office_id=data.office_id,
            request=data.request,
            reason_en=data.reason_en,
            reason_km=data.reason_km,
            to=data.to_office_id or data.to_ministry,
        ),
    )
