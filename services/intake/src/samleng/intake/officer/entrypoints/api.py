"""Intake's officer API: inbox, case view, actions, audit trail (decode -> handler -> encode).

Every route needs a bearer token (``CurrentOfficer``); object-level access, versions and
the audit trail are the handlers' business (:mod:`samleng.intake.officer.handlers`).
Actions take the case version the officer read (body ``version`` or ``If-Match``) and
answer 409 when the case changed since.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, Header, Query, Response, status

from samleng.common.auth import Principal
from samleng.common.events import CaseStatus, Event, FeedbackKind, OfficeRef
from samleng.common.officers import SignedInFirst
from samleng.intake.domain import citizen, officer
from samleng.intake.domain.access import OfficerAction
from samleng.intake.domain.model import Case
from samleng.intake.entrypoints.deps import CurrentOfficer, OfficerDeskDep
from samleng.intake.entrypoints.problems import documented, problem, refusals
from samleng.intake.entrypoints.schemas import Bilingual
from samleng.intake.officer.entrypoints.schemas import (
    AuditItem,
    AuditPage,
    DuplicateBody,
    InboxView,
    InternalNoteItem,
    MoveBody,
    NoteBody,
    OfficerCaseView,
    QuestionBody,
    RejectBody,
    ResolveBody,
    VersionOnly,
)
from samleng.intake.officer.entrypoints.views import (
    case_summary,
    note_item,
    officer_case_view,
    scope_names,
)
from samleng.intake.officer.handlers import (
    CaseFile,
    OfficerCommand,
    act,
    add_internal_note,
    add_partner_note,
    check_duplicate_target,
    download_attachment,
    list_inbox,
    query_audit,
    read_case,
)
from samleng.intake.ports import InboxFilter, OfficerDesk

router = APIRouter(prefix="/v1/officer", tags=["officer"], route_class=SignedInFirst)
Route = TypeVar("Route", bound=Callable[..., Any])

IfMatch = Annotated[
    str | None,
    Header(description="The case version you read, as the case view's ETag gave it"),
]


def version_read(body_version: int | None, if_match: str | None) -> int:
    """The case version the officer read: the body's, or the If-Match header's (428 if none)."""
    if body_version is not None:
        return body_version
    tag = (if_match or "").strip().removeprefix("W/").strip('"')
    if tag.isdigit():
        return int(tag)
    raise problem(
        428,
        "version-required",
        en="Send the case version you read: body field 'version' or the If-Match header "
        "with the case view's ETag.",
        km="សូមផ្ញើកំណែករណីដែលអ្នកបានអាន៖ វាល 'version' ឬ If-Match ជាមួយ ETag។",
    )


def _respond(response: Response, case_file: CaseFile) -> OfficerCaseView:
    response.headers["ETag"] = f'"{case_file.case.version}"'
    return officer_case_view(case_file)


@router.get("/inbox", response_model=InboxView, responses=documented(400, 401, 403))
async def inbox(
    principal: CurrentOfficer,
    desk: OfficerDeskDep,
    office: Annotated[str | None, Query(max_length=64, description="One of your offices")] = None,
    case_status: Annotated[list[CaseStatus] | None, Query(alias="status")] = None,
    kind: FeedbackKind | None = None,
    service: Annotated[str | None, Query(max_length=64)] = None,
    escalated: bool | None = None,
    overdue: Annotated[
        bool | None, Query(description="Only cases whose next deadline has passed")
    ] = None,
    sort: Annotated[
        Literal["submitted", "deadline"],
        Query(description="Oldest first, or the office's next deadline first"),
    ] = "submitted",
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> InboxView:
    """The cases with your office(s), oldest or most urgent first, with counts per status."""
    now = datetime.now(UTC)
    where = InboxFilter(
        offices=(),
        statuses=tuple(case_status or ()),
        kind=kind,
        service_code=service,
        escalated=escalated,
        overdue_at=now if overdue else None,
    )
    with refusals(officer=True):
        listing = await list_inbox(
            principal,
            desk,
            where,
            office_id=office,
            limit=limit,
            cursor=cursor,
            order=sort,
        )
    names = await desk.inbox.office_names(listing.offices)
    office_names = {i: Bilingual(en=o.name_en, km=o.name_km) for i, o in names.items()}
    office_names.update(scope_names(listing.offices))
    return InboxView(
        offices=list(listing.offices),
        counts=listing.counts,
        cases=[case_summary(c, now) for c in listing.page.cases],
        next_cursor=listing.page.next_cursor,
        office_names=office_names,
    )


@router.get(
    "/cases/{complaint_id}",
    response_model=OfficerCaseView,
    responses=documented(401, 404),
)
async def view_case(
    complaint_id: str, principal: CurrentOfficer, desk: OfficerDeskDep, response: Response
) -> OfficerCaseView:
    """A case as its office handles it (the read is audited); ETag is its version."""
    with refusals(officer=True):
        case_file = await read_case(principal, complaint_id, desk)
    return _respond(response, case_file)


@router.get(
    "/cases/{complaint_id}/attachments/{attachment_id}",
    response_class=Response,
    responses=documented(401, 403, 404, 410),
)
async def attachment(
    complaint_id: str, attachment_id: str, principal: CurrentOfficer, desk: OfficerDeskDep
) -> Response:
    """Download an attachment (cleaned of metadata when stored); audited."""
    with refusals(officer=True):
        meta, data = await download_attachment(principal, complaint_id, attachment_id, desk)
    # always a download under a name intake chose, never shown inline by the browser;
    # nosniff (on every answer) keeps the browser to the type intake recognised
    name = f"{meta.attachment_id}.{_EXTENSIONS.get(meta.content_type, 'bin')}"
    return Response(
        data,
        media_type=meta.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}


@dataclass(frozen=True)
class Acting:
    """An officer acting through this request: who, with which version header, where to."""

    principal: Principal
    desk: OfficerDesk
    response: Response
    if_match: str | None

    async def run(
        self,
        complaint_id: str,
        body_version: int | None,
        action: OfficerAction,
        command: OfficerCommand,
        detail: str = "",
    ) -> OfficerCaseView:
        """Run the command on the version read; answer the updated case and its ETag."""
        version = version_read(body_version, self.if_match)
        with refusals(officer=True):
            updated = await act(
                self.principal, complaint_id, version, action, command, self.desk, detail=detail
            )
        return await self.show(updated)

    async def show(self, updated: Case) -> OfficerCaseView:
        """The case as an action left it, with its ETag."""
        notes = tuple(await self.desk.notes.for_case(updated.complaint_id))
        partner_notes = tuple(await self.desk.partner_notes.for_case(updated.complaint_id))
        return _respond(
            self.response, CaseFile(case=updated, notes=notes, partner_notes=partner_notes)
        )


async def acting(
    principal: CurrentOfficer, desk: OfficerDeskDep, response: Response, if_match: IfMatch = None
) -> Acting:
    """The officer acting through this request."""
    return Acting(principal, desk, response, if_match)


ActingDep = Annotated[Acting, Depends(acting)]
ACTION_RESPONSES = documented(401, 403, 404, 409, 422, 428)


def _action(name: str) -> Callable[[Route], Route]:
    """Register an action route: POST /v1/officer/cases/{complaint_id}/<name>."""
    return router.post(
        f"/cases/{{complaint_id}}/{name}",
        response_model=OfficerCaseView,
        responses=ACTION_RESPONSES,
    )


@_action("acknowledge")
async def acknowledge(complaint_id: str, body: VersionOnly, by: ActingDep) -> OfficerCaseView:
    """Acknowledge the case: the office is handling it (complaint.acknowledged)."""
    return await by.run(complaint_id, body.version, OfficerAction.ACKNOWLEDGE, officer.acknowledge)


@_action("questions")
async def ask(complaint_id: str, body: QuestionBody, by: ActingDep) -> OfficerCaseView:
    """Ask the citizen a question (complaint.information_requested)."""

    def command(case: Case, actor: officer.Actor, now: datetime) -> tuple[Case, Event]:
        return citizen.ask_question(case, body.text, actor.office_id, now)

    return await by.run(complaint_id, body.version, OfficerAction.ASK, command)


@router.post(
    "/cases/{complaint_id}/notes",
    status_code=status.HTTP_201_CREATED,
    response_model=InternalNoteItem,
    responses=documented(401, 403, 404, 422),
)
async def note(
    complaint_id: str, body: NoteBody, principal: CurrentOfficer, desk: OfficerDeskDep
) -> InternalNoteItem:
    """Leave an internal note for the office's staff (never shown to the citizen)."""
    with refusals(officer=True):
        added = await add_internal_note(principal, complaint_id, body.text, desk)
    return note_item(added)


