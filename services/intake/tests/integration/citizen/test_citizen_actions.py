"""What a citizen does with the tracking code, over real HTTP, MongoDB and RabbitMQ.

Routing's events arrive through the broker or straight through intake's handler table; an
officer's question and resolution are made with the commands the officer API runs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from samleng.common.events import (
    ComplaintClosed,
    ComplaintEscalated,
    ComplaintForwarded,
    ComplaintRated,
    ComplaintReopened,
    ComplaintWithdrawn,
    EscalatedData,
    InformationProvided,
    InformationRequested,
    MovedData,
    OfficeRef,
)
from samleng.intake.app import bootstrap
from samleng.intake.domain.tracking import TrackingCode
from samleng.intake.handlers import on_assigned
from services.intake.tests.integration.citizen.helpers import (
    ask,
    assigned_after,
    next_event,
    resolve,
)
from services.intake.tests.integration.shared import OFFICE, VALID, intake_settings
from tests.support import eventually, publish_event, running, tap

pytestmark = pytest.mark.integration

DISTRICT = OfficeRef(
    office_id="district:1702",
    level="district",
    kind="district_ombudsman",
    name_en="Kampong Siem district ombudsman",
    name_km="អង្គភាពទទួលពាក្យបណ្តឹងស្រុកកំពង់សៀម",
)


async def submit(http: Any, service: Any) -> tuple[str, str]:
    answer = await http.post("/v1/complaints", json=VALID)
    assert answer.status_code == 202, answer.text
    code = answer.json()["tracking_code"]
    case = await service.ports.cases.by_code_hash(
        service.ports.keys.hasher.hash(TrackingCode.parse(code))
    )
    return code, case.complaint_id


async def view(http: Any, code: str, lang: str = "en") -> dict[str, Any]:
    answer = await http.get(f"/v1/complaints/{code}", headers={"Accept-Language": lang})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def test_question_answer_and_added_information(env: Any, amqp: Any) -> None:
    settings = intake_settings(env)
    service: Any = bootstrap(settings)  # its ports, as the routes see them
    app = service.app
    provided = await tap(amqp, "complaint.information_provided.v1")
    requested = await tap(amqp, "complaint.information_requested.v1")
    async with running(app) as http:
        code, complaint_id = await submit(http, service)
        await publish_event(amqp, assigned_after(1, complaint_id))
        await eventually(lambda: _status(http, code, "assigned"))

        await ask(service.ports.cases, complaint_id, "តើគេទារប្រាក់ប៉ុន្មាន?")
        asked = await view(http, code)
        assert asked["status"] == "information_requested"
        [question] = asked["questions"]
        assert question["text"] == "តើគេទារប្រាក់ប៉ុន្មាន?" and not question["answered"]
        assert "answer" in asked["actions"]
        ask_event = await next_event(requested, complaint_id)
        assert isinstance(ask_event, InformationRequested) and ask_event.sequence == 3

        answer = await http.post(
            f"/v1/complaints/{code}/answers",
            json={"question_id": question["question_id"], "text": "៥០០០០ រៀល"},
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == "acknowledged"
        assert answer.json()["questions"][0]["answered"]
        again = await http.post(
            f"/v1/complaints/{code}/answers",
            json={"question_id": question["question_id"], "text": "again"},
        )
        assert again.status_code == 409 and again.json()["type"].endswith("already-answered")

        more = await http.post(f"/v1/complaints/{code}/information", json={"text": "បន្ថែម"})
        assert more.status_code == 200
        assert more.json()["timeline"][-1]["text"]["km"] == "អ្នកបានបន្ថែមព័ត៌មាន។"

        first = await next_event(provided, complaint_id)
        second = await next_event(provided, complaint_id)
        assert isinstance(first, InformationProvided) and isinstance(second, InformationProvided)
        assert (first.sequence, second.sequence) == (4, 5)
        assert first.data.office_id == OFFICE.office_id
        assert "៥០០០០" not in first.model_dump_json()  # the answer's text stays in intake


async def _status(http: Any, code: str, status: str) -> bool:
    return (await view(http, code))["status"] == status


async def test_the_citizen_sees_where_the_case_went_and_why(env: Any, amqp: Any) -> None:
    settings = intake_settings(env)
    service: Any = bootstrap(settings)  # its ports, as the routes see them
    app = service.app
    async with running(app) as http:
        code, complaint_id = await submit(http, service)
        assigned = assigned_after(1, complaint_id)
        moved = MovedData(
            from_office=OFFICE,
            to_office=DISTRICT,
            reason_en="the complaint is about the commune's own officials",
            reason_km="ពាក្យបណ្តឹងទាក់ទងនឹងមន្ត្រីឃុំផ្ទាល់",
            rule="conflict-of-interest",
            directory_version="test",
        )
        escalated = ComplaintEscalated.caused_by(
            assigned,
            producer="routing",
            data=EscalatedData(**moved.model_dump(), trigger="resolution_overdue"),
        )
        forwarded = ComplaintForwarded.caused_by(escalated, producer="routing", data=moved)
        # out of order on purpose: the newest event arrives first
        for event in (forwarded, assigned, escalated, escalated):
            await publish_event(amqp, event)
        case = await eventually(lambda: _timeline_of_length(http, code, 4))
        km = await view(http, code, "km")

    assert case["status"] == "assigned"
    assert case["office"]["name_en"] == DISTRICT.name_en
    texts = [e["text"]["en"] for e in case["timeline"]]
    assert texts[1].startswith("Assigned to Chub Ta Trav")
    assert texts[2].startswith("Escalated one level up: Kampong Siem district ombudsman")
    assert "Why: the complaint is about the commune's own officials" in texts[3]
    assert "ពាក្យបណ្តឹងទាក់ទងនឹងមន្ត្រីឃុំផ្ទាល់" in km["timeline"][3]["text"]["km"]
    assert "officer" not in str(case).lower()  # no officer identities in the view


async def _timeline_of_length(http: Any, code: str, length: int) -> dict[str, Any] | None:
    case = await view(http, code)
    return case if len(case["timeline"]) == length else None


async def test_confirm_rate_and_the_closing_events(env: Any, amqp: Any) -> None:
    settings = intake_settings(env)
    service: Any = bootstrap(settings)  # its ports, as the routes see them
    app = service.app
    closed = await tap(amqp, "complaint.closed.v1")
    rated = await tap(amqp, "complaint.rated.v1")
    async with running(app) as http:
        code, complaint_id = await submit(http, service)
        early = await http.post(f"/v1/complaints/{code}/confirmation")
        assert early.status_code == 409 and early.json()["type"].endswith("not-resolved")
        assert early.json()["detail"] == early.json()["detail_km"]

        await on_assigned(assigned_after(1, complaint_id), service.ports)
        await resolve(service.ports.cases, complaint_id)
        resolved = await view(http, code)
        assert resolved["status"] == "resolved"
        assert {"confirm", "reopen", "appeal", "rate"} <= set(resolved["actions"])
        assert resolved["reopen_until"] is not None

        confirmed = await http.post(f"/v1/complaints/{code}/confirmation")
        assert confirmed.status_code == 200 and confirmed.json()["status"] == "closed"
        rating = await http.post(f"/v1/complaints/{code}/rating", json={"rating": 4})
        assert rating.status_code == 200 and rating.json()["rating"] == 4
        twice = await http.post(f"/v1/complaints/{code}/rating", json={"rating": 5})
        assert twice.status_code == 409
        out_of_range = await http.post(f"/v1/complaints/{code}/rating", json={"rating": 9})
        assert out_of_range.status_code == 422

        close = await next_event(closed, complaint_id)
        rate = await next_event(rated, complaint_id)
    assert isinstance(close, ComplaintClosed) and close.data.how == "confirmed_by_citizen"
    assert close.sequence == 4 and close.data.office_id == OFFICE.office_id
    assert isinstance(rate, ComplaintRated) and rate.data.rating == 4 and rate.sequence == 5


async def test_appeal_within_the_period_and_not_after(env: Any, amqp: Any) -> None:
    settings = intake_settings(env, reopen_period_days=7)
    service: Any = bootstrap(settings)  # its ports, as the routes see them
    app = service.app
    reopened = await tap(amqp, "complaint.reopened.v1")
    async with running(app) as http:
        code, complaint_id = await submit(http, service)
        await on_assigned(assigned_after(1, complaint_id), service.ports)
        await resolve(service.ports.cases, complaint_id)
        appeal = await http.post(f"/v1/complaints/{code}/reopening", json={"appeal": True})
        assert appeal.status_code == 200, appeal.text
        assert appeal.json()["status"] == "reopened"
        event = await next_event(reopened, complaint_id)
        assert isinstance(event, ComplaintReopened)
        assert event.data.appeal and event.data.by.role == "citizen" and event.sequence == 4

        # a second resolution, answered long ago: the period is over
        await resolve(service.ports.cases, complaint_id, at=datetime.now(UTC) - timedelta(days=8))
        late = await http.post(f"/v1/complaints/{code}/reopening", json={"appeal": False})
        assert late.status_code == 409
        assert late.json()["type"].endswith("appeal-period-over")
        assert "7" in late.json()["detail_en"]
        assert "reopen" not in (await view(http, code))["actions"]


async def test_withdraw_is_final_even_if_routing_acts_later(env: Any, amqp: Any) -> None:
    settings = intake_settings(env)
    service: Any = bootstrap(settings)  # its ports, as the routes see them
    app = service.app
    withdrawn = await tap(amqp, "complaint.withdrawn.v1")
    async with running(app) as http:
        code, complaint_id = await submit(http, service)
        out = await http.post(f"/v1/complaints/{code}/withdrawal")
        assert out.status_code == 200 and out.json()["status"] == "withdrawn"
        assert out.json()["actions"] == []
        event = await next_event(withdrawn, complaint_id)
        assert isinstance(event, ComplaintWithdrawn) and event.sequence == 2

        late_assignment = assigned_after(1, complaint_id).model_copy(update={"sequence": 3})
        await publish_event(amqp, late_assignment)
        case = await eventually(lambda: _timeline_of_length(http, code, 3))
        assert case["status"] == "withdrawn"
        again = await http.post(f"/v1/complaints/{code}/withdrawal")
        assert again.status_code == 409
        info = await http.post(f"/v1/complaints/{code}/information", json={"text": "x"})
        assert info.status_code == 409 and info.json()["type"].endswith("case-not-open")


async def test_a_replica_folding_into_the_case_it_stored_last_loses_to_a_newer_save(
    env: Any,
) -> None:
    # two replicas on one database: the first keeps the case it stored at submission,
    # the second assigns it meanwhile; the first's next fold must start from the stored case
    settings = intake_settings(env)
    first: Any = bootstrap(settings)
    second: Any = bootstrap(settings)
    async with running(first.app) as http, running(second.app):
        _, complaint_id = await submit(http, first)
        assignment = assigned_after(1, complaint_id)
        await on_assigned(assignment, second.ports)
        moved = assigned_after(2, complaint_id).model_copy(
            update={"data": assignment.data.model_copy(update={"office": DISTRICT})}
        )
        await on_assigned(moved, first.ports)
        await on_assigned(assignment, first.ports)  # a late redelivery changes nothing
        stored = await second.ports.cases.get(complaint_id)
        assert stored is not None and stored.office == DISTRICT
        assert stored.version == 2  # one save each, none lost
        assert {str(assignment.event_id), str(moved.event_id)} <= {
            e.event_id for e in stored.timeline
        }
