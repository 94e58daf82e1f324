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
