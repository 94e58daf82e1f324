"""The pure parts: the submit form to intake's body, codes as people type them, urgency."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from samleng.web.adapters.session import CookieSealer
from samleng.web.domain.codes import compact, groups, safe_id, safe_office
from samleng.web.domain.inbox import age_days, most_urgent_first, urgency
from samleng.web.domain.submission import form_field, place_codes, read_submission
from samleng.web.i18n import FIELD_LABELS, MESSAGES, Texts

pytestmark = pytest.mark.unit

FORM = {
    "kind": "complaint",
    "category": "extra_fee",
    "province": "17",
    "district": "1702",
    "commune": "170201",
    "village": "17020101",
    "description": "  គេទារលុយលើស  ",
}


def test_a_complete_form_becomes_intakes_submission() -> None:
    draft = read_submission(
        {
            **FORM,
            "service_code": "civil.birth_certificate",
            "amount_asked_riel": "50,000",
            "about_office": "owso",
            "contact_channel": "sms",
            "contact_address": "012 345 678",
            "gender": "female",
            "age_band": "25_34",
        }
    )
    assert draft.errors == {}
    assert draft.body == {
        "kind": "complaint",
        "category": "extra_fee",
        "description": "គេទារលុយលើស",
        "channel": "web",
        "province_code": "17",
        "district_code": "1702",
        "commune_code": "170201",
        "village_code": "17020101",
        "service_code": "civil.birth_certificate",
        "amount_asked_riel": 50000,
        "about_office_id": "owso:1702",
        "about_office_conduct": True,
        "contacts": [{"channel": "sms", "address": "012 345 678"}],
        "reporter_gender": "female",
        "reporter_age_band": "25_34",
    }


def test_what_is_missing_is_named_and_nothing_optional_is_sent_empty() -> None:
    draft = read_submission({"province": "17", "contact_channel": "email", "kind": "bogus"})
    assert draft.errors == {
        "kind": "required",
        "category": "required",
        "description": "required",
        "province": "required",
        "contact_address": "contact_missing",
    }
    assert "contacts" not in draft.body and "reporter_gender" not in draft.body
    rating = read_submission({**FORM, "kind": "service_evaluation"})
    assert rating.errors == {"service_rating": "required"}


def test_a_place_outside_the_one_above_it_is_dropped() -> None:
    assert place_codes({"province": "17", "district": "0102", "commune": "010201"}) == {
        "province": "17",
        "district": None,
        "commune": None,
        "village": None,
    }


def test_intakes_field_names_map_onto_the_form() -> None:
    assert form_field("village_code") == "village"
    assert form_field("contacts.0.address") == "contact_address"
    assert form_field("description") == "description"


def test_codes_are_read_as_typed_and_shown_in_groups() -> None:
    assert compact(" 7k3m q9tx–2hbd-w4ne r ") == "7K3MQ9TX2HBDW4NER"
    assert compact("../officer/inbox") is None
    assert compact("") is None
    assert groups("7K3MQ9TX2HBDW4NER") == ["7K3M", "Q9TX", "2HBD", "W4NE", "R"]
    assert safe_id("c0ffee-12_ab") and not safe_id("../audit") and not safe_id("a/b")
    assert safe_office("commune:170201") and not safe_office("x/../y")


def test_overdue_then_due_soon_then_the_rest() -> None:
    now = datetime(2026, 12, 6, tzinfo=UTC)
    later = {"complaint_id": "a", "next_due": (now + timedelta(days=5)).isoformat()}
    soon = {"complaint_id": "b", "next_due": (now + timedelta(hours=20)).isoformat()}
    late = {"complaint_id": "c", "overdue": True, "submitted_at": "2026-11-26T00:00:00+00:00"}
    assert [c["complaint_id"] for c in most_urgent_first([later, soon, late], now)] == [
        "c",
        "b",
        "a",
    ]
    assert (urgency(late, now), urgency(soon, now), urgency(later, now)) == (
        "overdue",
        "due_soon",
        "",
    )
    assert age_days(late, now) == 10


def test_sealed_cookies_cannot_be_read_altered_or_replayed_for_another_purpose() -> None:
    session = CookieSealer("a-secret-of-some-length", "session")
    value = session.seal({"sub": "officer-1"})
    assert "officer-1" not in value
    assert session.open(value, 60) == {"sub": "officer-1"}
    assert session.open(value[:-4] + "AAAA", 60) is None
    assert CookieSealer("a-secret-of-some-length", "sign-in").open(value, 60) is None
    assert session.open("", 60) is None


def test_every_message_and_field_label_exists_in_both_languages() -> None:
    for key, (km, en) in MESSAGES.items():
        assert km.strip() and en.strip(), key
    assert set(FIELD_LABELS.values()) <= set(MESSAGES)
    assert Texts.of("fr").lang == "km" and Texts.of("en")("send") == "Send"
    assert Texts("km").pick({"en": "Assigned", "km": "បានចាត់តាំង"}) == "បានចាត់តាំង"
