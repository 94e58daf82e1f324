"""Who gets in and what they reach, against a real intake, MongoDB and RabbitMQ."""

from __future__ import annotations

from typing import Any

import pytest

from samleng.devstack.issuer import DevIssuer
from services.intake.tests.integration.officer.support import (
    OFFICE,
    OMBUDSMAN,
    OTHER_OFFICE,
    OfficerClient,
    officer_desk,
)

pytestmark = pytest.mark.integration


def _tampered(token: str) -> str:
    head, body, signature = token.split(".")
    flipped = ("A" if signature[10] != "A" else "B").join([signature[:10], signature[11:]])
    return ".".join([head, body, flipped])


async def test_tokens_that_are_missing_expired_foreign_or_forged_get_401(
    officer_env: Any, amqp: Any
) -> None:
    async with officer_desk(officer_env, amqp) as desk:
        complaint_id = await desk.routed_case()
        issuer = officer_env.stack.issuer
        office = [OFFICE.office_id]
        stranger = DevIssuer.generate()
        tokens = {
            "none": None,
            "expired": issuer.token("o-1", ["officer"], office, lifetime_seconds=-300),
            "audience": issuer.token("o-1", ["officer"], office, audience="another-app"),
            "issuer": issuer.token("o-1", ["officer"], office, issuer="https://evil.example"),
            "signature": _tampered(issuer.token("o-1", ["officer"], office)),
            "foreign key": stranger.token("o-1", ["officer"], office),
            "no role": issuer.token("o-1", ["tea_maker"], office),
        }
        for why, token in tokens.items():
            client = OfficerClient(desk.http, token)
            for method, path in (
                ("GET", "/v1/officer/inbox"),
                ("GET", f"/v1/officer/cases/{complaint_id}"),
                ("POST", f"/v1/officer/cases/{complaint_id}/acknowledge"),
            ):
                answer = await client.call(method, path, json={"version": 1})
                assert answer.status_code == 401, (why, answer.text)
                assert answer.headers["content-type"] == "application/problem+json"
                assert answer.headers["www-authenticate"].startswith("Bearer")
        expired = await OfficerClient(desk.http, tokens["expired"]).call("GET", "/v1/officer/inbox")
        assert "expired" in expired.json()["detail"]
        audience = await OfficerClient(desk.http, tokens["audience"]).call(
            "GET", "/v1/officer/inbox"
        )
        assert "audience" in audience.json()["detail"]
        # nothing was read: the case is untouched
        assert (await desk.service.ports.cases.get(complaint_id)).version == 1


async def test_other_offices_cases_are_not_found_whatever_the_id(
    officer_env: Any, amqp: Any
) -> None:
    async with officer_desk(officer_env, amqp) as desk:
        ours = await desk.routed_case()
        theirs = await desk.routed_case(OTHER_OFFICE)
        officer = desk.officer()
        assert (await officer.case(ours))["office"]["office_id"] == OFFICE.office_id
        version = (await officer.case(ours))["version"]
        for complaint_id in (theirs, "00000000-0000-0000-0000-000000000000"):
            view = await officer.call("GET", f"/v1/officer/cases/{complaint_id}")
            assert view.status_code == 404, view.text
            assert view.json()["type"].endswith("/case-not-found")
            for action, body in (
                ("acknowledge", {}),
                ("resolve", {"note": "done"}),
                ("notes", {"text": "x"}),
                ("escalate", {"reason": "why not"}),
            ):
                acted = await officer.act(
                    complaint_id, action, None if action == "notes" else version, **body
                )
                assert acted.status_code == 404, (action, acted.text)
        # the same answer for "exists elsewhere" and "does not exist": nothing leaks
        a = await officer.call("GET", f"/v1/officer/cases/{theirs}")
        b = await officer.call("GET", "/v1/officer/cases/00000000-0000-0000-0000-000000000000")
        assert a.json()["detail"] == b.json()["detail"]
        # their inbox is not ours either
        listed = await officer.call("GET", "/v1/officer/inbox", params={"office": "commune:170202"})
        assert listed.status_code == 404
        inbox = await officer.call("GET", "/v1/officer/inbox")
        assert [c["complaint_id"] for c in inbox.json()["cases"]] == [ours]
        assert (await desk.service.ports.cases.get(theirs)).status.value == "assigned"


async def test_ombudsman_reaches_conflict_of_interest_cases_routed_to_them(
    officer_env: Any, amqp: Any
) -> None:
    async with officer_desk(officer_env, amqp) as desk:
        conduct = {"about_office_id": OFFICE.office_id, "about_office_conduct": True}
        complaint_id = await desk.routed_case(OMBUDSMAN, extra=conduct)
        ombudsman = desk.officer(OMBUDSMAN.office_id, role="ombudsman")
        view = await ombudsman.case(complaint_id)
        assert view["about_office_conduct"] is True
        # the office the complaint is about never sees it
        judged = await desk.officer().call("GET", f"/v1/officer/cases/{complaint_id}")
        assert judged.status_code == 404
        acted = await ombudsman.act(complaint_id, "acknowledge", view["version"])
        assert acted.status_code == 200, acted.text
        assert acted.json()["status"] == "acknowledged"


async def test_roles_that_read_but_do_not_act(officer_env: Any, amqp: Any) -> None:
    async with officer_desk(officer_env, amqp) as desk:
        complaint_id = await desk.routed_case()
        analyst = desk.as_user(["national_analyst"])
        view = await analyst.case(complaint_id)
        acted = await analyst.act(complaint_id, "acknowledge", view["version"])
        assert acted.status_code == 403, acted.text
        assert (await analyst.call("GET", "/v1/officer/inbox")).status_code == 403
        by_office = await analyst.call(
            "GET", "/v1/officer/inbox", params={"office": OFFICE.office_id}
        )
        assert by_office.status_code == 200
        admin = desk.as_user(["admin"])
        assert (await admin.call("GET", f"/v1/officer/cases/{complaint_id}")).status_code == 404
        officer = desk.officer()
        reopen = await officer.act(complaint_id, "reopen", view["version"])
        assert reopen.status_code == 403, reopen.text
