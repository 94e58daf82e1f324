"""Officers' use cases: read an inbox or a case, act on a case, query the audit trail.

Every use case checks object-level access first (a case the user may not reach is
:class:`CaseNotVisible`, whatever the reason) and leaves an entry in the audit trail:
reads before the data is handed out, actions in the transaction that stores them. No HTTP
here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from samleng.common.auth import Principal, Role
from samleng.common.events import Event
from samleng.intake.domain import officer
from samleng.intake.domain.access import (
    OfficerAction,
    acting_role,
    audit_offices,
    can_act,
    can_download,
    can_read,
    inbox_offices,
    is_partner,
    partner_scope,
)
from samleng.intake.domain.audit import AuditEntry, AuditRecord
from samleng.intake.domain.citizen import ActionRefused
from samleng.intake.domain.duplicates import Candidate
from samleng.intake.domain.model import Attachment, Case, normalise_text
from samleng.intake.duplicates.handlers import duplicates_of
from samleng.intake.ports import InboxFilter, InboxPage, InternalNote, OfficerDesk, StaleCase

MAX_AUDIT_PAGE = 500


class CaseNotVisible(LookupError):
    """No case with this id that the user may see (it may not exist at all)."""


class NotPermitted(Exception):
    """The user may see this, but their role does not allow the action; says who may."""


class VersionConflict(Exception):
    """The case changed since the user read it (their version is not the current one)."""

    def __init__(self, current: int) -> None:
        super().__init__(f"the case is now at version {current}")
        self.current = current


@dataclass(frozen=True)
class CaseFile:
    """A case as its reader sees it: the case, the office's internal notes, partner
    experts' notes, whether the reader is a partner expert (read-only), and for the office
    its likely duplicates still open with it and the cases linked to it."""

    case: Case
    notes: tuple[InternalNote, ...]
    partner_notes: tuple[InternalNote, ...] = ()
    partner: bool = False
    candidates: tuple[Candidate, ...] = ()
    linked_reports: tuple[str, ...] = ()


OfficerCommand = Callable[[Case, officer.Actor, datetime], tuple[Case, Event]]


def _office_of(case: Case | None) -> str | None:
    return case.office.office_id if case and case.office else None


def _record(
    principal: Principal,
    action: str,
    *,
    case: Case | None = None,
    complaint_id: str | None = None,
    office_id: str | None = None,
    detail: str = "",
    role: Role | None = None,
) -> AuditRecord:
    office = office_id or _office_of(case)
    if office is None and len(principal.offices) == 1:
        office = next(iter(principal.offices))
    return AuditRecord(
        at=datetime.now(UTC),
        subject=principal.subject,
        role=(role or principal.primary_role()).value,
        office_id=office,
        action=action,
        complaint_id=complaint_id or (case.complaint_id if case else None),
        detail=detail,
    )


async def _audit(desk: OfficerDesk, principal: Principal, action: str, **about: Any) -> None:
    await desk.audit.record(_record(principal, action, **about))


async def _visible_case(
    desk: OfficerDesk, principal: Principal, complaint_id: str, action: str
) -> Case:
    """The case if the user may read it; a refused attempt is audited too."""
    case = await desk.cases.get(complaint_id)
    if case is None or not can_read(principal, _office_of(case), _province_of(case)):
        await _audit(desk, principal, f"{action}.refused", complaint_id=complaint_id)
        raise CaseNotVisible(complaint_id)
    return case


def _province_of(case: Case) -> str:
    return case.submission.location.province_code


@dataclass(frozen=True)
class InboxListing:
    """A page of an inbox, the offices it covers and its counts per status."""

    offices: tuple[str, ...]
    page: InboxPage
    counts: dict[str, int]


async def list_inbox(
    principal: Principal,
    desk: OfficerDesk,
    where: InboxFilter,
    *,
    office_id: str | None,
    limit: int,
    cursor: str | None,
    order: str = "submitted",
) -> InboxListing:
    """A page of the inbox of the user's office(s), and its counts per status."""
    if is_partner(principal):
        return await _partner_inbox(principal, desk, where, limit=limit, cursor=cursor, order=order)
    offices = inbox_offices(principal, office_id)
    if not offices:
        if office_id is not None and principal.offices:
            raise CaseNotVisible(office_id)  # someone else's office: as if it did not exist
        raise NotPermitted("only officers, office heads, ombudsmen and liaisons have an inbox")
    scoped = replace(where, offices=tuple(offices))
    await _audit(
        desk, principal, "inbox.read", office_id=offices[0], detail=",".join(offices)[:500]
    )
    page = await desk.inbox.page(scoped, limit=limit, cursor=cursor, order=order)
    return InboxListing(scoped.offices, page, await desk.inbox.counts(scoped))


