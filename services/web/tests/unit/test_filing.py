"""A desk agent's filing page: only desk agents reach it, the form needs the session's
CSRF token, "about this office" names the desk's office, and the receipt shows the code
in both languages. (Loopback only: the dev issuer runs in a thread, intake is a fake.)"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from samleng.devstack.issuer import AuthorizationServer
from services.web.tests.fakes import FakeOfficerIntake
from services.web.tests.unit.test_console import console, intake, issuer  # noqa: F401

pytestmark = pytest.mark.unit


def signed_in_as(client: TestClient, server: AuthorizationServer, roles: str, desks: str) -> str:
    """Sign in with these roles and desks; the session's CSRF token."""
    location = client.get("/officer/sign-in").headers["location"]
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    form = {**query, "subject": "agent-1", "roles": roles, "offices": "", "desks": desks}
    back = httpx.URL(httpx.post(f"{server.base_url}/authorize", data=form).headers["location"])
    assert client.get(f"/officer/callback?{back.query.decode()}").status_code == 303
    page = client.get("/officer/filing")
    return (
        page.text.split('name="csrf" value="')[1].split('"')[0]
        if 'name="csrf"' in page.text
        else ""
    )


def test_a_desk_agent_files_and_gets_a_bilingual_receipt(
    console: TestClient,  # noqa: F811
    issuer: AuthorizationServer,  # noqa: F811
    intake: FakeOfficerIntake,  # noqa: F811
) -> None:
    csrf = signed_in_as(console, issuer, "desk_agent", "counter:district:1702")
    for lang in ("", "?lang=en"):
        form = console.get(f"/officer/filing{lang}")
        assert form.status_code == 200 and 'name="commune_code"' in form.text
    body = {
        "kind": "complaint",
        "category": "rude_conduct",
        "commune_code": "170201",
        "description": "មន្ត្រីនិយាយមិនសមរម្យ",
        "conduct_here": "1",
        "sms_number": "012 345 678",
    }
    refused = console.post("/officer/filing", data=body)
    assert refused.status_code == 403 and not intake.filed
    receipt = console.post("/officer/filing", data={**body, "csrf": csrf})
    assert receipt.status_code == 200, receipt.text
    assert "no-store" in receipt.headers["cache-control"]
    assert 'data-code="7K3M-Q9TX-2HBD-W4NE-R"' in receipt.text
    assert "Receipt of your feedback" in receipt.text and "បង្កាន់ដៃទទួលមតិ" in receipt.text
    assert 'id="to-ombudsman"' in receipt.text
    (sent,) = intake.filed
    assert sent["desk"] == "counter:district:1702"
    assert sent["about_office_id"] == "district:1702" and sent["about_office_conduct"] is True
    assert sent["sms_number"] == "012 345 678" and "reporter_gender" not in sent


def test_an_officer_without_a_desk_is_refused(
    console: TestClient,  # noqa: F811
    issuer: AuthorizationServer,  # noqa: F811
) -> None:
    signed_in_as(console, issuer, "officer", "")
    assert console.get("/officer/filing").status_code == 403


def test_the_social_media_desk_files_or_dismisses_queued_messages(
    console: TestClient,  # noqa: F811
    issuer: AuthorizationServer,  # noqa: F811
    intake: FakeOfficerIntake,  # noqa: F811
) -> None:
    csrf = signed_in_as(console, issuer, "desk_agent", "social_media:national:moi")
    message_id = intake.queue[0]["message_id"]
    for lang in ("", "?lang=en"):
        page = console.get(f"/officer/queue{lang}")
        assert page.status_code == 200 and "ផ្លូវខូចយូរហើយ" in page.text
        assert f"/officer/queue/{message_id}/case" in page.text
    assert 'href="/officer/queue"' in console.get("/officer/filing").text  # in the menu
    short = console.post(
        f"/officer/queue/{message_id}/dismissal", data={"reason": "no", "csrf": csrf}
    )
    assert short.status_code == 422 and "reason" in short.text
    forged = console.post(f"/officer/queue/{message_id}/case", data={"kind": "complaint"})
    assert forged.status_code == 403 and not intake.filed
    filed = console.post(
        f"/officer/queue/{message_id}/case",
        data={
            "csrf": csrf,
            "kind": "complaint",
            "category": "other",
            "commune_code": "170201",
            "description": "",
        },
    )
    assert filed.status_code == 200 and 'data-code="7K3M-Q9TX-2HBD-W4NE-R"' in filed.text
    (sent,) = intake.filed
    assert sent["desk"] == "social_media:national:moi" and sent["description"] == ""
    assert "queue-empty" in console.get("/officer/queue").text


def test_a_counter_agent_has_no_social_media_queue(
    console: TestClient,  # noqa: F811
    issuer: AuthorizationServer,  # noqa: F811
) -> None:
    signed_in_as(console, issuer, "desk_agent", "counter:district:1702")
    assert console.get("/officer/queue").status_code == 403
    assert 'href="/officer/queue"' not in console.get("/officer/filing").text
