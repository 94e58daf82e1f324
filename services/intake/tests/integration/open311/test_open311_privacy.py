"""What the public Open311 listing must never show: officers' words, exact times, and
complaints about an office's own officials."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from samleng.intake.app import bootstrap
from samleng.intake.domain import officer
from samleng.intake.domain.tracking import TrackingCode
from services.intake.tests.integration.citizen.helpers import assigned_after
from services.intake.tests.integration.shared import VALID, intake_settings
from tests.support import eventually, publish_event, running

pytestmark = pytest.mark.integration

BASE = "/open311/v2"
NOTE = "Refunded the 50000 riel to Ms Sokha of Phum Thmei"


async def test_public_requests_hide_notes_times_and_conduct_complaints(env: Any, amqp: Any) -> None:
    settings = intake_settings(env, relay_enabled=False)
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

        async def routed() -> bool:
            stored = [await service.ports.cases.get(i) for i in ids]
            return all(c is not None and c.office is not None for c in stored)

        await eventually(routed)
        case = await service.ports.cases.get(plain)
        actor = officer.Actor(role="officer", office_id=case.office.office_id)
        resolved, event = officer.resolve(case, NOTE, actor, datetime.now(UTC))
        await service.ports.cases.save_with_event(resolved, event)

        listed = (await http.get(f"{BASE}/requests.json")).json()
        one = (await http.get(f"{BASE}/requests/{plain}.json")).json()[0]
        hidden = await http.get(f"{BASE}/requests/{conduct}.json")
    assert [r["service_request_id"] for r in listed] == [plain]
    assert NOTE not in str(listed) and NOTE not in str(one)
    assert one["status_notes"] == "ការិយាល័យបានដោះស្រាយ៖ សូមបញ្ជាក់ ឬប្តឹងឧទ្ធរណ៍ប្រសិនបើមិនទាន់ដោះស្រាយ"
    for field in ("requested_datetime", "updated_datetime"):
        assert one[field].endswith("T00:00:00+00:00")
    assert hidden.status_code == 404
