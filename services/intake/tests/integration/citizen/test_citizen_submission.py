"""Submitting feedback over real HTTP, MongoDB and RabbitMQ: every field, privacy, retries."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from cryptography.fernet import Fernet

from samleng.intake.app import bootstrap, create_app
from samleng.intake.domain.tracking import TrackingCode
from services.intake.tests.integration.citizen.helpers import (
    collection,
    database_dump,
    next_event,
    service_log_lines,
)
from services.intake.tests.integration.shared import VALID, intake_settings
from tests.support import next_message, running, tap

pytestmark = pytest.mark.integration

PHONE, EMAIL, TELEGRAM = "012 345 678", "sok.dara@example.org", "@sokdara_kh"

FULL = {
    **VALID,
    "service_code": "civil.late_birth_registration",
    "amount_asked_riel": 50000,
    "village_code": "17020101",
    "province_code": "17",
    "district_code": "1702",
    "about_office_id": "commune:170201",
    "about_office_conduct": True,
    "contacts": [
        {"channel": "sms", "address": PHONE},
        {"channel": "email", "address": EMAIL},
        {"channel": "telegram", "address": TELEGRAM},
    ],
    "reporter_gender": "female",
    "reporter_age_band": "25_34",
    "channel": "mobile",
}


async def complaint_id_of(service: Any, code: str) -> str:
    case = await service.ports.cases.by_code_hash(
        service.ports.keys.hasher.hash(TrackingCode.parse(code))
    )
    return str(case.complaint_id)


async def test_full_submission_reaches_routing_with_fees_place_and_sealed_contacts(
    env: Any, amqp: Any
) -> None:
    settings = intake_settings(env)
    copies = await tap(amqp, "complaint.submitted.v1")
    with service_log_lines() as lines:
        service: Any = bootstrap(settings)  # its ports, as the routes see them
        app = service.app
        async with running(app) as http:
            answer = await http.post("/v1/complaints", json=FULL)
            assert answer.status_code == 202, answer.text
            code = answer.json()["tracking_code"]
            complaint_id = await complaint_id_of(service, code)
            event = await next_event(copies, complaint_id)
            view = await http.get(f"/v1/complaints/{code}", headers={"Accept-Language": "en"})

    data = event.model_dump()["data"]
    assert data["service_code"] == "civil.late_birth_registration"
    assert (data["amount_asked_riel"], data["official_fee_riel"]) == (50000, 4000)
    assert data["location"]["village_code"] == "17020101"
    assert data["about_office_id"] == "commune:170201" and data["about_office_conduct"] is True
    assert data["channel"] == "mobile"
    assert (data["reporter_gender"], data["reporter_age_band"]) == ("female", "25_34")
    # notification (the only holder of the sealing key) can open the contacts
    fernet = Fernet(env.stack.secrets["SAMLENG_CONTACT_SEALING_KEY"].encode())
    opened = {
        c["channel"]: fernet.decrypt(c["ciphertext"].encode()).decode() for c in data["contacts"]
    }
    assert opened == {"sms": "+85512345678", "email": EMAIL, "telegram": TELEGRAM}
    assert {c["key_id"] for c in data["contacts"]} == {settings.contact_sealing_key_id}

    assert view.status_code == 200
    assert view.json()["service"]["official_fee_riel"] == 4000

    secrets = (PHONE, "12345678", EMAIL, "sok.dara", TELEGRAM, "sokdara")
    stored = await database_dump(settings)
    for secret in secrets:
        assert secret not in stored, f"{secret!r} is readable in MongoDB"
    # gender and age band travel in the event for statistics (the outbox keeps published
    # events a day); the case store holds them only sealed
    case_store = await database_dump(settings, exclude=("outbox",))
    for secret in ("female", "25_34"):
        assert secret not in case_store, f"{secret!r} is readable in MongoDB"
    [reporter] = await collection(settings, "reporters")
    assert reporter["_id"] == complaint_id and len(reporter["sealed"]) > 20
    for text in (answer.text, view.text, lines.getvalue()):
        for secret in secrets:
            assert secret not in text
    assert lines.getvalue()  # the requests were logged, just not the secrets
    assert FULL["description"] not in lines.getvalue()


async def test_reporter_details_open_only_with_the_configured_key(env: Any) -> None:
    settings = intake_settings(env, relay_enabled=False)
    service: Any = bootstrap(settings)  # its ports, as the routes see them
    app = service.app
    async with running(app) as http:
        code = (await http.post("/v1/complaints", json=FULL)).json()["tracking_code"]
        complaint_id = await complaint_id_of(service, code)
        [stored] = await collection(settings, "reporters")
        assert stored["_id"] == complaint_id
        sealed = bytes(stored["sealed"])
    opened = service.ports.keys.records.open(sealed, complaint_id)
    assert b"+85512345678" in opened and b"female" in opened
    with pytest.raises(Exception):  # noqa: B017 - any failure to open is the point
        service.ports.keys.records.open(sealed, "another-case")


async def test_a_retried_submission_returns_the_same_tracking_code(env: Any, amqp: Any) -> None:
    settings = intake_settings(env)
    copies = await tap(amqp, "complaint.submitted.v1")
    key = {"Idempotency-Key": "5b0e2a56-offline-draft-17"}
    async with running(create_app(settings)) as http:
        first = await http.post("/v1/complaints", json=FULL, headers=key)
        again = await http.post("/v1/complaints", json=FULL, headers=key)
        other = await http.post("/v1/complaints", json=FULL, headers={"Idempotency-Key": "x-2"})
        reused = await http.post(
            "/v1/complaints", json={**FULL, "description": "something else"}, headers=key
        )
        # the relay publishes after the answers, so wait for it before stopping the app
        published = {(await next_message(copies)).message_id for _ in range(2)}
    assert first.status_code == again.status_code == 202
    assert first.json()["tracking_code"] == again.json()["tracking_code"]
    assert other.json()["tracking_code"] != first.json()["tracking_code"]
    assert reused.status_code == 422
    assert reused.headers["content-type"] == "application/problem+json"
    assert reused.json()["type"].endswith("idempotency-key-reused")
    assert len(await collection(settings, "cases")) == 2
    [record, _] = await collection(settings, "idempotency")
    assert "5b0e2a56" not in str(record) and first.json()["tracking_code"] not in str(record)
    assert len(published) == 2
    assert len(await collection(settings, "outbox")) == 2  # the retry stored no event


async def test_submissions_at_the_same_time_each_get_their_answer(env: Any) -> None:
    # submissions arriving together are stored in one transaction; a repeated key among
    # them makes the round store one at a time, and the retry still gets the first's code
    settings = intake_settings(env)
    key = {"Idempotency-Key": "concurrent-draft-3"}
    async with running(create_app(settings)) as http:
        answers = await asyncio.gather(
            http.post("/v1/complaints", json=FULL, headers=key),
            http.post("/v1/complaints", json=FULL, headers={"Idempotency-Key": "c-1"}),
            http.post("/v1/complaints", json=FULL, headers=key),
            http.post("/v1/complaints", json=FULL),
        )
        assert [a.status_code for a in answers] == [202] * 4
        codes = [a.json()["tracking_code"] for a in answers]
        assert codes[0] == codes[2] and len(set(codes)) == 3
        more = await asyncio.gather(*(http.post("/v1/complaints", json=FULL) for _ in range(5)))
        assert [a.status_code for a in more] == [202] * 5
    assert len(await collection(settings, "cases")) == 8
    assert len(await collection(settings, "outbox")) == 8  # one event per case, none lost


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"village_code": "17020201"}, "village_code"),  # a village of another commune
        ({"village_code": "99999999"}, "village_code"),
        ({"province_code": "12"}, "province_code"),
        ({"district_code": "1701"}, "district_code"),
        ({"service_code": "civil.no_such_thing"}, "service_code"),
        ({"amount_asked_riel": 1000}, "service_code"),  # an amount needs its service
        ({"kind": "service_evaluation"}, "service_rating"),
        ({"about_office_conduct": True}, "about_office_id"),
        ({"contacts": [{"channel": "sms", "address": "call me"}]}, "contacts[0].address"),
        ({"contacts": [{"channel": "fax", "address": "023 123"}]}, "contacts.0.channel"),
        ({"reporter_gender": "unknown"}, "reporter_gender"),
        ({"service_rating": 6}, "service_rating"),
    ],
)
async def test_invalid_fields_are_named_in_the_requesters_language(
    env: Any, change: dict[str, Any], field: str
) -> None:
    settings = intake_settings(env, relay_enabled=False)
    async with running(create_app(settings)) as http:
        km = await http.post("/v1/complaints", json={**VALID, **change})
        en = await http.post(
            "/v1/complaints", json={**VALID, **change}, headers={"Accept-Language": "en-GB"}
        )
    for answer in (km, en):
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert any(e["field"] == field for e in answer.json()["errors"])
    assert en.json()["detail"] == en.json()["detail_en"] != en.json()["detail_km"]
    assert km.json()["detail"] == km.json()["detail_km"]
    assert km.headers["content-language"] == "km" and en.headers["content-language"] == "en"
    assert await collection(settings, "cases") == []


@pytest.mark.parametrize(
    ("kind", "extra"),
    [
        ("complaint", {}),
        ("request_for_help", {}),
        ("request_for_information", {"category": "other"}),
        ("service_evaluation", {"service_code": "civil.birth_certificate", "service_rating": 4}),
        ("suggestion", {"category": "other"}),
    ],
)
async def test_every_kind_of_feedback_is_accepted(
    env: Any, amqp: Any, kind: str, extra: dict[str, Any]
) -> None:
    settings = intake_settings(env)
    copies = await tap(amqp, "complaint.submitted.v1")
    service: Any = bootstrap(settings)  # its ports, as the routes see them
    app = service.app
    async with running(app) as http:
        answer = await http.post("/v1/complaints", json={**VALID, "kind": kind, **extra})
        assert answer.status_code == 202, answer.text
        complaint_id = await complaint_id_of(service, answer.json()["tracking_code"])
        event = await next_event(copies, complaint_id)
    assert event.model_dump()["data"]["kind"] == kind
    if kind == "service_evaluation":
        assert event.model_dump()["data"]["service_rating"] == 4


async def test_khmer_text_is_stored_nfc_normalised(env: Any) -> None:
    settings = intake_settings(env, relay_enabled=False)
    # marks out of canonical order (coeng after a ccc-230 sign) and a decomposed é
    decomposed = "\u1780\u17dd\u17d2\u1780 Cafe\u0301"
    async with running(create_app(settings)) as http:
        answer = await http.post("/v1/complaints", json={**VALID, "description": decomposed})
        assert answer.status_code == 202
    [case] = await collection(settings, "cases")
    assert case["description"] == "\u1780\u17d2\u17dd\u1780 Caf\u00e9"


async def test_catalogue_and_categories_are_listed_in_both_languages(env: Any) -> None:
    settings = intake_settings(env, relay_enabled=False)
    async with running(create_app(settings)) as http:
        services = (await http.get("/v1/services")).json()
        categories = (await http.get("/v1/categories")).json()
        provinces = (await http.get("/v1/places")).json()
        communes = (await http.get("/v1/places", params={"parent": "1702"})).json()
        villages = (await http.get("/v1/places", params={"parent": "170201"})).json()
        unknown = await http.get("/v1/places", params={"parent": "9999"})
    assert len(provinces) == 25
    assert {"code": "170201", "name": {"en": "Chub Ta Trav", "km": "ជប់តាត្រាវ"}} in communes
    assert all(v["code"].startswith("170201") and len(v["code"]) == 8 for v in villages)
    assert unknown.status_code == 404 and unknown.json()["type"].endswith("unknown-place")
    birth = next(s for s in services if s["code"] == "civil.birth_certificate")
    assert birth["name_km"] and birth["name_en"] and birth["official_fee_riel"] == 0
    codes = {c["code"] for c in categories}
    assert {"extra_fee", "delay", "refusal", "rude_conduct", "discrimination"} <= codes
    assert {"absent_official", "corruption", "other"} <= codes
    assert all(c["label"]["km"] and c["label"]["en"] for c in categories)
