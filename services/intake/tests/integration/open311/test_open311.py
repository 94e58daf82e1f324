"""An Open311 GeoReport v2 client flow against intake, over real HTTP, MongoDB and RabbitMQ."""

from __future__ import annotations

from typing import Any

import pytest

from samleng.intake.app import create_app
from samleng.intake.open311.disclosure import api_key_digest
from services.intake.tests.integration.citizen.helpers import assigned_after, collection, next_event
from services.intake.tests.integration.shared import intake_settings
from tests.support import eventually, publish_event, running, tap

pytestmark = pytest.mark.integration

BASE = "/open311/v2"


async def test_open311_client_flow(env: Any, amqp: Any) -> None:
    settings = intake_settings(env)
    copies = await tap(amqp, "complaint.submitted.v1")
    async with running(create_app(settings)) as http:
        services = (await http.get(f"{BASE}/services.json")).json()
        service = next(s for s in services if s["service_code"] == "civil.birth_certificate")
        assert service["metadata"] is True and service["type"] == "realtime"
        assert {"service_code", "service_name", "description", "keywords", "group"} <= set(service)

        definition = (await http.get(f"{BASE}/services/civil.birth_certificate.json")).json()
        assert definition["service_code"] == "civil.birth_certificate"
        codes = {a["code"]: a for a in definition["attributes"]}
        assert codes["category"]["required"] is True
        assert {v["key"] for v in codes["kind"]["values"]} >= {"complaint", "suggestion"}

        created = await http.post(
            f"{BASE}/requests.json",
            data={
                "service_code": "civil.birth_certificate",
                "address_id": "17020101",
                "description": "គេទារប្រាក់ ២០០០០ រៀល",
                "attribute[category]": "extra_fee",
                "attribute[amount_asked_riel]": "20000",
                "email": "sok.dara@example.org",
                "first_name": "Sok",
                "last_name": "Dara",
                "device_id": "phone-imei-3556",
            },
        )
        assert created.status_code == 200, created.text
        [receipt] = created.json()
        token, request_id = receipt["token"], receipt["service_request_id"]
        event = await next_event(copies, request_id)
        data = event.model_dump()["data"]
        assert data["channel"] == "open311" and data["location"]["village_code"] == "17020101"
        assert (data["amount_asked_riel"], data["official_fee_riel"]) == (20000, 0)
        assert [c["channel"] for c in data["contacts"]] == ["email"]

        by_token = (await http.get(f"{BASE}/tokens/{token}.json")).json()
        assert by_token == [{"service_request_id": request_id, "token": token}]

        await publish_event(amqp, assigned_after(1, request_id))
        one = await eventually(lambda: _assigned(http, request_id))
        assert one["status"] == "open" and one["service_code"] == "civil.birth_certificate"
        assert one["agency_responsible"] == "Chub Ta Trav commune/sangkat office"
        assert one["description"] is None and one["lat"] is None  # nothing that could identify

        mine = {"service_request_id": request_id}
        listed = (await http.get(f"{BASE}/requests.json", params={**mine, "status": "open"})).json()
        assert [r["service_request_id"] for r in listed] == [request_id]
        none_closed = await http.get(f"{BASE}/requests.json", params={**mine, "status": "closed"})
        assert none_closed.json() == []
        km = (
            await http.get(f"{BASE}/requests/{request_id}.json", headers={"Accept-Language": "km"})
        ).json()[0]
        assert km["agency_responsible"] == "រដ្ឋបាលឃុំ/សង្កាត់ ជប់តាត្រាវ"

        # the tracking code works on the native API too
        native = await http.get(f"/v1/complaints/{token}")
        assert native.status_code == 200

    dump = str(await collection(settings, "cases"))
    for secret in ("Sok", "Dara", "phone-imei", "sok.dara"):
        assert secret not in dump


async def _assigned(http: Any, request_id: str) -> dict[str, Any] | None:
    answer = await http.get(f"{BASE}/requests/{request_id}.json", headers={"Accept-Language": "en"})
    [request] = answer.json()
    return request if request["agency_responsible"] else None


@pytest.mark.parametrize(
    ("method", "path", "data", "status", "words"),
    [
        ("GET", "/services.csv", None, 400, ".json or .xml"),
        ("GET", "/services/civil.nothing.json", None, 404, "catalogue"),
        ("GET", "/requests/no-such-id.json", None, 404, "no request"),
        ("GET", "/tokens/0000-0000-0000-0000-1.json", None, 400, "check character"),
        ("GET", "/requests.json?start_date=yesterday", None, 400, "start_date"),
        ("GET", "/requests.json", None, 403, "api_key"),
        ("GET", "/requests.json?api_key=guessed", None, 403, "not registered"),
        (
            "POST",
            "/requests.json",
            {"service_code": "civil.birth_certificate", "lat": "11.5"},
            400,
            "address_id",
        ),
        (
            "POST",
            "/requests.json",
            {"service_code": "civil.birth_certificate", "address_string": "Samraong"},
            400,
            "several communes",
        ),
        (
            "POST",
            "/requests.json",
            {"service_code": "civil.birth_certificate", "address_string": "Atlantis"},
            400,
            "address_id",
        ),
        (
            "POST",
            "/requests.json",
            {"service_code": "civil.birth_certificate", "address_id": "១៧០២០១"},
            400,
            "address_id",
        ),
        (
            "POST",
            "/requests.json",
            {"service_code": "civil.birth_certificate", "lat": "11.5", "long": "104.9"},
            400,
            "address_id",
        ),
        (
            "POST",
            "/requests.json",
            {"service_code": "civil.birth_certificate", "address_id": "170201", "description": "x"},
            400,
            "category",
        ),
        (
            "POST",
            "/requests.json",
            {
                "service_code": "civil.birth_certificate",
                "address_id": "999999",
                "description": "x",
                "attribute[category]": "delay",
            },
            400,
            "gazetteer",
        ),
    ],
)
async def test_open311_errors_have_the_specs_shape(
    env: Any, method: str, path: str, data: dict[str, str] | None, status: int, words: str
) -> None:
    settings = intake_settings(env, relay_enabled=False)
    async with running(create_app(settings)) as http:
        answer = await http.request(method, f"{BASE}{path}", data=data)
    assert answer.status_code == status, answer.text
    [error] = answer.json()
    assert error["code"] == status and words in error["description"]


@pytest.mark.parametrize(
    "query",
    [
        "start_date=0001-01-01T00:00:00%2B14:00",
        "end_date=9999-12-31T23:59:59-14:00",
        "start_date=0001-01-01T00:00:00Z&end_date=9999-12-31T23:59:59Z",
        "start_date=9999-12-31T23:59:59Z",
    ],
)
async def test_extreme_dates_are_answered_not_a_500(env: Any, query: str) -> None:
    settings = intake_settings(
        env, relay_enabled=False, open311_api_keys=(api_key_digest("partner"),)
    )
    async with running(create_app(settings)) as http:
        answer = await http.get(f"{BASE}/requests.json?api_key=partner&{query}")
        by_id = await http.get(f"{BASE}/requests.xml?service_request_id=x&{query}")
    assert answer.status_code == 200, answer.text
    assert answer.json() == []
    assert by_id.status_code == 200, by_id.text
