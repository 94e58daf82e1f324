"""Intake over HTTP against real RabbitMQ and MongoDB: submission, outbox relay, errors."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from samleng.intake.app import create_app
from samleng.intake.settings import IntakeSettings
from tests.support import eventually, next_message, running, settings_for, tap

pytestmark = pytest.mark.integration

VALID = {
    "kind": "complaint",
    "category": "extra_fee",
    "commune_code": "170201",
    "description": "មន្ត្រីទារប្រាក់លើសពីតម្លៃផ្លូវការ ៥០០០០ រៀល",
}


async def outbox_entries(settings: IntakeSettings) -> list[dict[str, Any]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongo_url.get_secret_value()
    )
    try:
        return await client[settings.mongo_database]["outbox"].find().to_list()
    finally:
        await client.close()


async def stored_cases(settings: IntakeSettings) -> list[dict[str, Any]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongo_url.get_secret_value()
    )
    try:
        return await client[settings.mongo_database]["cases"].find().to_list()
    finally:
        await client.close()


async def test_submission_is_stored_published_and_followable(stack: Any, amqp: Any) -> None:
    settings = settings_for(stack, IntakeSettings, "intake", relay_poll_seconds=0.2)
    copies = await tap(amqp, "complaint.submitted.v1")
    async with running(create_app(settings)) as http:
        answer = await http.post("/v1/complaints", json=VALID, headers={"Accept-Language": "km"})
        assert answer.status_code == 202, answer.text
        code = answer.json()["tracking_code"]
        assert answer.json()["message"]["km"] and answer.json()["message"]["en"]

        entries = await eventually(lambda: _published(settings), timeout=10)
        message = await next_message(copies)
        event = json.loads(message.body)
        assert event["event_id"] == entries[0]["_id"]
        assert event["type"] == "complaint.submitted" and event["sequence"] == 1
        location = event["data"]["location"]
        assert (location["province_code"], location["district_code"]) == ("17", "1702")
        assert location["commune_code"] == "170201"
        assert "description" not in message.body.decode()
        assert message.delivery_mode == 2  # persistent

        case = await http.get(f"/v1/complaints/{code}")
        assert case.status_code == 200
        assert case.json()["status"] == "submitted"
        assert case.json()["timeline"][0]["text"]["km"]

    [doc] = await stored_cases(settings)
    assert code not in json.dumps(doc, default=str)  # only the keyed hash is stored
    assert doc["description"] == VALID["description"]


async def _published(settings: IntakeSettings) -> list[dict[str, Any]] | None:
    entries = await outbox_entries(settings)
    return entries if entries and all(e["published_at"] for e in entries) else None


async def test_a_crash_before_publishing_loses_nothing(stack: Any, amqp: Any) -> None:
    copies = await tap(amqp, "complaint.submitted.v1")
    silent = settings_for(stack, IntakeSettings, "intake", relay_enabled=False)
    async with running(create_app(silent)) as http:
        answer = await http.post("/v1/complaints", json=VALID)
        assert answer.status_code == 202
    # the process "died" after the write and before any publish
    [entry] = await outbox_entries(silent)
    assert entry["published_at"] is None
    await asyncio.sleep(0.5)
    assert await copies.get(fail=False, no_ack=True) is None

    restarted = silent.model_copy(update={"relay_enabled": True, "relay_poll_seconds": 0.2})
    async with running(create_app(restarted)):
        message = await next_message(copies)
        assert json.loads(message.body)["event_id"] == entry["_id"]
        await eventually(lambda: _published(restarted), timeout=10)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**VALID, "kind": "praise"}, "kind"),
        ({k: v for k, v in VALID.items() if k != "category"}, "category"),
        ({**VALID, "commune_code": "17-02"}, "commune_code"),
        ({**VALID, "description": ""}, "description"),
        ({**VALID, "reporter_name": "Sok"}, "reporter_name"),
    ],
)
async def test_bad_bodies_get_problem_json_naming_the_field(
    stack: Any, body: dict[str, Any], field: str
) -> None:
    settings = settings_for(stack, IntakeSettings, "intake", relay_enabled=False)
    async with running(create_app(settings)) as http:
        answer = await http.post("/v1/complaints", json=body)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["status"] == 422 and field in problem["detail"]
    assert any(e["field"] == field for e in problem["errors"])
    assert await stored_cases(settings) == []


async def test_unknown_commune_and_bad_codes_are_explained(stack: Any) -> None:
    settings = settings_for(stack, IntakeSettings, "intake", relay_enabled=False)
    async with running(create_app(settings)) as http:
        unknown = await http.post("/v1/complaints", json={**VALID, "commune_code": "999999"})
        assert unknown.status_code == 422
        assert "gazetteer" in unknown.json()["detail_en"]  # detail itself is in Khmer

        malformed = await http.get("/v1/complaints/NOT-A-CODE")
        assert malformed.status_code == 400
        assert malformed.headers["content-type"] == "application/problem+json"
        assert "17 characters" in malformed.json()["detail_en"]

        missing = await http.get("/v1/complaints/0000-0000-0000-0000-0")
        assert missing.status_code == 404
        assert missing.json()["type"].endswith("case-not-found")

        not_json = await http.post(
            "/v1/complaints", content=b"{", headers={"content-type": "application/json"}
        )
        assert not_json.status_code == 422
        assert not_json.headers["content-type"] == "application/problem+json"


async def test_health_and_readiness(stack: Any) -> None:
    settings = settings_for(stack, IntakeSettings, "intake", relay_enabled=False)
    async with running(create_app(settings)) as http:
        assert (await http.get("/healthz")).json() == {"status": "ok"}
        ready = await http.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"broker": True, "mongodb": True}
