"""Every notice reads well in Khmer and English, and citizen messages reveal nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from samleng.notification.domain import templates
from samleng.notification.domain.notices import Notice, NoticeKind

pytestmark = pytest.mark.unit

CITIZEN_KINDS = [
    NoticeKind.CASE_ASSIGNED,
    NoticeKind.QUESTION_ASKED,
    NoticeKind.CASE_RESOLVED,
    NoticeKind.CASE_ESCALATED,
    NoticeKind.CASE_FORWARDED,
    NoticeKind.CASE_CLOSED,
    NoticeKind.CASE_CLOSED_NO_REPLY,
    NoticeKind.CASE_CLOSED_WITH_OTHERS,
    NoticeKind.CASE_LINKED,
]
OFFICER_KINDS = [k for k in NoticeKind if k not in CITIZEN_KINDS]
PARAMS = (
    ("office_en", "Chub Ta Trav office"), ("office_km", "ការិយាល័យជប់តាត្រាវ"),
    ("from_en", "Chub Ta Trav office"), ("from_km", "ការិយាល័យជប់តាត្រាវ"),
    ("to_en", "district ombudsman"), ("to_km", "អ្នកសម្របសម្រួលស្រុក"),
    ("trigger", "resolution_overdue"), ("deadline", "acknowledge"),
    ("due_at", "2026-01-02 03:04"),
    ("request", "transfer"), ("reason_en", "the case is already there"),
    ("reason_km", "ករណីនេះស្ថិតនៅទីនោះរួចហើយ"),
)  # fmt: skip


def notice(kind: NoticeKind) -> Notice:
    return Notice(
        kind=kind,
        audience="citizen" if kind in CITIZEN_KINDS else "office",
        event_id="e1",
        event_type="complaint.x",
        complaint_id="case-42",
        occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
        office_id=None if kind in CITIZEN_KINDS else "commune:1",
        params=PARAMS,
    )


@pytest.mark.parametrize("kind", CITIZEN_KINDS)
def test_citizen_messages_say_your_case_the_status_and_the_link_only(kind: NoticeKind) -> None:
    km = templates.render(notice(kind), "km", "https://t.example/track")
    en = templates.render(notice(kind), "en", "https://t.example/track")
    assert "ករណីរបស់អ្នក" in km.text and "ស្ថានភាព" in km.text
    assert "your case" in en.text and "status:" in en.text
    for message in (km, en):
        assert "https://t.example/track" in message.text
        assert "case-42" not in message.text and "ជប់តាត្រាវ" not in message.text
        assert "Chub Ta Trav" not in message.text


@pytest.mark.parametrize("kind", OFFICER_KINDS)
def test_officer_messages_are_complete_in_both_languages(kind: NoticeKind) -> None:
    km = templates.render(notice(kind), "km", "https://t.example/track")
    en = templates.render(notice(kind), "en", "https://t.example/track")
    for message in (km, en):
        assert "{" not in message.text and "case-42" in message.text
    assert any("\u1780" <= ch <= "\u17ff" for ch in km.text)
    assert all(ord(ch) < 128 for ch in en.text)


def test_the_resolution_tells_how_to_confirm_or_appeal() -> None:
    text = templates.render(notice(NoticeKind.CASE_RESOLVED), "en", "u").text
    assert "confirm" in text and "appeal" in text


def test_a_digest_lists_every_title() -> None:
    message = templates.digest(["one", "two"], "2026-01-02", "km")
    assert message.subject == "សំឡេង៖ ការជូនដំណឹង ២ សម្រាប់ថ្ងៃ ២ មករា ២០២៦"
    assert message.text == "- one\n- two"
    english = templates.digest(["one", "two"], "2026-01-02", "en")
    assert english.subject == "Samleng: 2 alert(s) for 2 January 2026"


def test_a_deadline_is_written_with_khmer_digits_and_month_names_for_khmer_readers() -> None:
    km = templates.render(notice(NoticeKind.DEADLINE_PASSED), "km", "u").text
    en = templates.render(notice(NoticeKind.DEADLINE_PASSED), "en", "u").text
    assert "២ មករា ២០២៦ ០៣:០៤" in km and "2026" not in km
    assert "2 January 2026 03:04" in en
