import unicodedata
from datetime import UTC, datetime

import pytest

from samleng.common.events import (
    AssignedData,
    CaseStatus,
    Category,
    ClosedData,
    ComplaintAssigned,
    ComplaintClosed,
    FeedbackKind,
    Location,
    OfficeRef,
)
from samleng.intake.domain import citizen, officer
from samleng.intake.domain.model import (
    Submission,
    apply_change,
    assignment,
    closing,
    move,
    normalise_text,
    open_case,
)
from samleng.intake.domain.retention import Erasure, RetentionPolicy, closed_at

pytestmark = pytest.mark.unit

OFFICE = OfficeRef(
    office_id="commune:170201", level="commune", kind="commune_office", name_en="A", name_km="ក"
)


def new_case():
    submission = Submission(
        kind=FeedbackKind.COMPLAINT,
        category=Category.DELAY,
        location=Location(province_code="17", district_code="1702", commune_code="170201"),
        description="  ស្នើ\u17b6  ",
    )
    return open_case(submission, "hash", datetime.now(UTC))


def assigned(cause):
    data = AssignedData(
        office=OFFICE, rule="r", explanation_en="e", explanation_km="k", directory_version="v"
    )
    return ComplaintAssigned.caused_by(cause, producer="routing", data=data)


def test_new_case_announces_itself_without_the_description() -> None:
    case, event = new_case()
    assert case.status is CaseStatus.SUBMITTED
    assert event.complaint_id == case.complaint_id and event.sequence == 1
    assert "description" not in event.model_dump_json()


def test_assignment_moves_status_and_sets_office() -> None:
    case, submitted = new_case()
    updated = apply_change(case, assignment(assigned(submitted)))
    assert updated.status is CaseStatus.ASSIGNED and updated.office == OFFICE
    assert [e.status for e in updated.timeline] == [CaseStatus.SUBMITTED, CaseStatus.ASSIGNED]


def test_the_same_event_twice_changes_nothing() -> None:
    case, submitted = new_case()
    change = assignment(assigned(submitted))
    once = apply_change(case, change)
    assert apply_change(once, change) == once


def test_a_late_older_event_adds_history_but_never_moves_status_back() -> None:
    case, submitted = new_case()
    first = assigned(submitted)
    closed = ComplaintClosed.caused_by(
        first, producer="routing", data=ClosedData(how="auto_closed", office_id=OFFICE.office_id)
    )
    c, a = closing(closed), assignment(first)
    out_of_order = apply_change(apply_change(case, c), a)
    in_order = apply_change(apply_change(case, a), c)
    assert out_of_order.status is CaseStatus.CLOSED
    assert out_of_order.timeline == in_order.timeline
    assert out_of_order.office == OFFICE or out_of_order.office is None


def test_text_is_nfc_normalised() -> None:
    decomposed = "e\u0301"
    assert normalise_text(f" {decomposed} ") == "\u00e9"


def test_routing_deadlines_and_escalation_are_kept() -> None:
    from datetime import timedelta

    from samleng.common.events import ComplaintEscalated, Deadlines, EscalatedData

    case, submitted = new_case()
    now = datetime.now(UTC)
    due = Deadlines(acknowledge_by=now + timedelta(days=1), resolve_by=now + timedelta(days=10))
    first = assigned(submitted)
    first = first.model_copy(update={"data": first.data.model_copy(update={"deadlines": due})})
    change = assignment(first)
    routed = apply_change(case, change)
    assert routed.deadlines == due and routed.next_due == due.acknowledge_by
    assert not routed.overdue(now) and routed.overdue(now + timedelta(days=2))

    later = Deadlines(acknowledge_by=now + timedelta(days=3), resolve_by=now + timedelta(days=12))
    climbed = ComplaintEscalated.caused_by(
        first,
        producer="routing",
        data=EscalatedData(
            from_office=OFFICE,
            to_office=OFFICE,
            reason_en="late",
            reason_km="យឺត",
            rule="escalation-ladder",
            directory_version="v",
            trigger="acknowledgement_overdue",
            deadlines=later,
        ),
    )
    moved = move(climbed)
    escalated = apply_change(routed, moved)
    assert escalated.escalated and escalated.deadlines == later
    # the same facts arriving in the other order give the same case
    other = apply_change(apply_change(case, moved), change)
    assert other.escalated and other.deadlines == later and other.status == escalated.status


def test_routing_moves_the_case_even_when_an_officer_acted_with_the_same_sequence() -> None:
    from samleng.common.events import ComplaintEscalated, EscalatedData

    case, submitted = new_case()
    first = assigned(submitted)
    routed = apply_change(case, assignment(first))
    # the officer asked to escalate (seq 3), then acknowledged (seq 4) before routing
    # answered the request with its own sequence 4
    actor = officer.Actor(role="officer", office_id=OFFICE.office_id)
    now = datetime.now(UTC)
    asked, request = officer.request_move(routed, "escalate", "too big for us", actor, now)
    acknowledged, ack = officer.acknowledge(asked, actor, now)
    assert (request.sequence, ack.sequence) == (3, 4)
    assert acknowledged.status is CaseStatus.ACKNOWLEDGED and acknowledged.status_sequence == 4
    ombudsman = OFFICE.model_copy(update={"office_id": "district-ombudsman:1702"})
    climbed = ComplaintEscalated.after(
        routed.complaint_id,
        3,
        producer="routing",
        correlation_id=routed.complaint_id,
        data=EscalatedData(
            from_office=OFFICE,
            to_office=ombudsman,
            reason_en="asked",
            reason_km="ស្នើ",
            rule="escalation-ladder",
            directory_version="v",
            trigger="officer_request",
        ),
    )
    moved = apply_change(acknowledged, move(climbed))
    assert moved.office == ombudsman
    assert moved.status is CaseStatus.ASSIGNED  # the ombudsman has yet to acknowledge
    # an older routing decision (sequence 2, a new event) arriving late never moves it back
    stale = ComplaintAssigned.after(
        routed.complaint_id,
        1,
        producer="routing",
        data=first.data,
        correlation_id=routed.complaint_id,
    )
    late = apply_change(moved, assignment(stale))
    assert late.office == ombudsman and len(late.timeline) == len(moved.timeline) + 1


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("\u200b\u200b\u200b", ""),
        ("\ufeff\u2060\u200d \u00ad", ""),
        ("\u3164\u2800\u115f", ""),
        ("\u17c6\u17cb", ""),  # marks with no consonant to sit on
        ("\u200bក\u200bខ\u200b", "ក\u200bខ"),  # Khmer word breaks inside the text stay
        ("  ស្នើ\u17b6  ", unicodedata.normalize("NFC", "ស្នើ\u17b6")),
    ],
)
def test_text_that_shows_nothing_normalises_to_empty(text: str, kept: str) -> None:
    assert normalise_text(text) == kept


def test_a_case_is_closed_from_its_last_step_into_a_final_status() -> None:
    case, _ = new_case()
    assert closed_at(case) is None
    withdrawn_at = datetime(2025, 1, 2, tzinfo=UTC)
    withdrawn, _ = citizen.withdraw(case, withdrawn_at)
    assert closed_at(withdrawn) == withdrawn_at
    cutoffs = RetentionPolicy(180, 365).cutoffs(datetime(2026, 1, 2, tzinfo=UTC))
    assert cutoffs[Erasure.CONTACTS] == datetime(2025, 7, 6, tzinfo=UTC)
    assert cutoffs[Erasure.ATTACHMENTS] == withdrawn_at
