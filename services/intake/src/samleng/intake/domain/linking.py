"""Linking a case to the original report of the same problem, and following it. Pure.

An officer links a *duplicate* to an *original* of their own office (:func:`link`); the
duplicate then follows the original (:func:`follow`), exactly in two steps:

- the original is **resolved** -> an open duplicate with the same office is resolved too;
- the original is **closed** -> a duplicate that is resolved (waiting for its citizen) closes.

Nothing else follows: a reopened, rejected or withdrawn original leaves its duplicates as
they are, and the duplicate's citizen keeps every right on their own case (confirm,
appeal, reopen). Unlinking (:func:`unlink`) changes no status. The duplicate's citizen
reads each step in their timeline, in both languages, and learns nothing about the other
case or its citizen: no id, no text, no note of the original's resolution.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from samleng.common.events import (
    OPEN,
    CaseStatus,
    ClosedData,
    ComplaintClosed,
    ComplaintLinked,
    ComplaintResolved,
    ComplaintUnlinked,
    Event,
    LinkedData,
    OfficeActionData,
)
from samleng.intake.domain.citizen import ActionRefused
from samleng.intake.domain.model import Case, next_event
from samleng.intake.domain.officer import Actor, step
from samleng.intake.domain.status import can_move

LINKED_EN = (
    "Your report was joined with other reports of the same problem: the office handles "
    "them together, and your case follows their progress. Keep your tracking code."
)
LINKED_KM = (
    "របាយការណ៍របស់អ្នកត្រូវបានភ្ជាប់ជាមួយរបាយការណ៍ផ្សេងទៀតអំពីបញ្ហាដដែល៖ "
    "ការិយាល័យដោះស្រាយវាជាមួយគ្នា ហើយករណីរបស់អ្នកនឹងដើរតាមវឌ្ឍនភាពនោះ។ "
    "សូមរក្សាលេខកូដតាមដានរបស់អ្នក។"
)
UNLINKED_EN = "Your report is handled on its own again."
UNLINKED_KM = "របាយការណ៍របស់អ្នកត្រូវបានដោះស្រាយដោយឡែកម្តងទៀត។"
RESOLVED_EN = (
    "The office reports the problem resolved, together with the other reports of it. "
    "Confirm it, or appeal if it is not resolved."
)
RESOLVED_KM = (
    "ការិយាល័យរាយការណ៍ថាបញ្ហានេះត្រូវបានដោះស្រាយ រួមជាមួយរបាយការណ៍ផ្សេងទៀតអំពីវា។ "
    "សូមបញ្ជាក់ ឬប្តឹងឧទ្ធរណ៍ប្រសិនបើមិនទាន់ដោះស្រាយ។"
)
CLOSED_EN = "Closed together with the other reports of the same problem."
CLOSED_KM = "បានបិទរួមជាមួយរបាយការណ៍ផ្សេងទៀតអំពីបញ្ហាដដែល។"


def _office(case: Case) -> str | None:
    return case.office.office_id if case.office else None


def _working(case: Case) -> bool:
    return case.status in OPEN and case.status is not CaseStatus.SUBMITTED


def link(
    case: Case, original: Case, actor: Actor, now: datetime, *, linked_reports: int = 0
) -> tuple[Case, Event]:
    """Link ``case`` to ``original``: both open, with the acting office (never across
    offices, whatever the case is about), neither already part of another link."""
    if original.complaint_id == case.complaint_id:
        raise ActionRefused(
            "link-to-itself",
            "A case cannot be linked to itself; name the original case.",
            "ករណីមួយមិនអាចភ្ជាប់ទៅខ្លួនឯងបានទេ សូមបញ្ជាក់ករណីដើម។",
        )
    if _office(case) != actor.office_id or _office(original) != actor.office_id:
        raise ActionRefused(
            "link-across-offices",
            "Both cases must sit with your office; a case is never linked across offices.",
            "ករណីទាំងពីរត្រូវតែនៅការិយាល័យរបស់អ្នក ករណីមិនអាចភ្ជាប់ឆ្លងការិយាល័យបានទេ។",
        )
    if case.linked_to is not None:
        raise ActionRefused(
            "already-linked",
            "This case is already linked; unlink it first.",
            "ករណីនេះត្រូវបានភ្ជាប់រួចហើយ សូមផ្តាច់វាជាមុនសិន។",
        )
    if original.linked_to is not None:
        raise ActionRefused(
            "original-is-linked",
            f"That case follows another one; link to its original, {original.linked_to}.",
            f"ករណីនោះដើរតាមករណីផ្សេង សូមភ្ជាប់ទៅករណីដើមរបស់វា {original.linked_to}។",
        )
    if linked_reports:
        raise ActionRefused(
            "case-is-original",
            f"{linked_reports} report(s) follow this case; link them to the other case first.",
            f"មានរបាយការណ៍ {linked_reports} ដើរតាមករណីនេះ សូមភ្ជាប់វាទៅករណីផ្សេងជាមុនសិន។",
        )
    if not _working(case) or not _working(original):
        raise ActionRefused(
            "link-needs-open-cases",
            "Only two cases the office is still working on can be linked; resolve an answered "
            "problem's new report directly.",
            "អាចភ្ជាប់បានតែករណីពីរដែលការិយាល័យកំពុងដោះស្រាយ សូមដោះស្រាយរបាយការណ៍ថ្មីដោយផ្ទាល់។",
        )
    return _announce(ComplaintLinked, case, original.complaint_id, actor, now)


def unlink(case: Case, actor: Actor, now: datetime) -> tuple[Case, Event]:
    """Undo the link: the case is handled on its own again, its status unchanged."""
    if case.linked_to is None:
        raise ActionRefused(
            "not-linked",
            "This case is not linked to another.",
            "ករណីនេះមិនបានភ្ជាប់ទៅករណីផ្សេងទេ។",
        )
    return _announce(ComplaintUnlinked, case, case.linked_to, actor, now)


def _announce(
    kind: type[ComplaintLinked | ComplaintUnlinked],
    case: Case,
    original_id: str,
    actor: Actor,
    now: datetime,
) -> tuple[Case, Event]:
    """The case linked to (or unlinked from) ``original_id``, its status kept, and the
    event that says so; the citizen's timeline tells them without naming the other case."""
    data = LinkedData(office_id=actor.office_id, actor=actor.ref(), original_id=original_id)
    event = next_event(kind, case, data, now)
    linking = kind is ComplaintLinked
    en, km = (LINKED_EN, LINKED_KM) if linking else (UNLINKED_EN, UNLINKED_KM)
    updated = step(case, event, case.status, en, km)
    return replace(updated, linked_to=original_id if linking else None), event


def follow(duplicate: Case, original: Case, now: datetime) -> tuple[Case, Event] | None:
    """The step ``duplicate`` takes after its original's status; None when it takes none
    (not linked to it, another office, or nothing to follow in the present statuses)."""
    if duplicate.linked_to != original.complaint_id or _office(duplicate) != _office(original):
        return None
    office_id = _office(duplicate)
    assert office_id is not None  # _working / resolved cases sit with an office
    if original.status is CaseStatus.RESOLVED and _working(duplicate):
        if not can_move(duplicate.status, CaseStatus.RESOLVED):
            return None
        resolved = next_event(
            ComplaintResolved, duplicate, OfficeActionData(office_id=office_id), now
        )
        updated = step(duplicate, resolved, CaseStatus.RESOLVED, RESOLVED_EN, RESOLVED_KM)
        return replace(updated, answered_at=now), resolved
    if original.status is CaseStatus.CLOSED and duplicate.status is CaseStatus.RESOLVED:
        closed = next_event(
            ComplaintClosed,
            duplicate,
            ClosedData(how="auto_closed", office_id=office_id, follows=original.complaint_id),
            now,
        )
        return step(duplicate, closed, CaseStatus.CLOSED, CLOSED_EN, CLOSED_KM), closed
    return None
