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

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings

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


def _intake() -> Any:
    ports = intake_fakes(**OIDC)
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
    return reporting_bootstrap(ReportingSettings(**OIDC), **given).app


intake = schemathesis.openapi.from_asgi("/openapi.json", _intake())
routing = schemathesis.openapi.from_asgi("/openapi.json", _routing())
notification = schemathesis.openapi.from_asgi("/openapi.json", _notification())
reporting = schemathesis.openapi.from_asgi("/openapi.json", _reporting())

#: Operations left out, and why (none today).
EXCEPTIONS: dict[str, str] = {}


def _check(case: Any, who: str) -> None:
    if case.operation.label in EXCEPTIONS:
        pytest.skip(EXCEPTIONS[case.operation.label])
    case.call_and_validate(headers=AS[who])  # no checks= : every built-in check runs


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
