"""What the public Open311 views must never show: the lone case of a small commune, officers'
words, exact times, and complaints about an office's own officials (issue 13, item 2)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from samleng.common.events import OfficeRef
from samleng.intake.app import bootstrap
from samleng.intake.domain import officer
from samleng.intake.domain.tracking import TrackingCode
from samleng.intake.open311.disclosure import api_key_digest
from services.intake.tests.integration.citizen.helpers import assigned_after
from services.intake.tests.integration.shared import OFFICE, VALID, intake_settings
from tests.support import eventually, publish_event, running

pytestmark = pytest.mark.integration

BASE = "/open311/v2"
NOTE = "Refunded the 50000 riel to Ms Sokha of Phum Thmei"
PARTNER_KEY = "partner-7f3c2a"  # a civil-society partner's registered key
QUIET = OfficeRef(
    office_id="commune:170204",
    level="commune",
    kind="commune_office",
    name_en="Svay Chek commune/sangkat office",
    name_km="រដ្ឋបាលឃុំ/សង្កាត់ ស្វាយចេក",
)


async def _submit(http: Any, service: Any, amqp: Any, office: OfficeRef, **extra: Any) -> str:
    """A citizen's case, assigned by routing to ``office``; its id."""
    body = {**VALID, "commune_code": office.office_id.split(":")[1], **extra}
    answer = await http.post("/v1/complaints", json=body)
    assert answer.status_code == 202, answer.text
    code = TrackingCode.parse(answer.json()["tracking_code"])
    case = await service.ports.cases.by_code_hash(service.ports.keys.hasher.hash(code))
    assigned = assigned_after(1, case.complaint_id)
    data = assigned.data.model_copy(update={"office": office})
    await publish_event(amqp, assigned.model_copy(update={"data": data}))
    return str(case.complaint_id)


async def _routed(service: Any, ids: list[str]) -> None:
    async def all_routed() -> bool:
        stored = [await service.ports.cases.get(i) for i in ids]
        return all(c is not None and c.office is not None for c in stored)

    await eventually(all_routed)


async def test_the_lone_case_of_a_commune_is_not_revealed(env: Any, amqp: Any) -> None:
    """Five cases of a busy commune and the only case of a quiet one, this month."""
    settings = intake_settings(
        env, relay_enabled=False, open311_api_keys=(api_key_digest(PARTNER_KEY),)
    )
    assert settings.small_cell_threshold == 5  # reporting's k
    service: Any = bootstrap(settings)
    async with running(service.app) as http:
        crowd = [await _submit(http, service, amqp, OFFICE) for _ in range(5)]
        lone = await _submit(http, service, amqp, QUIET)
        await _routed(service, [*crowd, lone])

        anonymous = [
            await http.get(f"{BASE}/requests.{fmt}", params=params)
            for fmt in ("json", "xml")
            for params in (
                {},
                {"status": "open"},
                {"status": "open,closed", "start_date": "2000-01-01T00:00:00Z"},
            )
        ]
        partner = await http.get(f"{BASE}/requests.json", params={"api_key": PARTNER_KEY})
        partner_xml = await http.get(f"{BASE}/requests.xml", params={"api_key": PARTNER_KEY})
        # the submitter, who holds the id, still follows their own request
        own = await http.get(f"{BASE}/requests/{lone}.json")

    for answer in anonymous:
        assert lone not in answer.text and "170204" not in answer.text
        assert "Svay Chek" not in answer.text and "ស្វាយចេក" not in answer.text
        assert answer.status_code == 403 and "api_key" in answer.text
    assert anonymous[3].text.startswith("<?xml") and "<errors><error><code>403" in anonymous[3].text
    assert partner.status_code == 200, partner.text
    assert sorted(r["service_request_id"] for r in partner.json()) == sorted(crowd)
    assert lone not in partner.text and "Svay Chek" not in partner.text
    assert lone not in partner_xml.text and partner_xml.text.count("<request>") == 5
    month = datetime.now(UTC).strftime("%Y-%m-01T00:00:00+00:00")
    assert {r["requested_datetime"] for r in partner.json()} == {month}
    assert own.status_code == 200 and own.json()[0]["service_request_id"] == lone


async def test_public_requests_hide_notes_times_and_conduct_complaints(env: Any, amqp: Any) -> None:
    # k = 1 here, so that only the conduct rule and the coarse times can hide anything
    settings = intake_settings(
        env,
        relay_enabled=False,
        small_cell_threshold=1,
        open311_api_keys=(api_key_digest(PARTNER_KEY),),
    )
    service: Any = bootstrap(settings)  # its ports, as the routes see them
    app = service.app
    async with running(app) as http:
        ids = []
        for extra in ({}, {"about_office_id": "commune:170201", "about_office_conduct": True}):
            answer = await http.post("/v1/complaints", json={**VALID, **extra})
            assert answer.status_code == 202, answer.text
            code = TrackingCode.parse(answer.json()["tracking_code"])
            case = await service.ports.cases.by_code_hash(service.ports.keys.hasher.hash(code))
            ids.append(case.complaint_id)
            await publish_event(amqp, assigned_after(1, case.complaint_id))
        plain, conduct = ids
        await _routed(service, ids)
        case = await service.ports.cases.get(plain)
        actor = officer.Actor(role="officer", office_id=case.office.office_id)
        resolved, event = officer.resolve(case, NOTE, actor, datetime.now(UTC))
        await service.ports.cases.save_with_event(resolved, event)

        listed = (await http.get(f"{BASE}/requests.json", params={"api_key": PARTNER_KEY})).json()
        by_ids = await http.get(
            f"{BASE}/requests.json", params={"service_request_id": ",".join(ids)}
        )
        one = (await http.get(f"{BASE}/requests/{plain}.json")).json()[0]
        hidden = await http.get(f"{BASE}/requests/{conduct}.json")
        hidden_xml = await http.get(f"{BASE}/requests/{conduct}.xml")
    assert [r["service_request_id"] for r in listed] == [plain]
    assert [r["service_request_id"] for r in by_ids.json()] == [plain]
    assert NOTE not in str(listed) and NOTE not in str(one)
    assert one["status_notes"] == "ការិយាល័យបានដោះស្រាយ៖ សូមបញ្ជាក់ ឬប្តឹងឧទ្ធរណ៍ប្រសិនបើមិនទាន់ដោះស្រាយ"
    month = datetime.now(UTC).strftime("%Y-%m-01T00:00:00+00:00")
    for field in ("requested_datetime", "updated_datetime"):
        assert one[field] == month
    assert hidden.status_code == 404
    assert hidden_xml.status_code == 404 and "<errors><error><code>404</code>" in hidden_xml.text