@router.post(
    "/cases/{complaint_id}/partner-notes",
    status_code=status.HTTP_201_CREATED,
    response_model=InternalNoteItem,
    responses=documented(401, 403, 404, 422),
)
async def partner_note(
    complaint_id: str, body: NoteBody, principal: CurrentOfficer, desk: OfficerDeskDep
) -> InternalNoteItem:
    """A partner expert's note to the office the case is with (its officers read it on the
    case; the citizen never does). Partner experts may add nothing else."""
    with refusals(officer=True):
        added = await add_partner_note(principal, complaint_id, body.text, desk)
    return note_item(added)


@_action("resolve")
async def resolve(complaint_id: str, body: ResolveBody, by: ActingDep) -> OfficerCaseView:
    """Resolve the case; the note shows in the citizen's timeline (complaint.resolved)."""

    def command(case: Case, actor: officer.Actor, now: datetime) -> tuple[Case, Event]:
        return officer.resolve(case, body.note, actor, now)

    return await by.run(complaint_id, body.version, OfficerAction.RESOLVE, command)


async def _reject(
    by: Acting, complaint_id: str, body: RejectBody, action: OfficerAction
) -> OfficerCaseView:
    original = body.duplicate_of
    if original:
        with refusals(officer=True):
            await check_duplicate_target(by.principal, complaint_id, original, by.desk)

    def command(case: Case, actor: officer.Actor, now: datetime) -> tuple[Case, Event]:
        return officer.reject(case, body.reason, actor, now, duplicate_of=original)

    detail = f"reason {body.reason}" + (f" of {original}" if original else "")
    return await by.run(complaint_id, body.version, action, command, detail)


