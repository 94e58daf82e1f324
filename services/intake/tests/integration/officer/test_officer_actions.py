"""Each officer action over real HTTP: its event through the outbox and the broker, what
the citizen then sees, the refusals of illegal moves, and versions that protect edits."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from samleng.common.events import (
    ComplaintAcknowledged,
    ComplaintRejected,
    ComplaintReopened,
    ComplaintResolved,
    EscalationRequested,
    ForwardRequested,
    InformationRequested,
    TransferRequested,
    parse_event,
)
from services.intake.tests.integration.officer.support import OFFICE, officer_desk
from tests.support import next_message, tap

pytestmark = pytest.mark.integration


async def next_event_of(queue: Any, complaint_id: str) -> Any:
    """The next event of one complaint on a tap."""
    while True:
        event = parse_event((await next_message(queue)).body)
        if event.complaint_id == complaint_id:
            return event


async def citizen_view(desk: Any, complaint_id: str) -> dict[str, Any]:
    """What the citizen's app shows (read with the tracking code)."""
    from samleng.intake.citizen.entrypoints.views import case_view

    case = await desk.service.ports.cases.get(complaint_id)
    return case_view(case).model_dump(mode="json")


async def test_acknowledge_ask_note_resolve_and_reopen(officer_env: Any, amqp: Any) -> None:
    keys = [
        "complaint.acknowledged.v1",
        "complaint.information_requested.v1",
        "complaint.resolved.v1",
        "complaint.reopened.v1",
    ]
    taps = {key: await tap(amqp, key) for key in keys}
    async with officer_desk(officer_env, amqp) as desk:
        complaint_id = await desk.routed_case()
        officer = desk.officer()
        view = await officer.case(complaint_id)
        assert view["status"] == "assigned" and "acknowledge" in view["actions"]
        assert view["routing"][0]["en"].startswith("Assigned to Chub Ta Trav")
        assert view["description"].startswith("មន្ត្រីទារប្រាក់")

        acked = await officer.act(complaint_id, "acknowledge", view["version"])
        assert acked.status_code == 200, acked.text
        assert acked.json()["status"] == "acknowledged"
        assert acked.headers["etag"] == f'"{acked.json()["version"]}"'
        event = await next_event_of(taps["complaint.acknowledged.v1"], complaint_id)
        assert isinstance(event, ComplaintAcknowledged)
        assert event.data.actor is not None and event.data.actor.role == "officer"
        assert event.data.office_id == OFFICE.office_id

        # If-Match carries the version as well as the body does
        asked = await officer.call(
            "POST",
            f"/v1/officer/cases/{complaint_id}/questions",
            json={"text": "តើគេទារប្រាក់ប៉ុន្មាន?"},
            headers={"If-Match": acked.headers["etag"]},
        )
        assert asked.status_code == 200, asked.text
        assert asked.json()["questions"][0]["text"] == "តើគេទារប្រាក់ប៉ុន្មាន?"
        event = await next_event_of(taps["complaint.information_requested.v1"], complaint_id)
        assert isinstance(event, InformationRequested)

        noted = await officer.act(complaint_id, "notes", None, text="Called the commune chief.")
        assert noted.status_code == 201, noted.text
        assert noted.json()["role"] == "officer"
        seen = await officer.case(complaint_id)
        assert [n["text"] for n in seen["internal_notes"]] == ["Called the commune chief."]
        assert seen["version"] == asked.json()["version"]  # a note changes no case
        assert "Called the commune chief" not in str(await citizen_view(desk, complaint_id))

        resolved = await officer.act(
            complaint_id, "resolve", seen["version"], note="The fee was refunded: ៥០០០០ រៀល."
        )
        assert resolved.status_code == 200, resolved.text
        assert resolved.json()["status"] == "resolved"
        event = await next_event_of(taps["complaint.resolved.v1"], complaint_id)
        assert isinstance(event, ComplaintResolved)
        timeline = (await citizen_view(desk, complaint_id))["timeline"]
        assert "The fee was refunded: ៥០០០០ រៀល." in timeline[-1]["text"]["en"]
        assert "The fee was refunded" in timeline[-1]["text"]["km"]

        head = desk.officer(role="office_head")
        reopened = await head.act(complaint_id, "reopen", resolved.json()["version"])
        assert reopened.status_code == 200, reopened.text
        assert reopened.json()["status"] == "reopened"
        event = await next_event_of(taps["complaint.reopened.v1"], complaint_id)
        assert isinstance(event, ComplaintReopened)
        assert event.data.by.role == "office_head" and not event.data.appeal
        # sequences follow one another: consumers can order them
        assert event.sequence == resolved.json()["timeline"][-1]["sequence"] + 1


