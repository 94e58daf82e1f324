"""Which notices each event causes, and for whom."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from samleng.common.events import (
    CitizenActionData,
    ClosedData,
    ComplaintAcknowledged,
    ComplaintClosed,
    ComplaintEscalated,
    EscalatedData,
    InformationProvided,
    MoveRefusedData,
    MoveRequestRefused,
    OfficeActionData,
    OfficeRef,
)
from samleng.notification.domain.notices import (
    Notice,
    NoticeKind,
    notices_for,
    office_in_charge,
    office_of,
)

pytestmark = pytest.mark.unit

A = OfficeRef(office_id="commune:1", level="commune", kind="c", name_km="ឃុំ", name_en="A")
B = OfficeRef(office_id="district:1", level="district", kind="d", name_km="ស្រុក", name_en="B")


def escalated() -> ComplaintEscalated:
    data = EscalatedData(
        from_office=A, to_office=B, reason_en="r", reason_km="r", rule="r",
        directory_version="v", trigger="appeal",
    )  # fmt: skip
    return ComplaintEscalated.first("case-1", producer="test", data=data)


def test_an_escalation_alerts_the_old_and_the_new_level_and_the_citizen() -> None:
    notices = notices_for(escalated())
    assert [(n.kind, n.audience, n.office_id) for n in notices] == [
        (NoticeKind.ESCALATED_IN, "office", "district:1"),
        (NoticeKind.ESCALATED_AWAY, "office", "commune:1"),
        (NoticeKind.CASE_ESCALATED, "citizen", None),
    ]
    assert office_of(escalated()) == "district:1"


def test_an_answer_is_for_the_office_the_event_names_or_the_one_in_charge() -> None:
    def answer(office_id: str | None) -> InformationProvided:
        data = CitizenActionData(office_id=office_id)
        return InformationProvided.first("case-1", producer="test", data=data)

    [named] = notices_for(answer("commune:9"))
    assert (named.kind, named.audience, named.office_id) == (
        NoticeKind.CITIZEN_ANSWERED,
        "office",
        "commune:9",
    )
    [unnamed] = notices_for(answer(None))
    assert unnamed.office_id is None  # the handler looks up the office in charge


@pytest.mark.parametrize(
    ("how", "reason", "kinds"),
    [
        ("auto_closed", "no_reply", [NoticeKind.CASE_CLOSED_NO_REPLY]),
        ("auto_closed", None, [NoticeKind.CASE_CLOSED]),
        ("confirmed_by_citizen", None, []),
    ],
)
def test_the_citizen_hears_of_a_closure_they_did_not_make(
    how: str, reason: str | None, kinds: list[NoticeKind]
) -> None:
    data = ClosedData.model_validate({"how": how, "office_id": "commune:1", "reason": reason})
    notices = notices_for(ComplaintClosed.first("case-1", producer="test", data=data))
    assert [n.kind for n in notices] == kinds
    assert all(n.audience == "citizen" for n in notices)


def test_a_refused_move_is_told_to_the_office_that_asked_with_the_reason() -> None:
    data = MoveRefusedData(
        office_id="commune:1", request="forward", request_event_id="e0",
        reason_en="unknown ministry 'x'", reason_km="ក្រសួង 'x' មិនស្គាល់ទេ", to_ministry="x",
    )  # fmt: skip
    [notice] = notices_for(MoveRequestRefused.first("case-1", producer="test", data=data))
    assert (notice.kind, notice.audience, notice.office_id) == (
        NoticeKind.MOVE_REFUSED,
        "office",
        "commune:1",
    )
    assert notice.param("reason_en") == "unknown ministry 'x'"
    assert notice.param("request") == "forward" and notice.param("asked") == "x"


def test_events_that_are_not_triggers_cause_nothing() -> None:
    event = ComplaintAcknowledged.first(
        "case-1", producer="test", data=OfficeActionData(office_id="commune:1")
    )
    assert notices_for(event) == []


def test_a_kept_notice_comes_back_the_same() -> None:
    notice = Notice(
        kind=NoticeKind.CASE_RESOLVED,
        audience="citizen",
        event_id=str(uuid.uuid4()),
        event_type="complaint.resolved",
        complaint_id="case-1",
        occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
        params=(("office_en", "A"),),
    )
    assert Notice.from_document(notice.to_document()) == notice


def test_the_office_in_charge_depends_on_sequences_not_on_arrival() -> None:
    moves = [(7, "district:1"), (2, "commune:1"), (9, "ministry:1")]
    assert office_in_charge(moves, 4) == "commune:1"
    assert office_in_charge(moves, 8) == "district:1"
    assert office_in_charge(moves, 2) is None
