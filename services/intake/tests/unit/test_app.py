"""``bootstrap`` with in-memory ports: the routes reach them through ``service_of`` alone."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import httpx
import pytest

from samleng.intake.app import bootstrap
from samleng.intake.ports import IntakePorts
from services.intake.tests.unit.fakes import CountingRelay, InMemoryCases, fake_ports

pytestmark = pytest.mark.unit

VALID = {
    "kind": "complaint",
    "category": "extra_fee",
    "commune_code": "170201",
    "description": "មន្ត្រីទារប្រាក់លើសពីតម្លៃផ្លូវការ",
}


def as_overrides(ports: IntakePorts) -> dict[str, Any]:
    return {f.name: getattr(ports, f.name) for f in fields(ports) if f.name != "settings"}


def client(app: Any) -> httpx.AsyncClient:
    """An HTTP client of the app without its lifespan: nothing connects."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_a_citizen_submits_and_follows_a_case_on_in_memory_ports() -> None:
    ports = fake_ports()
    service = bootstrap(ports.settings, **as_overrides(ports))
    assert service.ports == ports
    async with client(service.app) as http:
        answer = await http.post("/v1/complaints", json=VALID)
        assert answer.status_code == 202, answer.text
        code = answer.json()["tracking_code"]
        followed = await http.get(f"/v1/complaints/{code}", headers={"Accept-Language": "en"})
        missing = await http.get("/v1/complaints/" + "2" * 16 + "X")
    assert followed.status_code == 200 and followed.json()["status"] == "submitted"
    assert missing.status_code == 400 and missing.json()["detail"] == missing.json()["detail_km"]
    assert isinstance(ports.cases, InMemoryCases) and len(ports.cases.outbox) == 1
    assert isinstance(ports.relay, CountingRelay) and ports.relay.woken == 1


async def test_officer_routes_answer_503_in_the_requesters_language_without_sign_in() -> None:
    ports = fake_ports()
    service = bootstrap(ports.settings, **as_overrides(ports))
    async with client(service.app) as http:
        answer = await http.get("/v1/officer/inbox", headers={"Accept-Language": "km"})
    assert answer.status_code == 503
    body = answer.json()
    assert body["type"].endswith("officer-sign-in-not-configured")
    assert body["detail"] == body["detail_km"] != body["detail_en"]
    assert answer.headers["content-language"] == "km"


def test_an_unknown_port_is_refused() -> None:
    ports = fake_ports()
    with pytest.raises(TypeError, match="no port"):
        bootstrap(ports.settings, case_store=InMemoryCases())
