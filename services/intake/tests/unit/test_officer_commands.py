"""Officer commands on a case, without I/O: events, timeline, refusals."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from samleng.common.events import (
    AssignedData,
    CaseStatus,
    Category,
    ComplaintAcknowledged,
    ComplaintAssigned,
    ComplaintRejected,
    ComplaintReopened,
    ComplaintResolved,
    EscalationRequested,
    FeedbackKind,
    ForwardRequested,
    Location,
    OfficeRef,
    TransferRequested,
)
from samleng.intake.domain import officer
from samleng.intake.domain.citizen import ActionRefused
from samleng.intake.domain.model import Case, Submission, apply_change, assignment, open_case

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
OFFICE = OfficeRef(
    office_id="commune:170201", level="commune", kind="commune_office", name_en="A", name_km="ក"
)
ACTOR = officer.Actor(role="officer", office_id=OFFICE.office_id)
HEAD = officer.Actor(role="office_head", office_id=OFFICE.office_id)


def assigned() -> Case:
    submission = Submission(
        kind=FeedbackKind.COMPLAINT,
        category=Category.EXTRA_FEE,
        location=Location(province_code="17", district_code="1702", commune_code="170201"),
        description="ទារប្រាក់",
    )
    case, submitted = open_case(submission, "hash", NOW)
    event = ComplaintAssigned.caused_by(
        submitted,
        producer="routing",
        data=AssignedData(
            office=OFFICE,
            rule="r",
            explanation_en="e",
            explanation_km="ក",
            directory_version="v",
        ),
    )
    return apply_change(case, assignment(event))


def test_acknowledge_moves_the_case_and_names_the_role_not_the_person() -> None:
    case, event = officer.acknowledge(assigned(), ACTOR, NOW)
    assert isinstance(event, ComplaintAcknowledged)
    assert case.status is CaseStatus.ACKNOWLEDGED and case.status_sequence == event.sequence
    assert event.sequence == 3 and event.data.actor is not None
    assert event.data.actor.role == "officer" and "officer-" not in event.model_dump_json()
    assert case.timeline[-1].text_km and case.timeline[-1].text_en
    with pytest.raises(ActionRefused) as refused:
        officer.acknowledge(case, ACTOR, NOW)
    assert refused.value.slug == "already-acknowledged"


def test_resolution_note_reaches_the_citizen_timeline_and_starts_the_appeal_period() -> None:
    case, event = officer.resolve(assigned(), "  Refunded ៥០០០០ រៀល  ", ACTOR, NOW)
    assert isinstance(event, ComplaintResolved)
    assert case.status is CaseStatus.RESOLVED and case.answered_at == NOW
    assert case.timeline[-1].text_en.endswith("Refunded ៥០០០០ រៀល")
    assert case.timeline[-1].text_km.endswith("Refunded ៥០០០០ រៀល")
    with pytest.raises(ActionRefused) as refused:
        officer.resolve(case, "again", ACTOR, NOW)
    assert refused.value.slug == "illegal-transition" and "resolved" in refused.value.en
    with pytest.raises(ActionRefused):
        officer.resolve(assigned(), "   ", ACTOR, NOW)


def test_reject_needs_the_original_for_a_duplicate() -> None:
    with pytest.raises(ActionRefused) as refused:
        officer.reject(assigned(), "duplicate", ACTOR, NOW)
    assert refused.value.slug == "duplicate-of-missing"
    with pytest.raises(ActionRefused):
        officer.reject(assigned(), "spam", ACTOR, NOW, duplicate_of="other")
    case = assigned()
    with pytest.raises(ActionRefused):
        officer.reject(case, "duplicate", ACTOR, NOW, duplicate_of=case.complaint_id)
    rejected, event = officer.reject(case, "duplicate", ACTOR, NOW, duplicate_of="other")
    assert isinstance(event, ComplaintRejected) and event.data.duplicate_of == "other"
    assert rejected.status is CaseStatus.REJECTED and rejected.answered_at == NOW


@pytest.mark.parametrize(
    ("kind", "event_type", "target"),
    [
        ("transfer", TransferRequested, {"to_office_id": "commune:170202"}),
        ("forward", ForwardRequested, {"to_ministry": "MLMUPC"}),
        ("escalate", EscalationRequested, {}),
    ],
)
def test_move_requests_leave_the_case_where_it_is(
    kind: officer.MoveKind, event_type: type, target: dict[str, str]
) -> None:
    case, event = officer.request_move(assigned(), kind, "wrong office", ACTOR, NOW, **target)
    assert isinstance(event, event_type)
    assert case.status is CaseStatus.ASSIGNED and case.office == OFFICE
    assert case.last_sequence == event.sequence  # the next event follows this one


def test_move_requests_need_a_target_and_an_open_case() -> None:
    with pytest.raises(ActionRefused) as refused:
        officer.request_move(assigned(), "transfer", "why", ACTOR, NOW)
    assert refused.value.slug == "to-office-missing"
    with pytest.raises(ActionRefused):
        officer.request_move(assigned(), "forward", "why", ACTOR, NOW)
    rejected, _ = officer.reject(assigned(), "spam", ACTOR, NOW)
    with pytest.raises(ActionRefused) as refused:
        officer.request_move(rejected, "escalate", "why", ACTOR, NOW)
    assert refused.value.slug == "illegal-transition"


def test_reopen_only_answered_cases() -> None:
    with pytest.raises(ActionRefused):
        officer.reopen(assigned(), HEAD, NOW)
    resolved, _ = officer.resolve(assigned(), "done", ACTOR, NOW)
    reopened, event = officer.reopen(resolved, HEAD, NOW)
    assert isinstance(event, ComplaintReopened) and event.data.by.role == "office_head"
    assert reopened.status is CaseStatus.REOPENED
    again, _ = officer.acknowledge(reopened, ACTOR, NOW)
    assert again.status is CaseStatus.ACKNOWLEDGED
