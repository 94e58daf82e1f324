"""Officers link a case to the original report of the same problem, or undo the link.

Both go through :func:`samleng.intake.officer.handlers.act`: object-level access to the
case, the version read, the case stored with its event and its audit entry in one
transaction. The original must be a case the officer acts on, with the same office
(:func:`samleng.intake.domain.linking.link` says every rule). A link made while the
original was being resolved is caught up at once, so no duplicate is left behind.
"""

from __future__ import annotations

from datetime import datetime

from samleng.common.auth import Principal
from samleng.common.events import CaseStatus, Event
from samleng.intake.domain import linking, officer
from samleng.intake.domain.access import OfficerAction, can_act
from samleng.intake.domain.citizen import ActionRefused
from samleng.intake.domain.model import Case
from samleng.intake.duplicates.handlers import follow_original
from samleng.intake.officer.handlers import act
from samleng.intake.ports import OfficerDesk


async def link_case(
    principal: Principal, complaint_id: str, original_id: str, version: int, desk: OfficerDesk
) -> Case:
    """Link the case to ``original_id`` (audited, complaint.linked)."""
    original = await desk.cases.get(original_id)
    office = original.office.office_id if original and original.office else None
    followers = len(await desk.duplicates.linked_to(complaint_id))

    def command(case: Case, actor: officer.Actor, now: datetime) -> tuple[Case, Event]:
        # checked once the case itself is known to be the officer's (404 before 422)
        if original is None or not can_act(principal, office, OfficerAction.LINK):
            raise ActionRefused(
                "original-unknown",
                "original_id names no case of your office; use the id of the original case.",
                "original_id មិនមែនជាករណីនៃការិយាល័យរបស់អ្នកទេ សូមប្រើលេខសម្គាល់ករណីដើម។",
            )
        return linking.link(case, original, actor, now, linked_reports=followers)

    linked = await act(
        principal,
        complaint_id,
        version,
        OfficerAction.LINK,
        command,
        desk,
        detail=f"to {original_id}",
    )
    # the original may have been resolved while this link was stored: catch up with it
    now_original = await desk.cases.get(original_id)
    answered = (CaseStatus.RESOLVED, CaseStatus.CLOSED)
    if (
        now_original
        and now_original.status in answered
        and await follow_original(original_id, desk.cases, desk.duplicates)
    ):
        return await desk.cases.get(complaint_id) or linked
    return linked


async def unlink_case(
    principal: Principal, complaint_id: str, version: int, desk: OfficerDesk
) -> Case:
    """Undo the case's link; its status stays (audited, complaint.unlinked)."""
    return await act(principal, complaint_id, version, OfficerAction.UNLINK, linking.unlink, desk)
