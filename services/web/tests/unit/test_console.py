"""Officer sign-in is authorization code + PKCE against the issuer; the console's forms need
the session's CSRF token; a concurrent edit says so. (Loopback only: the dev issuer runs in
a thread, intake and notification are fakes.)"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from samleng.devstack.issuer import ISSUER, AuthorizationServer, DevIssuer, s256
from samleng.devstack.net import LOOPBACK, free_port
from samleng.web.adapters.api import ApiProblem
from samleng.web.app import create_app
from samleng.web.settings import WebSettings
from services.web.tests.fakes import FakeNotification, FakeOfficerIntake

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def issuer() -> Iterator[AuthorizationServer]:
    port = free_port()
    server = AuthorizationServer(DevIssuer.generate(), f"http://{LOOPBACK}:{port}")
    server.start(port)
    yield server
    server.stop()


@pytest.fixture
def intake() -> FakeOfficerIntake:
    return FakeOfficerIntake()


@pytest.fixture
def console(issuer: AuthorizationServer, intake: FakeOfficerIntake) -> Iterator[TestClient]:
    settings = WebSettings(
        environment="test",
        public_url="http://testserver",
        session_key="a-test-session-key-of-some-length",
        oidc_issuer=ISSUER,
        oidc_jwks=issuer.issuer.jwks_json(),
        oidc_discovery_url=f"{issuer.base_url}/.well-known/openid-configuration",
    )
    app = create_app(settings, intake=intake, notification=FakeNotification())
    with TestClient(app, follow_redirects=False) as client:
        yield client


def authorize(client: TestClient, issuer: AuthorizationServer, office: str) -> httpx.URL:
    """Start the sign-in, sign in at the issuer's page; where the issuer sends the browser."""
    started = client.get("/officer/sign-in")
    assert started.status_code == 303
    location = started.headers["location"]
    assert location.startswith(issuer.base_url + "/authorize?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert query["redirect_uri"] == "http://testserver/officer/callback"
    assert httpx.get(location).status_code == 200  # the sign-in page
    form = {**query, "subject": "officer-7", "roles": "officer", "offices": office}
    back = httpx.post(f"{issuer.base_url}/authorize", data=form)
    assert back.status_code == 303
    return httpx.URL(back.headers["location"])


def signed_in(client: TestClient, issuer: AuthorizationServer) -> str:
    """Sign in; the CSRF token of the new session (read from a form of the inbox)."""
    callback = authorize(client, issuer, "commune:170201")
    done = client.get(f"/officer/callback?{callback.query.decode()}")
    assert done.status_code == 303 and done.headers["location"] == "/officer"
    cookie = done.headers["set-cookie"]
    assert "HttpOnly" in cookie and "Path=/officer" in cookie and "SameSite=lax" in cookie
    inbox = client.get("/officer")
    assert inbox.status_code == 200
    return inbox.text.split('name="csrf" value="')[1].split('"')[0]


def test_sign_in_with_pkce_opens_the_inbox_with_the_issuers_token(
    console: TestClient, issuer: AuthorizationServer, intake: FakeOfficerIntake
) -> None:
    signed_in(console, issuer)
    inbox = console.get("/officer?lang=en")
    assert "Overdue" in inbox.text and "c0ffee" in inbox.text
    assert "1 unread" in inbox.text
    assert "gzip" not in inbox.headers.get("content-encoding", "")
    assert intake.tokens and intake.tokens[-1].count(".") == 2  # the issuer's JWT, to intake


def test_a_sign_in_answer_with_another_state_or_a_reused_code_is_refused(
    console: TestClient, issuer: AuthorizationServer
) -> None:
    callback = authorize(console, issuer, "commune:170201")
    query = dict(callback.params)
    forged = console.get("/officer/callback", params={**query, "state": "forged"})
    assert forged.status_code == 400 and "set-cookie" not in forged.headers
    assert console.get("/officer/callback", params=query).status_code == 303
    again = console.get("/officer/callback", params=query)  # the code works once
    assert again.status_code == 400


def test_the_token_endpoint_checks_the_pkce_verifier(issuer: AuthorizationServer) -> None:
    verifier = "v" * 50
    code = issuer.grant(
        {"client_id": "c", "redirect_uri": "http://x/cb", "code_challenge": s256(verifier)}
    )
    wrong = {"grant_type": "authorization_code", "code": code, "client_id": "c"}
    status, body = issuer.exchange(
        {**wrong, "redirect_uri": "http://x/cb", "code_verifier": "w" * 50}
    )
    assert status == 400 and body["error"] == "invalid_grant"


def test_console_forms_need_the_sessions_csrf_token(
    console: TestClient, issuer: AuthorizationServer, intake: FakeOfficerIntake
) -> None:
    csrf = signed_in(console, issuer)
    refused = console.post("/officer/cases/c0ffee/acknowledge", data={"version": "3"})
    assert refused.status_code == 403 and not intake.acted
    other_site = console.post(
        "/officer/cases/c0ffee/acknowledge",
        data={"version": "3", "csrf": csrf},
        headers={"Origin": "https://evil.example"},
    )
    assert other_site.status_code == 403 and not intake.acted
    done = console.post("/officer/cases/c0ffee/acknowledge", data={"version": "3", "csrf": csrf})
    assert done.status_code == 303
    assert intake.acted == [("c0ffee", "acknowledge", {"version": 3})]


def test_a_concurrent_edit_shows_the_case_as_it_is_now(
    console: TestClient, issuer: AuthorizationServer, intake: FakeOfficerIntake
) -> None:
    csrf = signed_in(console, issuer)
    intake.problem = ApiProblem(409, "version-conflict", "conflict", current_version=4)
    answer = console.post(
        "/officer/cases/c0ffee/resolve?lang=en",
        data={"version": "3", "csrf": csrf, "note": "done"},
    )
    assert answer.status_code == 409
    assert "Someone else changed this case" in answer.text
    assert 'name="version" value="3"' in answer.text  # the case as intake has it now


def test_sign_out_deletes_the_session(console: TestClient, issuer: AuthorizationServer) -> None:
    csrf = signed_in(console, issuer)
    out = console.post("/officer/sign-out", data={"csrf": csrf})
    assert out.status_code == 200
    assert 'samleng_officer=""' in out.headers["set-cookie"]
    assert 'id="sign-in"' in console.get("/officer").text


def test_without_an_issuer_the_console_says_sign_in_is_off() -> None:
    app = create_app(WebSettings(environment="test"), intake=FakeOfficerIntake())
    with TestClient(app, follow_redirects=False) as client:
        answer = client.get("/officer/sign-in?lang=en")
    assert answer.status_code == 503 and "not configured" in answer.text