@_action("reject")
async def reject(complaint_id: str, body: RejectBody, by: ActingDep) -> OfficerCaseView:
    """Reject the case: spam, out of scope, or duplicate (with duplicate_of)."""
    return await _reject(by, complaint_id, body, OfficerAction.REJECT)


@_action("duplicate")
async def mark_duplicate(complaint_id: str, body: DuplicateBody, by: ActingDep) -> OfficerCaseView:
    """Mark the case a duplicate of another; the citizen still sees an outcome."""
    as_rejection = RejectBody(
        reason="duplicate", duplicate_of=body.duplicate_of, version=body.version
    )
    return await _reject(by, complaint_id, as_rejection, OfficerAction.MARK_DUPLICATE)


def _move_route(kind: officer.MoveKind, action: OfficerAction, summary: str) -> None:
    async def move(complaint_id: str, body: MoveBody, by: ActingDep) -> OfficerCaseView:
        def command(case: Case, actor: officer.Actor, now: datetime) -> tuple[Case, Event]:
            return officer.request_move(
                case,
                kind,
                body.reason,
                actor,
                now,
                to_office_id=body.to_office_id,
                to_ministry=body.to_ministry,
            )

        target = body.to_office_id or body.to_ministry or "one level up"
        return await by.run(complaint_id, body.version, action, command, f"to {target}")

    move.__doc__ = summary
    router.add_api_route(
        f"/cases/{{complaint_id}}/{kind}",
        move,
        methods=["POST"],
        name=f"request_{kind}",
        response_model=OfficerCaseView,
        responses=ACTION_RESPONSES,
    )


_move_route("transfer", OfficerAction.TRANSFER, "Ask routing to transfer the case to an office")
_move_route("forward", OfficerAction.FORWARD, "Ask routing to forward the case to a ministry")
_move_route("escalate", OfficerAction.ESCALATE, "Ask routing to escalate the case one level")


@_action("reopen")
async def reopen_case(complaint_id: str, body: VersionOnly, by: ActingDep) -> OfficerCaseView:
    """Reopen an answered case (office heads only; complaint.reopened)."""
    return await by.run(complaint_id, body.version, OfficerAction.REOPEN, officer.reopen)


@router.get("/audit", response_model=AuditPage, responses=documented(401, 403))
async def audit(
    principal: CurrentOfficer,
    desk: OfficerDeskDep,
    complaint_id: Annotated[str | None, Query(max_length=64)] = None,
    subject: Annotated[str | None, Query(max_length=200)] = None,
    after_seq: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPage:
    """The audit trail in chain order after ``after_seq``: all of it for administrators;
    for a head of office, the entries about cases that are or were with their office(s) and
    those of their staff, never one about a complaint of their own officials' conduct."""
    with refusals(officer=True):
        entries = await query_audit(
            principal,
            desk,
            complaint_id=complaint_id,
            subject=subject,
            after_seq=after_seq,
            limit=limit,
        )
    names = await desk.inbox.office_names({o for e in entries if (o := e.record.office_id)})
    return AuditPage(
        entries=[
            AuditItem(
                seq=e.seq,
                at=e.record.at,
                subject=e.record.subject,
                role=e.record.role,
                office_id=e.record.office_id,
                action=e.record.action,
                complaint_id=e.record.complaint_id,
                detail=e.record.detail,
                hash=e.hash,
                prev_hash=e.prev_hash,
                office_name_en=_name(names, e.record.office_id, "en"),
                office_name_km=_name(names, e.record.office_id, "km"),
            )
            for e in entries
        ]
    )


def _name(names: dict[str, OfficeRef], office_id: str | None, lang: str) -> str | None:
    office = names.get(office_id or "")
    if office is None:
        return None
    return office.name_km if lang == "km" else office.name_en
