"""Officers' use cases with in-memory ports: access, versions and the audit trail."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from samleng.common.auth import Principal, Role
from samleng.common.events import (
    CaseStatus,
    ComplaintAcknowledged,
)
from samleng.intake.domain import officer
from samleng.intake.domain.access import OfficerAction
from samleng.intake.domain.citizen import ActionRefused
from samleng.intake.domain.model import Case, apply_change, assignment
from samleng.intake.officer.handlers import (
    CaseNotVisible,
    NotPermitted,
    VersionConflict,
    act,
    add_internal_note,
    check_duplicate_target,
    download_attachment,
    list_inbox,
    query_audit,
    read_case,
)
from samleng.intake.ports import InboxFilter, IntakePorts, OfficerDesk
from services.intake.tests.unit.fakes import (
    OFFICE,
    InMemoryAuditLog,
    InMemoryCases,
    assigned_by_routing,
    fake_ports,
    submitted_case,
)

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 4, 9, 0, tzinfo=UTC)
OTHER = "commune:170202"


def user(*roles: Role, offices: tuple[str, ...] = (OFFICE.office_id,)) -> Principal:
    return Principal(subject="user-1", roles=frozenset(roles), offices=frozenset(offices))


OFFICER = user(Role.OFFICER)
STRANGER = user(Role.OFFICER, offices=(OTHER,))
ADMIN = user(Role.ADMIN, offices=())


async def routed_case(ports: IntakePorts) -> Case:
    """A case stored and assigned to OFFICE, as routing's decision left it."""
    case, submitted = await submitted_case(ports, NOW)
    await ports.cases.save(apply_change(case, assignment(assigned_by_routing(submitted))))
    stored = await ports.cases.get(case.complaint_id)
    assert stored is not None
    return stored


def memory(ports: IntakePorts) -> InMemoryCases:
    assert isinstance(ports.cases, InMemoryCases)
    return ports.cases


def audit(desk: OfficerDesk) -> InMemoryAuditLog:
    assert isinstance(desk.audit, InMemoryAuditLog)
    return desk.audit


async def test_an_action_stores_the_case_its_event_and_its_audit_entry_together() -> None:
    ports = fake_ports()
    desk = ports.officers
    case = await routed_case(ports)
    updated = await act(
        OFFICER,
        case.complaint_id,
        case.version,
        OfficerAction.ACKNOWLEDGE,
        officer.acknowledge,
        desk,
    )
    assert updated.status is CaseStatus.ACKNOWLEDGED and updated.version == case.version + 1
    assert await ports.cases.get(case.complaint_id) == updated  # as stored
    event = memory(ports).outbox[-1]
    assert isinstance(event, ComplaintAcknowledged)
    [entry] = audit(desk).log
    assert entry.record.action == "case.acknowledge" and entry.record.role == "officer"
    assert entry.record.detail == f"event {event.event_id}"


async def test_an_action_on_an_older_version_is_a_conflict_and_stores_nothing() -> None:
    ports = fake_ports()
    desk = ports.officers
    case = await routed_case(ports)
    with pytest.raises(VersionConflict) as conflict:
        await act(
            OFFICER,
            case.complaint_id,
            case.version - 1,
            OfficerAction.ACKNOWLEDGE,
            officer.acknowledge,
            desk,
        )
    assert conflict.value.current == case.version
    assert await ports.cases.get(case.complaint_id) == case and audit(desk).log == []


async def test_a_case_of_another_office_is_invisible_and_the_attempt_audited() -> None:
    ports = fake_ports()
    desk = ports.officers
    case = await routed_case(ports)
    with pytest.raises(CaseNotVisible):
        await act(
            STRANGER,
            case.complaint_id,
            case.version,
            OfficerAction.RESOLVE,
            lambda c, a, n: officer.resolve(c, "done", a, n),
            desk,
        )
    with pytest.raises(CaseNotVisible):
        await read_case(STRANGER, "no-such-case", desk)
    assert audit(desk).actions == ["case.resolve.refused", "case.read.refused"]
    assert await ports.cases.get(case.complaint_id) == case


async def test_only_the_head_reopens_and_analysts_only_read() -> None:
    ports = fake_ports()
    desk = ports.officers
    case = await routing_resolved(ports)
    with pytest.raises(NotPermitted, match="head of the office"):
        await act(
            OFFICER, case.complaint_id, case.version, OfficerAction.REOPEN, officer.reopen, desk
        )
    head = user(Role.OFFICE_HEAD)
    reopened = await act(
        head, case.complaint_id, case.version, OfficerAction.REOPEN, officer.reopen, desk
    )
    assert reopened.status is CaseStatus.REOPENED
    analyst = user(Role.NATIONAL_ANALYST, offices=())
    assert (await read_case(analyst, case.complaint_id, desk)).case == reopened
    with pytest.raises(NotPermitted):
        await act(
            analyst,
            case.complaint_id,
            reopened.version,
            OfficerAction.ACKNOWLEDGE,
            officer.acknowledge,
            desk,
        )


async def routing_resolved(ports: IntakePorts) -> Case:
    """A routed case its office resolved."""
    case = await routed_case(ports)
    return await act(
        OFFICER,
        case.complaint_id,
        case.version,
        OfficerAction.RESOLVE,
        lambda c, a, n: officer.resolve(c, "paid back", a, n),
        ports.officers,
    )