async def test_reject_duplicate_and_move_requests(officer_env: Any, amqp: Any) -> None:
    keys = [
        "complaint.rejected.v1",
        "complaint.transfer_requested.v1",
        "complaint.forward_requested.v1",
        "complaint.escalation_requested.v1",
    ]
    taps = {key: await tap(amqp, key) for key in keys}
    async with officer_desk(officer_env, amqp) as desk:
        original, copy, moved = [await desk.routed_case() for _ in range(3)]
        officer = desk.officer()

        version = (await officer.case(copy))["version"]
        marked = await officer.act(copy, "duplicate", version, duplicate_of=original)
        assert marked.status_code == 200, marked.text
        assert marked.json()["status"] == "rejected"
        event = await next_event_of(taps["complaint.rejected.v1"], copy)
        assert isinstance(event, ComplaintRejected)
        assert event.data.reason == "duplicate" and event.data.duplicate_of == original
        outcome = (await citizen_view(desk, copy))["timeline"][-1]["text"]["en"]
        assert "already reported" in outcome

        for action, body, event_type in (
            ("transfer", {"to_office_id": "commune:170202"}, TransferRequested),
            ("forward", {"to_ministry": "MLMUPC"}, ForwardRequested),
            ("escalate", {}, EscalationRequested),
        ):
            version = (await officer.case(moved))["version"]
            answer = await officer.act(moved, action, version, reason="Not ours to decide", **body)
            assert answer.status_code == 200, (action, answer.text)
            assert answer.json()["status"] == "assigned"  # routing decides and moves it
            event = await next_event_of(taps[f"{event_type.event_type}.v1"], moved)
            assert isinstance(event, event_type)
            assert event.data.reason == "Not ours to decide"
            assert event.data.office_id == OFFICE.office_id

        version = (await officer.case(original))["version"]
        spam = await officer.act(original, "reject", version, reason="spam")
        assert spam.status_code == 200, spam.text


async def test_illegal_actions_are_refused_with_a_problem_that_says_why(
    officer_env: Any, amqp: Any
) -> None:
    async with officer_desk(officer_env, amqp) as desk:
        complaint_id = await desk.routed_case()
        officer = desk.officer()
        version = (await officer.case(complaint_id))["version"]

        reopen_open = await desk.officer(role="office_head").act(complaint_id, "reopen", version)
        assert reopen_open.status_code == 409, reopen_open.text
        assert reopen_open.json()["type"].endswith("/illegal-transition")
        assert "assigned" in reopen_open.json()["detail"]
        assert reopen_open.headers["content-type"] == "application/problem+json"

        no_original = await officer.act(complaint_id, "reject", version, reason="duplicate")
        assert no_original.status_code == 422
        assert "duplicate_of" in no_original.json()["detail"]
        unknown = await officer.act(complaint_id, "duplicate", version, duplicate_of="nope")
        assert unknown.status_code == 422
        no_target = await officer.act(complaint_id, "transfer", version, reason="wrong office")
        assert no_target.status_code == 422
        assert "to_office_id" in no_target.json()["detail"]
        khmer = await officer.call(
            "POST",
            f"/v1/officer/cases/{complaint_id}/transfer",
            json={"version": version, "reason": "x"},
            headers={"Accept-Language": "km"},
        )
        assert khmer.status_code == 422 and "to_office_id" in khmer.json()["detail_km"]
        no_version = await officer.act(complaint_id, "acknowledge", None)
        assert no_version.status_code == 428

        acked = await officer.act(complaint_id, "acknowledge", version)
        again = await officer.act(complaint_id, "acknowledge", acked.json()["version"])
        assert again.status_code == 409 and again.json()["type"].endswith("/already-acknowledged")
        rejected = await officer.act(complaint_id, "reject", acked.json()["version"], reason="spam")
        assert rejected.status_code == 200
        for action, body in (
            ("resolve", {"note": "done"}),
            ("acknowledge", {}),
            ("escalate", {"reason": "up"}),
            ("questions", {"text": "?"}),
        ):
            refused = await officer.act(complaint_id, action, rejected.json()["version"], **body)
            assert refused.status_code == 409, (action, refused.text)
        stored = await desk.service.ports.cases.get(complaint_id)
        assert stored.status.value == "rejected" and stored.version == rejected.json()["version"]


async def test_two_officers_acting_at_once_cannot_overwrite_each_other(
    officer_env: Any, amqp: Any
) -> None:
    async with officer_desk(officer_env, amqp) as desk:
        complaint_id = await desk.routed_case()
        first, second = desk.officer(), desk.officer()
        version = (await first.case(complaint_id))["version"]
        assert (await second.case(complaint_id))["version"] == version

        answers = await asyncio.gather(
            first.act(complaint_id, "resolve", version, note="Refunded."),
            second.act(complaint_id, "reject", version, reason="out_of_scope"),
        )
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [200, 409], [a.text for a in answers]
        [lost] = [a for a in answers if a.status_code == 409]
        assert lost.json()["type"].endswith("/version-conflict")
        assert lost.json()["current_version"] == version + 1
        [won] = [a for a in answers if a.status_code == 200]
        stored = await desk.service.ports.cases.get(complaint_id)
        assert stored.status.value == won.json()["status"]
        assert stored.version == version + 1

        stale = await second.act(complaint_id, "reopen", version)
        assert stale.status_code in (403, 409)  # an officer may not reopen at all
        head = desk.officer(role="office_head")
        stale = await head.act(complaint_id, "reopen", version)
        assert stale.status_code == 409 and stale.json()["type"].endswith("/version-conflict")
