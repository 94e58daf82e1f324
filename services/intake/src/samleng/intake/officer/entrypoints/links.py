"""Officer routes that link a case to the original report of the same problem, or unlink it.

``POST /v1/officer/cases/{id}/link`` with ``original_id`` and the version read;
``POST /v1/officer/cases/{id}/unlink`` with the version read. Both answer the case view
(its ``linked_to``), 409 when the case changed since it was read, 422 saying what to fix.
The likely duplicates themselves are in the case view (``duplicate_candidates``).
"""

from __future__ import annotations

from fastapi import APIRouter

from samleng.common.officers import SignedInFirst
from samleng.intake.entrypoints.problems import refusals
from samleng.intake.officer.entrypoints.api import ACTION_RESPONSES, ActingDep, version_read
from samleng.intake.officer.entrypoints.schemas import LinkBody, OfficerCaseView, VersionOnly
from samleng.intake.officer.linking import link_case, unlink_case

router = APIRouter(prefix="/v1/officer", tags=["officer"], route_class=SignedInFirst)


@router.post(
    "/cases/{complaint_id}/link", response_model=OfficerCaseView, responses=ACTION_RESPONSES
)
async def link(complaint_id: str, body: LinkBody, by: ActingDep) -> OfficerCaseView:
    """Link the case to the original report of the same problem; it follows the original's
    resolution and closing (complaint.linked)."""
    version = version_read(body.version, by.if_match)
    with refusals(officer=True):
        linked = await link_case(by.principal, complaint_id, body.original_id, version, by.desk)
    return await by.show(linked)


@router.post(
    "/cases/{complaint_id}/unlink", response_model=OfficerCaseView, responses=ACTION_RESPONSES
)
async def unlink(complaint_id: str, body: VersionOnly, by: ActingDep) -> OfficerCaseView:
    """Undo the case's link: it is handled on its own again (complaint.unlinked)."""
    version = version_read(body.version, by.if_match)
    with refusals(officer=True):
        unlinked = await unlink_case(by.principal, complaint_id, version, by.desk)
    return await by.show(unlinked)
