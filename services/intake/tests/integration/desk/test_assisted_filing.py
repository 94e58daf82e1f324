"""Assisted filing over real HTTP, MongoDB and RabbitMQ: an agent files at a counter or a
hotline, the code is shown once on the receipt, the agent cannot read the case afterwards,
a complaint about the counter's own office goes to its ombudsman, every filing is audited,
and each agent has a share of filings."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.fernet import Fernet

from samleng.intake.domain.tracking import TrackingCode
from services.intake.tests.integration.citizen.helpers import collection, next_event
from services.intake.tests.integration.officer.support import (
    OMBUDSMAN,
    assigned_to,
    officer_desk,
)
from services.intake.tests.integration.shared import OFFICE, VALID
from tests.support import eventually, publish_event, tap

pytestmark = pytest.mark.integration

COUNTER = "counter:district:1702"
HOTLINE = "hotline:national:moi"


def agent_token(stack: Any, subject: str, desks: list[str], *, roles: Any = (), offices: Any = ()):
    """A desk agent's token (with any other roles and offices they also hold)."""
    return stack.issuer.token(subject, ["desk_agent", *roles], list(offices), samleng_desks=desks)


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of a token."""
    return {"Authorization": f"Bearer {token}", "Accept-Language": "en"}


async def case_of(desk: Any, code: str) -> Any:
    """The stored case a tracking code opens."""
    ports = desk.service.ports
    return await ports.cases.by_code_hash(ports.keys.hasher.hash(TrackingCode.parse(code)))


async def test_a_counter_filing_shows_the_code_once_and_the_agent_cannot_read_the_case(
    desk_env: Any, amqp: Any
) -> None:
    copies = await tap(amqp, "complaint.submitted.v1")
    async with officer_desk(desk_env, amqp) as desk:
        token = agent_token(desk.stack, "agent-dara", [COUNTER])
        answer = await desk.http.post(
            "/v1/desk/complaints",
            json={**VALID, "sms_number": "012 345 678", "reporter_gender": "female"},
            headers=bearer(token),
        )
        assert answer.status_code == 201, answer.text
        assert answer.headers["cache-control"] == "no-store"
        receipt = answer.json()
        code = receipt["tracking_code"]
        assert receipt["desk"] == COUNTER and receipt["to_ombudsman"] is False
        assert all(n["en"] and n["km"] for n in receipt["notes"])
        case = await case_of(desk, code)
        assert case.submission.channel == "counter"

        # the citizen follows it with the code, like any other case
        followed = await desk.http.get(f"/v1/complaints/{code}")
        assert followed.status_code == 200

        # the number is sealed for notification only, and nowhere in clear
        event = await next_event(copies, case.complaint_id)
        assert event.data.channel == "counter"  # type: ignore[attr-defined]
        fernet = Fernet(desk_env.stack.secrets["SAMLENG_CONTACT_SEALING_KEY"].encode())
        sealed = event.data.contacts  # type: ignore[attr-defined]
        assert [fernet.decrypt(c.ciphertext.encode()).decode() for c in sealed] == ["+85512345678"]
        # and the code itself, sealed for notification to send to that number once
        receipt_sealed = event.data.receipt  # type: ignore[attr-defined]
        assert receipt_sealed.contact == 0
        assert fernet.decrypt(receipt_sealed.ciphertext.encode()).decode() == code
        stored = str(await collection(desk.settings, "cases"))
        assert "12345678" not in stored and "345 678" not in stored

        # routed to the commune office: the agent gets 404, like for any case not theirs
        await publish_event(amqp, assigned_to(OFFICE, case.complaint_id))

        async def routed() -> bool:
            stored = await desk.service.ports.cases.get(case.complaint_id)
            return stored is not None and stored.office is not None

        await eventually(routed)
        later = await desk.http.get(f"/v1/officer/cases/{case.complaint_id}", headers=bearer(token))
        assert later.status_code == 404, later.text
        assert code not in later.text
        # unless the agent is also an officer of the office the case is routed to
        both = agent_token(
            desk.stack, "agent-officer", [COUNTER], roles=["officer"], offices=[OFFICE.office_id]
        )
        assert (
            await desk.http.get(f"/v1/officer/cases/{case.complaint_id}", headers=bearer(both))
        ).status_code == 200

        # the filing is in the audit trail: which desk, which agent, when
        audit = desk.service.ports.officers.audit
        trail = [e.record async for e in audit.entries(complaint_id=case.complaint_id)]
        filed = [r for r in trail if r.action == "case.filed_for_citizen"]
        assert len(filed) == 1
        record = filed[0]
        assert record.subject == "agent-dara" and record.role == "desk_agent"
        assert record.office_id == "district:1702"
        assert f"desk={COUNTER}" in record.detail and record.at
        refused = [r.subject for r in trail if r.action == "case.read.refused"]
        assert refused == ["agent-dara"]


async def test_a_conduct_complaint_at_the_accused_counter_goes_to_the_ombudsman(
    desk_env: Any, amqp: Any
) -> None:
    copies = await tap(amqp, "complaint.submitted.v1")
    async with officer_desk(desk_env, amqp) as desk:
        token = agent_token(desk.stack, "agent-sok", [COUNTER])
        body = {
            **VALID,
            "category": "rude_conduct",
            "about_office_id": "district:1702",
            "about_office_conduct": True,
        }
        answer = await desk.http.post("/v1/desk/complaints", json=body, headers=bearer(token))
        assert answer.status_code == 201, answer.text
        receipt = answer.json()
        assert receipt["to_ombudsman"] is True
        note = receipt["notes"][-1]
        assert "ombudsman" in note["en"] and "cannot see it" in note["en"]
        assert "អម្បុដ្សម៉ាន់" in note["km"]
        case = await case_of(desk, receipt["tracking_code"])
        event = await next_event(copies, case.complaint_id)
        # routing's conflict-of-interest rule sees the usual facts: conduct of that office
        assert event.data.about_office_conduct is True  # type: ignore[attr-defined]
        assert event.data.about_office_id == "district:1702"  # type: ignore[attr-defined]
        # and the receipt of an ordinary complaint at another office's counter says nothing
        assert event.data.receipt is None  # type: ignore[attr-defined]  # no number given
        other = {**body, "about_office_id": "commune:170201"}
        plain = await desk.http.post("/v1/desk/complaints", json=other, headers=bearer(token))
        assert plain.json()["to_ombudsman"] is False
        # once it sits with the ombudsman, an officer of the accused office reads nothing
        await publish_event(amqp, assigned_to(OMBUDSMAN, case.complaint_id))
        accused = desk.as_user(["officer"], ["district:1702"])
        found = await accused.call("GET", f"/v1/officer/cases/{case.complaint_id}")
        assert found.status_code == 404


async def test_only_agents_of_a_desk_file_there(desk_env: Any, amqp: Any) -> None:
    async with officer_desk(desk_env, amqp) as desk:
        officer = desk.stack.issuer.token("officer-1", ["officer"], [OFFICE.office_id])
        refused = await desk.http.post("/v1/desk/complaints", json=VALID, headers=bearer(officer))
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["type"].endswith("not-a-desk-agent")
        two = agent_token(desk.stack, "agent-2", [COUNTER, HOTLINE])
        unclear = await desk.http.post("/v1/desk/complaints", json=VALID, headers=bearer(two))
        assert unclear.status_code == 403 and "name one of your desks" in unclear.text
        chosen = await desk.http.post(
            "/v1/desk/complaints", json={**VALID, "desk": HOTLINE}, headers=bearer(two)
        )
        assert chosen.status_code == 201
        case = await case_of(desk, chosen.json()["tracking_code"])
        assert case.submission.channel == "hotline"
        elsewhere = await desk.http.post(
            "/v1/desk/complaints",
            json={**VALID, "desk": "counter:district:0102"},
            headers=bearer(two),
        )
        assert elsewhere.status_code == 403
        unsigned = await desk.http.post("/v1/desk/complaints", json=VALID)
        assert unsigned.status_code == 401
        bad_number = await desk.http.post(
            "/v1/desk/complaints",
            json={**VALID, "desk": HOTLINE, "sms_number": "phone me"},
            headers=bearer(two),
        )
        assert bad_number.status_code == 422 and "sms_number" in bad_number.text


async def test_each_agent_has_a_share_of_filings(desk_env: Any, amqp: Any) -> None:
    async with officer_desk(desk_env, amqp, desk_filing_limit_per_agent=2) as desk:
        busy = agent_token(desk.stack, "agent-busy", [HOTLINE])
        other = agent_token(desk.stack, "agent-calm", [HOTLINE])
        answers = [
            await desk.http.post("/v1/desk/complaints", json=VALID, headers=bearer(busy))
            for _ in range(3)
        ]
        assert [a.status_code for a in answers] == [201, 201, 429]
        assert int(answers[-1].headers["retry-after"]) > 0
        fresh = await desk.http.post("/v1/desk/complaints", json=VALID, headers=bearer(other))
        assert fresh.status_code == 201
