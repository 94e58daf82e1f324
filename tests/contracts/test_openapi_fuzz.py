"""Each service answers as its OpenAPI says: schemathesis, with every check it has (the
equivalent of ``schemathesis run --checks all``), against intake, routing, notification and
reporting in-process (ASGI, on in-memory ports), signed out and with an officer's token.

web serves HTML pages and has no OpenAPI (``openapi_url=None``), so it is not fuzzed here.
Examples are few per operation so the whole file stays well under two minutes on a busy
machine; a failure names the operation and the ``curl`` to replay it.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from samleng.common.service import token_verifier
from samleng.devstack.issuer import AUDIENCE, ISSUER, DevIssuer
from samleng.intake.app import bootstrap as intake_bootstrap
from samleng.notification.app import bootstrap as notification_bootstrap
from samleng.notification.settings import NotificationSettings
from samleng.reporting.app import bootstrap as reporting_bootstrap
from samleng.reporting.settings import ReportingSettings
from samleng.routing.app import bootstrap as routing_bootstrap
from samleng.routing.settings import RoutingSettings
from services.intake.tests.unit.fakes import fake_ports as intake_fakes
from services.notification.tests.unit.fakes import fake_ports as notification_fakes
from services.reporting.tests.unit.fakes import fake_ports as reporting_fakes
from services.reporting.tests.unit.test_dashboard_language import published_2026
from services.routing.tests.unit.fakes import fake_ports as routing_fakes

pytestmark = pytest.mark.unit

ISSUING = DevIssuer.generate()
OIDC: dict[str, Any] = {
    "environment": "test",
    "oidc_issuer": ISSUER,
    "oidc_audience": AUDIENCE,
    "oidc_jwks": ISSUING.jwks_json(),
}
ADMIN_TOKEN = "a" * 32
#: An officer of a pilot commune office with every role, so that no route is out of reach.
OFFICER = ISSUING.token(
    "fuzz-officer",
    ["officer", "office_head", "ombudsman", "national_analyst", "admin"],
    ["commune:170201"],
)
AS = {
    "signed-out": {},
    "officer": {"Authorization": f"Bearer {OFFICER}"},
}

FEW = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,  # the same examples each run: a failure here is never a flake
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


#: Inbound channels switched on, so their webhooks answer as configured (401 unsigned).
CHANNELS = {
    "sms_webhook_secret": "fuzz-sms-webhook-secret-of-32-characters",
    "telegram_bot_token": "1:fuzz",
    "telegram_webhook_secret": "fuzz-telegram-secret-of-32-characters",
    "telegram_api_url": "http://127.0.0.1:9",  # never reached: no request is signed
}


def _intake() -> Any:
    ports = intake_fakes(**OIDC, **CHANNELS)
    overrides = {f.name: getattr(ports, f.name) for f in fields(ports) if f.name != "settings"}
    overrides["verifier"] = token_verifier(ports.settings)
    return intake_bootstrap(ports.settings, **overrides).app


def _routing() -> Any:
    ports, _, _ = routing_fakes()
    given = {f.name: getattr(ports, f.name) for f in fields(ports)}
    return routing_bootstrap(RoutingSettings(**OIDC, admin_token=ADMIN_TOKEN), **given).app


def _notification() -> Any:
    ports = notification_fakes()
    given = {f.name: getattr(ports, f.name) for f in fields(ports)}
    settings_ = NotificationSettings(**OIDC, admin_token=ADMIN_TOKEN)
    return notification_bootstrap(settings_, **given).app


def _reporting() -> Any:
    ports = reporting_fakes()
    given = {f.name: getattr(ports, f.name) for f in fields(ports)}
    given["publications"] = published_2026()  # else every table answers 503 "being prepared"
    return reporting_bootstrap(ReportingSettings(**OIDC), **given).app


def _without_lifespan(app: Any) -> Any:
    """The app with a lifespan that starts nothing: the routes use the in-memory ports, and
    the service's own lifespan would connect to MongoDB and RabbitMQ."""

    async def asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            return await app(scope, receive, send)
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})

    asgi.app = app  # type: ignore[attr-defined]
    return asgi


intake = schemathesis.openapi.from_asgi("/openapi.json", _without_lifespan(_intake()))
routing = schemathesis.openapi.from_asgi("/openapi.json", _without_lifespan(_routing()))
notification = schemathesis.openapi.from_asgi("/openapi.json", _without_lifespan(_notification()))
reporting = schemathesis.openapi.from_asgi("/openapi.json", _without_lifespan(_reporting()))