async def _partner_inbox(
    principal: Principal,
    desk: OfficerDesk,
    where: InboxFilter,
    *,
    limit: int,
    cursor: str | None,
    order: str,
) -> InboxListing:
    """The cases in a partner expert's scope (its offices and provinces), audited."""
    offices, provinces = partner_scope(principal)
    if not (offices or provinces):
        raise NotPermitted("your sign-in names no offices or provinces to review")
    scoped = replace(where, offices=offices, provinces=provinces)
    scope = (*offices, *(f"province:{p}" for p in provinces))
    await _audit(
        desk,
        principal,
        "inbox.read",
        office_id=offices[0] if offices else None,
        detail=",".join(scope)[:500],
        role=Role.PARTNER_EXPERT,
    )
    page = await desk.inbox.page(scoped, limit=limit, cursor=cursor, order=order)
    return InboxListing(scope, page, await desk.inbox.counts(scoped))


async def read_case(principal: Principal, complaint_id: str, desk: OfficerDesk) -> CaseFile:
    """A case for its office, an analyst or a partner expert (audited as a read)."""
    case = await _visible_case(desk, principal, complaint_id, "case.read")
    partner = is_partner(principal)
    await _audit(
        desk, principal, "case.read", case=case, role=Role.PARTNER_EXPERT if partner else None
    )
    notes = await desk.notes.for_case(complaint_id)
    # internal notes stay with the office that wrote them: a case that moves (to an
    # ombudsman, about an office's own officials) must not carry its notes back; a
    # partner expert reads none (its scope names offices it reviews, not its own)
    if partner:
        notes = []
    elif not principal.has(Role.NATIONAL_ANALYST):
        notes = [n for n in notes if n.office_id in principal.offices]
    partner_notes = tuple(await desk.partner_notes.for_case(complaint_id))
    # likely duplicates and links are the office's business, not a reviewing partner's
    candidates, linked = ((), ()) if partner else await _links_of(case, desk)
    return CaseFile(
        case=case,
        notes=tuple(notes),
        partner_notes=partner_notes,
        partner=partner,
        candidates=candidates,
        linked_reports=linked,
    )


async def _links_of(case: Case, desk: OfficerDesk) -> tuple[tuple[Candidate, ...], tuple[str, ...]]:
    """The case's likely duplicates among its office's open, unlinked cases (scored now,
    so never stale), and the cases linked to it."""
    linked = tuple(await desk.duplicates.linked_to(case.complaint_id))
    found = await duplicates_of(case, desk.duplicates, desk.duplicate_rule)
    return found, linked


def _check_action(principal: Principal, case: Case, action: OfficerAction) -> officer.Actor:
    office = _office_of(case)
    if not can_act(principal, office, action):
        if is_partner(principal):
            raise NotPermitted(
                "partner experts read cases and add partner notes; only the office's staff "
                "act on them"
            )
        if action is OfficerAction.REOPEN:
            raise NotPermitted("only the head of the office can reopen a case")
        raise NotPermitted("national analysts read cases; only the office's staff act on them")
    assert office is not None  # can_act refuses cases without an office
    role = acting_role(principal, action)
    return officer.Actor(role=role.value, office_id=office)  # type: ignore[arg-type]


async def act(
    principal: Principal,
    complaint_id: str,
    expected_version: int,
    action: OfficerAction,
    command: OfficerCommand,
    desk: OfficerDesk,
    *,
    detail: str = "",
) -> Case:
    """Run an office's command on the case at the version the user read; store it with its
    event (outbox) and audit it."""
    case = await _visible_case(desk, principal, complaint_id, f"case.{action.value}")
    actor = _check_action(principal, case, action)
    if case.version != expected_version:
        raise VersionConflict(case.version)
    updated, event = command(case, actor, datetime.now(UTC))
    record = _record(
        principal,
        f"case.{action.value}",
        case=case,
        role=Role(actor.role),
        detail=f"event {event.event_id}" + (f"; {detail}" if detail else ""),
    )
    try:
        # the case, its event and the audit entry commit together or not at all
        await desk.cases.save_with_event(
            updated, event, also=lambda session: desk.audit.append(session, record)
        )
    except StaleCase:
        fresh = await desk.cases.get(complaint_id)
        raise VersionConflict(fresh.version if fresh else case.version) from None
    return replace(updated, version=updated.version + 1)  # as stored


