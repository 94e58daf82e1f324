"""Open311 POST requests: a location by name or by point, and retries with Idempotency-Key."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from samleng.intake.app import create_app
from services.intake.tests.integration.citizen.helpers import collection
from services.intake.tests.integration.shared import intake_settings
from tests.support import running

pytestmark = pytest.mark.integration

BASE = "/open311/v2"
TWO_SQUARES = Path(__file__).parents[2] / "unit" / "open311" / "two_communes.geojson"
REQUEST = {
    "service_code": "civil.birth_certificate",
    "description": "គេទារប្រាក់ ២០០០០ រៀល",
    "attribute[category]": "extra_fee",
}


async def _communes(settings: Any) -> list[str]:
    return [case["location"]["commune_code"] for case in await collection(settings, "cases")]


async def test_an_address_string_in_khmer_or_romanised_names_a_commune(env: Any) -> None:
    settings = intake_settings(env, relay_enabled=False)
    async with running(create_app(settings)) as http:
        answers = [
            await http.post(f"{BASE}/requests.json", data={**REQUEST, "address_string": address})
            for address in ("Chub Ta Trav, Angkor Thum, Siem Reap", "ឃុំស្វាយចេក ស្រុកអង្គរធំ")
        ]
    for answer in answers:
        assert answer.status_code == 200, answer.text
    assert sorted(await _communes(settings)) == ["170201", "170204"]


async def test_lat_long_is_the_commune_of_the_installed_boundary_layer(env: Any) -> None:
    settings = intake_settings(env, relay_enabled=False, open311_commune_boundaries=TWO_SQUARES)
    async with running(create_app(settings)) as http:
        inside = await http.post(
            f"{BASE}/requests.xml", data={**REQUEST, "lat": "13.45", "long": "103.95"}
        )
        outside = await http.post(
            f"{BASE}/requests.xml", data={**REQUEST, "lat": "11.55", "long": "104.92"}
        )
        nonsense = await http.post(
            f"{BASE}/requests.json", data={**REQUEST, "lat": "nan", "long": "103.95"}
        )
    assert inside.status_code == 200, inside.text
    assert "<service_requests><request><service_request_id>" in inside.text
    assert await _communes(settings) == ["170204"]  # the point itself is not stored
    assert "13.45" not in str(await collection(settings, "cases"))
    assert outside.status_code == 400 and "<errors><error><code>400</code>" in outside.text
    assert "address_id" in outside.text and "no commune" in outside.text
    assert nonsense.status_code == 400 and "lat must be" in nonsense.text


async def test_without_a_boundary_layer_lat_long_names_address_id(env: Any) -> None:
    settings = intake_settings(env, relay_enabled=False)
    async with running(create_app(settings)) as http:
        answer = await http.post(
            f"{BASE}/requests.json", data={**REQUEST, "lat": "13.45", "long": "103.95"}
        )
    assert answer.status_code == 400
    [error] = answer.json()
    assert "boundary layer" in error["description"] and "address_id" in error["description"]


async def test_a_retry_with_the_same_idempotency_key_answers_the_same_token(env: Any) -> None:
    settings = intake_settings(env, relay_enabled=False)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {**REQUEST, "address_id": "17020101", "phone": "012 345 678"}
    async with running(create_app(settings)) as http:
        first = await http.post(f"{BASE}/requests.json", data=body, headers=key)
        again = await http.post(f"{BASE}/requests.json", data=body, headers=key)
        other = await http.post(
            f"{BASE}/requests.json", data={**body, "description": "ផ្សេង"}, headers=key
        )
        too_long = await http.post(
            f"{BASE}/requests.json", data=body, headers={"Idempotency-Key": "k" * 256}
        )
    assert first.status_code == again.status_code == 200, (first.text, again.text)
    assert again.json() == first.json()
    assert len(await collection(settings, "cases")) == 1
    assert other.status_code == 422 and "Idempotency-Key" in other.json()[0]["description"]
    assert too_long.status_code == 400 and "Idempotency-Key" in too_long.text


async def test_an_unreadable_boundary_layer_is_a_503_naming_address_id(
    env: Any, tmp_path: Path
) -> None:
    broken = tmp_path / "communes.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    settings = intake_settings(env, relay_enabled=False, open311_commune_boundaries=broken)
    async with running(create_app(settings)) as http:
        answer = await http.post(
            f"{BASE}/requests.json", data={**REQUEST, "lat": "13.45", "long": "103.95"}
        )
    assert answer.status_code == 503, answer.text
    assert "address_id" in answer.json()[0]["description"]