#: Why a schema-valid request may still be refused: rules across fields or other records,
#: or a check digit, that an OpenAPI schema cannot state. The check that a valid request is
#: accepted (positive_data_acceptance) is left out for these operations, and only it.
NOT_EXPRESSIBLE: dict[str, str] = {
    "POST /v1/complaints": "the commune must lie in the province and district given",
    "GET /v1/officer/inbox": "a cursor is opaque: only one the inbox made itself (its "
    "next_cursor) is accepted; any other string is refused (400, documented)",
    "POST /v1/contact-confirmations": "a confirmation code is read leniently (case, spaces, "
    "hyphens, O for 0, I and L for 1, Khmer digits) but only the letters of the message "
    "alphabet make a code: a random string of the right length is refused (422)",
    **{
        f"{method} /v1/complaints/{{tracking_code}}{tail}": "a tracking code has a check "
        "character (Luhn mod 32) that catches typing mistakes: a random code fails it"
        for method, tail in [
            ("GET", ""),
            *(
                ("POST", f"/{what}")
                for what in (
                    "answers",
                    "information",
                    "attachments",
                    "confirmation",
                    "reopening",
                    "rating",
                    "withdrawal",
                )
            ),
        ]
    },
    **{
        f"POST /v1/officer/cases/{{complaint_id}}/{action}": "the case version is required "
        "in the body or in If-Match: one of two places (428 when neither)"
        for action in (
            "acknowledge",
            "questions",
            "resolve",
            "transfer",
            "forward",
            "escalate",
            "reopen",
            "link",
            "unlink",
        )
    },
    **{
        f"GET /open311/v2/{path}.{{fmt}}": "a tracking code has a check character"
        for path in ("tokens/{token}", "requests/{service_request_id}")
    },
    **{
        f"GET {path}": "a district must lie in the province given (a commune in the district)"
        for path in ("/v1/open-data/status", "/v1/open-data/trend", "/v1/stats/detail")
    },
    "GET /open311/v2/requests.{fmt}": "GeoReport v2 query strings: W3C date-times, a "
    "comma list of open/closed, ids with check characters, read by the handler",
    "POST /open311/v2/requests.{fmt}": "an Idempotency-Key names one request: a key the "
    "examples reuse for other content is refused (422), as it must be",
    "POST /v1/officer/cases/{complaint_id}/reject": "duplicate_of must name a visible case",
    "POST /v1/officer/cases/{complaint_id}/duplicate": "duplicate_of must name a visible case",
}
#: Checks left out everywhere, and why.
EVERYWHERE: dict[str, str] = {}
#: Operations whose 5xx is their documented answer here, not a fault.
NOT_READY = {"GET /readyz": "in-process there is no broker or database: not ready (503)"}


def _check(case: Any, who: str) -> None:
    label = case.operation.label
    excluded = []
    if label in NOT_EXPRESSIBLE:
        excluded.append(positive_data_acceptance)
    if label in NOT_READY:
        excluded.append(not_a_server_error)
    if who == "officer":
        # the token is added to every request, so a case meant to lack the Authorization
        # header is sent with it; signed out, the same cases run as generated
        excluded.append(negative_data_rejection)
    # no checks= : every built-in check runs, less the exclusions above
    case.call_and_validate(headers=AS[who], excluded_checks=excluded)


@pytest.mark.parametrize("who", sorted(AS))
@intake.parametrize()
@FEW
def test_intake_answers_as_its_openapi_says(case: Any, who: str) -> None:
    _check(case, who)


@pytest.mark.parametrize("who", sorted(AS))
@routing.parametrize()
@FEW
def test_routing_answers_as_its_openapi_says(case: Any, who: str) -> None:
    _check(case, who)


@pytest.mark.parametrize("who", sorted(AS))
@notification.parametrize()
@FEW
def test_notification_answers_as_its_openapi_says(case: Any, who: str) -> None:
    _check(case, who)


@pytest.mark.parametrize("who", sorted(AS))
@reporting.parametrize()
@FEW
def test_reporting_answers_as_its_openapi_says(case: Any, who: str) -> None:
    _check(case, who)


@pytest.mark.parametrize(
    ("service", "method", "path"),
    [
        ("intake", "POST", "/v1/officer/cases/C-1/notes"),
        ("intake", "POST", "/v1/officer/cases/C-1/acknowledge"),
        ("notification", "PUT", "/v1/me/preferences/commune:170201"),
    ],
)
async def test_officer_routes_authenticate_before_they_read_the_body(
    service: str, method: str, path: str
) -> None:
    app = {"intake": intake, "notification": notification}[service].app.app
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        for body in ("{not json", "[1]"):
            headers = {"Content-Type": "application/json"}
            signed_out = await http.request(method, path, content=body, headers=headers)
            assert signed_out.status_code == 401, (body, signed_out.text)
            assert signed_out.headers["www-authenticate"].startswith("Bearer")
            headers |= AS["officer"]
            signed_in = await http.request(method, path, content=body, headers=headers)
            assert signed_in.status_code in (400, 422), (body, signed_in.text)