async def test_internal_notes_stay_with_the_office_that_wrote_them() -> None:
    ports = fake_ports()
    desk = ports.officers
    case = await routed_case(ports)
    note = await add_internal_note(OFFICER, case.complaint_id, "  call the chief ", desk)
    assert note.text == "call the chief" and note.office_id == OFFICE.office_id
    with pytest.raises(ActionRefused):
        await add_internal_note(OFFICER, case.complaint_id, "   ", desk)
    await desk.notes.add(case.complaint_id, "theirs", role="officer", office_id=OTHER, now=NOW)
    seen = await read_case(OFFICER, case.complaint_id, desk)
    assert [n.text for n in seen.notes] == ["call the chief"]
    assert len(memory(ports).outbox) == 1  # a note is no event: only the submission's
    assert audit(desk).actions == ["case.note", "case.read"]


async def test_an_inbox_lists_the_offices_cases_with_counts_and_is_audited() -> None:
    ports = fake_ports()
    desk = ports.officers
    first, second = await routed_case(ports), await routed_case(ports)
    where = InboxFilter(offices=(), statuses=(CaseStatus.ASSIGNED,))
    listing = await list_inbox(OFFICER, desk, where, office_id=None, limit=1, cursor=None)
    assert listing.offices == (OFFICE.office_id,) and len(listing.page.cases) == 1
    assert listing.counts["assigned"] == 2 and listing.page.next_cursor is not None
    rest = await list_inbox(
        OFFICER, desk, where, office_id=None, limit=1, cursor=listing.page.next_cursor
    )
    assert {c.complaint_id for c in (*listing.page.cases, *rest.page.cases)} == {
        first.complaint_id,
        second.complaint_id,
    }
    with pytest.raises(CaseNotVisible):
        await list_inbox(OFFICER, desk, where, office_id=OTHER, limit=10, cursor=None)
    with pytest.raises(NotPermitted):
        await list_inbox(ADMIN, desk, where, office_id=None, limit=10, cursor=None)
    assert audit(desk).actions == ["inbox.read", "inbox.read"]


async def test_attachments_go_to_the_offices_staff_only() -> None:
    ports = fake_ports()
    desk = ports.officers
    case = await routed_case(ports)
    stored = await desk.attachments.put(case.complaint_id, b"photo", NOW)
    await ports.cases.save(replace(case, attachments=(stored,)))  # the citizen attached it
    meta, data = await download_attachment(OFFICER, case.complaint_id, stored.attachment_id, desk)
    assert data == b"photo" and meta == stored
    with pytest.raises(CaseNotVisible):
        await download_attachment(OFFICER, case.complaint_id, "other", desk)
    analyst = user(Role.NATIONAL_ANALYST, offices=())
    with pytest.raises(NotPermitted):
        await download_attachment(analyst, case.complaint_id, stored.attachment_id, desk)


async def test_a_duplicate_must_name_another_case_the_user_can_see() -> None:
    ports = fake_ports()
    desk = ports.officers
    case, original = await routed_case(ports), await routed_case(ports)
    await check_duplicate_target(OFFICER, case.complaint_id, original.complaint_id, desk)
    for target, slug in (
        ("no-such-case", "duplicate-of-unknown"),
        (case.complaint_id, "duplicate-of-itself"),
    ):
        with pytest.raises(ActionRefused) as refused:
            await check_duplicate_target(OFFICER, case.complaint_id, target, desk)
        assert refused.value.slug == slug
    # a user who cannot see the case itself learns nothing about the original either
    with pytest.raises(CaseNotVisible):
        await check_duplicate_target(STRANGER, case.complaint_id, original.complaint_id, desk)


async def test_the_audit_trail_is_for_administrators_and_reading_it_is_audited() -> None:
    ports = fake_ports()
    desk = ports.officers
    case = await routed_case(ports)
    await read_case(OFFICER, case.complaint_id, desk)
    with pytest.raises(NotPermitted):
        await query_audit(OFFICER, desk, complaint_id=None, subject=None, after_seq=0, limit=10)
    entries = await query_audit(
        ADMIN, desk, complaint_id=case.complaint_id, subject=None, after_seq=0, limit=10
    )
    assert [e.record.action for e in entries] == ["case.read", "audit.query"]


async def test_a_head_of_office_reads_their_offices_part_of_the_trail() -> None:
    ports = fake_ports()
    desk = ports.officers
    case = await routed_case(ports)
    await read_case(OFFICER, case.complaint_id, desk)
    with pytest.raises(CaseNotVisible):
        await read_case(STRANGER, case.complaint_id, desk)
    head = user(Role.OFFICE_HEAD)
    entries = await query_audit(head, desk, complaint_id=None, subject=None, after_seq=0, limit=10)
    assert [(e.record.action, e.record.office_id) for e in entries] == [
        ("case.read", OFFICE.office_id),
        ("case.read.refused", OTHER),  # someone elsewhere tried to open our case
        ("audit.query", OFFICE.office_id),
    ]
    assert entries[-1].record.role == "office_head"
    elsewhere = user(Role.OFFICE_HEAD, offices=(OTHER,))
    theirs = await query_audit(
        elsewhere, desk, complaint_id=None, subject=None, after_seq=0, limit=10
    )
    assert [e.record.action for e in theirs] == ["case.read.refused", "audit.query"]
