"""Contacts a citizen leaves, over real HTTP, MongoDB and RabbitMQ: phone numbers parsed
as phone numbers (Khmer digits too), patterns applied, every contact counted once, and a
bad one refused with a bilingual 422 that names the field."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.fernet import Fernet

from samleng.intake.app import bootstrap
from services.intake.tests.integration.citizen.helpers import next_event
from services.intake.tests.integration.citizen.test_citizen_submission import complaint_id_of
from services.intake.tests.integration.shared import VALID, intake_settings
from tests.support import running, tap

pytestmark = pytest.mark.integration


async def test_one_number_written_three_ways_is_one_contact(env: Any, amqp: Any) -> None:
    settings = intake_settings(env)
    copies = await tap(amqp, "complaint.submitted.v1")
    body = {
        **VALID,
        "contacts": [
            {"channel": "sms", "address": "+855 012 345 678"},  # the trunk 0 kept by mistake
            {"channel": "sms", "address": "០១២ ៣៤៥ ៦៧៨"},  # Khmer digits
            {"channel": "sms", "address": "012-345-678"},
        ],
    }
    service: Any = bootstrap(settings)
    async with running(service.app) as http:
        answer = await http.post("/v1/complaints", json=body)
        assert answer.status_code == 202, answer.text
        complaint_id = await complaint_id_of(service, answer.json()["tracking_code"])
        event = await next_event(copies, complaint_id)
    fernet = Fernet(env.stack.secrets["SAMLENG_CONTACT_SEALING_KEY"].encode())
    sealed = event.model_dump()["data"]["contacts"]
    opened = [fernet.decrypt(c["ciphertext"].encode()).decode() for c in sealed]
    assert opened == ["+85512345678"]


@pytest.mark.parametrize(
    ("contacts", "field"),
    [
        ([{"channel": "sms", "address": "+85500000000"}], "contacts[0].address"),
        ([{"channel": "sms", "address": "097 12"}], "contacts[0].address"),
        ([{"channel": "sms", "address": "phone me"}], "contacts[0].address"),
        ([{"channel": "sms", "address": "023 123 456"}], "contacts[0].address"),  # a desk phone
        (
            [{"channel": "sms", "address": "012345678"}, {"channel": "email", "address": "a@b"}],
            "contacts[1].address",
        ),
        ([{"channel": "email", "address": "two@at@example.org"}], "contacts[0].address"),
        ([{"channel": "telegram", "address": "@abc"}], "contacts[0].address"),
        ([{"channel": "telegram", "address": "sok dara"}], "contacts[0].address"),
    ],
)
async def test_a_contact_that_cannot_be_reached_is_refused_with_422(
    env: Any, contacts: list[dict[str, str]], field: str
) -> None:
    async with running(bootstrap(intake_settings(env)).app) as http:
        english = await http.post(
            "/v1/complaints",
            json={**VALID, "contacts": contacts},
            headers={"Accept-Language": "en"},
        )
        khmer = await http.post("/v1/complaints", json={**VALID, "contacts": contacts})
    for answer in (english, khmer):
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        problem = answer.json()
        assert [e["field"] for e in problem["errors"]] == [field]
        assert field in problem["detail_en"] and field in problem["detail_km"]
    assert english.json()["detail"] == english.json()["detail_en"]
    assert khmer.json()["detail"] == khmer.json()["detail_km"]
    # the refusal names the field, never echoes what was typed
    assert contacts[-1]["address"] not in english.text


async def test_an_open311_phone_that_cannot_exist_is_refused_naming_phone(env: Any) -> None:
    body = {
        "service_code": "civil.birth_certificate",
        "description": "គេទារប្រាក់ ២០០០០ រៀល",
        "attribute[category]": "extra_fee",
        "address_id": "17020101",
        "phone": "+85500000000",
    }
    async with running(bootstrap(intake_settings(env, relay_enabled=False)).app) as http:
        answer = await http.post("/open311/v2/requests.json", data=body)
    assert answer.status_code == 400, answer.text
    [error] = answer.json()
    assert error["description"].startswith("phone: phone (sms) must be a mobile phone number")