async def check_duplicate_target(
    principal: Principal, complaint_id: str, duplicate_of: str, desk: OfficerDesk
) -> None:
    """The case named as the original must exist and be one the user can see (asked only
    of users who may act on the case at all)."""
    case = await _visible_case(desk, principal, complaint_id, "case.reject")
    _check_action(principal, case, OfficerAction.REJECT)
    original = await desk.cases.get(duplicate_of)
    if original is None or not can_read(principal, _office_of(original)):
        raise ActionRefused(
            "duplicate-of-unknown",
            "duplicate_of names no case you can see; use the id of the original case.",
            "duplicate_of មិនមែនជាករណីដែលអ្នកអាចមើលឃើញទេ សូមប្រើលេខសម្គាល់ករណីដើម។",
        )
    if duplicate_of == complaint_id:
        raise ActionRefused(
            "duplicate-of-itself",
            "A case cannot duplicate itself; name the other case.",
            "ករណីមួយមិនអាចស្ទួននឹងខ្លួនឯងបានទេ សូមបញ្ជាក់ករណីផ្សេង។",
        )


async def add_internal_note(
    principal: Principal, complaint_id: str, text: str, desk: OfficerDesk
) -> InternalNote:
    """Leave a note for the office's staff; citizens never see it (audited, no event)."""
    case = await _visible_case(desk, principal, complaint_id, "case.note")
    actor = _check_action(principal, case, OfficerAction.NOTE)
    clean = normalise_text(text)
    if not clean:
        raise ActionRefused("empty-text", "Write the note.", "សូមសរសេរកំណត់ចំណាំ។")
    note = await desk.notes.add(
        complaint_id, clean, role=actor.role, office_id=actor.office_id, now=datetime.now(UTC)
    )
    await _audit(
        desk, principal, "case.note", case=case, role=Role(actor.role), detail=note.note_id
    )
    return note


async def add_partner_note(
    principal: Principal, complaint_id: str, text: str, desk: OfficerDesk
) -> InternalNote:
    """A partner expert's note to the office the case is with (audited, no event); the
    office's officers read it on the case, the citizen never does."""
    case = await _visible_case(desk, principal, complaint_id, "case.partner_note")
    if not principal.has(Role.PARTNER_EXPERT):
        raise NotPermitted("only partner experts add partner notes; staff add internal notes")
    office = _office_of(case)
    if office is None:
        raise ActionRefused(
            "no-office-yet",
            "The case has no office yet; add the note once routing assigned it.",
            "ករណីនេះមិនទាន់មានការិយាល័យនៅឡើយទេ សូមបន្ថែមកំណត់ចំណាំបន្ទាប់ពីការប្រគល់។",
        )
    clean = normalise_text(text)
    if not clean:
        raise ActionRefused("empty-text", "Write the note.", "សូមសរសេរកំណត់ចំណាំ។")
    note = await desk.partner_notes.add(
        complaint_id, clean, role=Role.PARTNER_EXPERT.value, office_id=office, now=datetime.now(UTC)
    )
    await _audit(
        desk,
        principal,
        "case.partner_note",
        case=case,
        role=Role.PARTNER_EXPERT,
        detail=note.note_id,
    )
    return note


async def download_attachment(
    principal: Principal, complaint_id: str, attachment_id: str, desk: OfficerDesk
) -> tuple[Attachment, bytes]:
    """An attachment's (cleaned) bytes, for the staff of the case's office (audited)."""
    case = await _visible_case(desk, principal, complaint_id, "attachment.download")
    attachment = next((a for a in case.attachments if a.attachment_id == attachment_id), None)
    if attachment is None:
        raise CaseNotVisible(attachment_id)
    if not can_download(principal, _office_of(case)):
        raise NotPermitted("only the staff of the case's office can download its attachments")
    await _audit(desk, principal, "attachment.download", case=case, detail=attachment_id)
    return attachment, await desk.attachments.read(attachment_id)


async def query_audit(
    principal: Principal,
    desk: OfficerDesk,
    *,
    complaint_id: str | None,
    subject: str | None,
    after_seq: int,
    limit: int,
) -> list[AuditEntry]:
    """Audit entries in chain order after ``after_seq`` (the query is audited too): the
    whole trail for admins, their own offices' trail for heads of office."""
    offices = audit_offices(principal)
    if offices == ():
        raise NotPermitted(
            "only administrators and heads of office (their own office's) read the audit trail"
        )
    await _audit(
        desk,
        principal,
        "audit.query",
        complaint_id=complaint_id,
        office_id=offices[0] if offices else None,
        detail=f"subject={subject or '*'}"
        + (f"; offices={','.join(offices)}"[:400] if offices else ""),
        role=Role.ADMIN if offices is None else Role.OFFICE_HEAD,
    )
    page = min(limit, MAX_AUDIT_PAGE)
    if offices is None:
        found = desk.audit.entries(
            complaint_id=complaint_id, subject=subject, after_seq=after_seq, limit=page
        )
    else:
        found = desk.audit.office_entries(
            offices, complaint_id=complaint_id, subject=subject, after_seq=after_seq, limit=page
        )
    return [entry async for entry in found]
