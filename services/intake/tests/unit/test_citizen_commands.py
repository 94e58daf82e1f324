"""Citizen commands and the status machine, without I/O."""

from datetime import UTC, datetime, timedelta

import pytest

from samleng.common.events import (
    AssignedData,
    CaseStatus,
    Category,
    ComplaintAssigned,
    ComplaintClosed,
    ComplaintReopened,
    FeedbackKind,
    InformationProvided,
    Location,
    OfficeRef,
)
from samleng.intake.adapters.cleaning import UnacceptableFile, inspect, sniff
from samleng.intake.adapters.crypto import SealedBox, derive_key
from samleng.intake.domain import citizen, officer
from samleng.intake.domain.citizen import ActionRefused
from samleng.intake.domain.model import Submission, apply_change, assignment, open_case
from samleng.intake.domain.status import ALLOWED, can_move

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
OFFICE = OfficeRef(
    office_id="commune:170201", level="commune", kind="commune_office", name_en="A", name_km="ក"
)


def fresh():
    submission = Submission(
        kind=FeedbackKind.COMPLAINT,
        category=Category.DELAY,
        location=Location(province_code="17", district_code="1702", commune_code="170201"),
        description="ស្នើ",
    )
    return open_case(submission, "hash", NOW)


def resolved_case():
    case, submitted = fresh()
    assigned = ComplaintAssigned.caused_by(
        submitted,
        producer="routing",
        data=AssignedData(
            office=OFFICE, rule="r", explanation_en="e", explanation_km="k", directory_version="v"
        ),
    )
    actor = officer.Actor(role="officer", office_id=OFFICE.office_id)
    resolved, _ = officer.resolve(apply_change(case, assignment(assigned)), "paid back", actor, NOW)
    return resolved


def test_withdrawn_is_final_and_every_status_has_rules() -> None:
    assert set(ALLOWED) == set(CaseStatus)
    assert not any(can_move(CaseStatus.WITHDRAWN, to) for to in CaseStatus)
    assert can_move(CaseStatus.CLOSED, CaseStatus.REOPENED)
    assert not can_move(CaseStatus.SUBMITTED, CaseStatus.RESOLVED)


def test_a_question_and_its_answer_move_the_case_and_number_the_events() -> None:
    case, _ = fresh()
    asked, request = citizen.ask_question(case, "ប៉ុន្មាន?", "commune:170201", NOW)
    assert asked.status is CaseStatus.INFORMATION_REQUESTED and request.sequence == 2
    [question] = asked.open_questions
    answered, provided = citizen.answer_question(asked, question.question_id, " ៥០០០ ", NOW)
    assert isinstance(provided, InformationProvided) and provided.sequence == 3
    assert answered.status is CaseStatus.ACKNOWLEDGED and not answered.open_questions
    assert answered.notes[-1].text == "៥០០០"
    with pytest.raises(ActionRefused) as refused:
        citizen.answer_question(answered, "nope", "x", NOW)
    assert refused.value.slug == "unknown-question" and refused.value.km


def test_confirm_needs_a_resolution_and_closes_it() -> None:
    case, _ = fresh()
    with pytest.raises(ActionRefused):
        citizen.confirm_resolution(case, NOW)
    closed, event = citizen.confirm_resolution(resolved_case(), NOW)
    assert closed.status is CaseStatus.CLOSED
    assert isinstance(event, ComplaintClosed) and event.data.how == "confirmed_by_citizen"
    assert event.sequence == 4 and event.data.office_id == OFFICE.office_id


def test_reopening_is_allowed_only_within_the_period() -> None:
    case = resolved_case()
    answered_at = case.answered_at
    assert answered_at is not None
    reopened, event = citizen.reopen(
        case, appeal=True, now=answered_at + timedelta(days=29), period=timedelta(days=30)
    )
    assert reopened.status is CaseStatus.REOPENED
    assert isinstance(event, ComplaintReopened) and event.data.appeal
    with pytest.raises(ActionRefused) as late:
        citizen.reopen(
            case, appeal=False, now=answered_at + timedelta(days=31), period=timedelta(days=30)
        )
    assert late.value.slug == "appeal-period-over"


def test_rating_once_after_the_answer_and_withdrawal_only_while_open() -> None:
    case, _ = fresh()
    with pytest.raises(ActionRefused):
        citizen.rate_handling(case, 5, NOW)
    rated, _ = citizen.rate_handling(resolved_case(), 2, NOW)
    assert rated.rating == 2 and rated.status is CaseStatus.RESOLVED
    with pytest.raises(ActionRefused):
        citizen.rate_handling(rated, 3, NOW)
    withdrawn, _ = citizen.withdraw(case, NOW)
    assert withdrawn.status is CaseStatus.WITHDRAWN
    with pytest.raises(ActionRefused):
        citizen.withdraw(resolved_case(), NOW)


def test_sealed_records_are_bound_to_their_key_and_record() -> None:
    box = SealedBox(derive_key("any secret string", "reporter-details"))
    sealed = box.seal(b"+85512345678", "case-1")
    assert b"855" not in sealed
    assert box.open(sealed, "case-1") == b"+85512345678"
    other = SealedBox(derive_key("any secret string", "fingerprints"))
    with pytest.raises(Exception):  # noqa: B017 - a different purpose derives a different key
        other.open(sealed, "case-1")


def test_files_are_sniffed_by_content_not_name() -> None:
    assert sniff(b"%PDF-1.7 ...") == "application/pdf"
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff(b"MZ\x90\x00") is None
    with pytest.raises(UnacceptableFile):
        inspect(b"GIF89a....", 1_000_000)
