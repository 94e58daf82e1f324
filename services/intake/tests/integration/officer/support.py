"""Helpers of the officer API's real-tier tests: a running intake, cases routed to an office,
and an HTTP client that checks every officer response for citizen-identifying data."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from samleng.common.events import AssignedData, ComplaintAssigned, OfficeRef
from samleng.intake.app import bootstrap
from samleng.intake.domain.tracking import TrackingCode
from samleng.intake.settings import IntakeSettings
from services.intake.tests.integration.shared import (
    OFFICE,
    VALID,
    IsolatedEnv,
    intake_settings,
)
from tests.support import eventually, publish_event, running

PHONE = "+85512345678"
EMAIL = "reporter.secret@example.org"
#: What a citizen may leave about themselves; none of it may reach an officer.
REPORTER = {
    "contacts": [{"channel": "sms", "address": PHONE}, {"channel": "email", "address": EMAIL}],
    "reporter_gender": "female",
    "reporter_age_band": "25_34",
}
FORBIDDEN = (PHONE, "12345678", EMAIL, "reporter", "female", "25_34", "age_band", "contact")

OTHER_OFFICE = OfficeRef(
    office_id="commune:170202",
    level="commune",
    kind="commune_office",
    name_en="Kampong Thkov commune office",
    name_km="រដ្ឋបាលឃុំកំពង់ថ្កូវ",
)
OMBUDSMAN = OfficeRef(
    office_id="district:1702",
    level="district",
    kind="district_ombudsman",
    name_en="Kampong Siem district ombudsman",
    name_km="អង្គភាពទទួលពាក្យបណ្តឹងស្រុកកំពង់សៀម",
)


@dataclass
class OfficerClient:
    """Calls the officer API with one user's token; every answer is checked for privacy."""

    http: httpx.AsyncClient
    token: str | None
    seen: list[str] = field(default_factory=list)

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request; asserts the answer carries no contact detail or reporter attribute."""
        headers = dict(kwargs.pop("headers", {}))
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        headers.setdefault("Accept-Language", "en")
        response = await self.http.request(method, path, headers=headers, **kwargs)
        text = response.text
        for forbidden in FORBIDDEN:
            assert forbidden not in text, f"{forbidden!r} leaked in {method} {path}: {text}"
        self.seen.append(text)
        return response

    async def case(self, complaint_id: str) -> dict[str, Any]:
        """The case view (asserting 200)."""
        answer = await self.call("GET", f"/v1/officer/cases/{complaint_id}")
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    async def act(
        self, complaint_id: str, action: str, version: int | None, **body: Any
    ) -> httpx.Response:
        """POST an action with the version read."""
        if version is not None:
            body["version"] = version
        return await self.call("POST", f"/v1/officer/cases/{complaint_id}/{action}", json=body)


@dataclass
class Desk:
    """A running intake, the raw channel and the session's identity provider."""

    service: Any  # Service[IntakePorts]: its ports, as the routes see them
    http: httpx.AsyncClient
    amqp: Any
    stack: Any
    settings: IntakeSettings
    codes: dict[str, str] = field(default_factory=dict)  # complaint id -> tracking code

    def as_user(
        self, roles: list[str], offices: list[str] | None = None, subject: str | None = None
    ) -> OfficerClient:
        """A client signed in with these roles and offices."""
        token = self.stack.issuer.token(
            subject or f"user-{uuid.uuid4().hex[:8]}", roles, offices or []
        )
        return OfficerClient(self.http, token)

    def officer(self, office: str = OFFICE.office_id, role: str = "officer") -> OfficerClient:
        """An officer (or another role) of one office."""
        return self.as_user([role], [office])

    async def routed_case(
        self, office: OfficeRef = OFFICE, *, extra: dict[str, Any] | None = None
    ) -> str:
        """Submit a case as a citizen (with contact details) and route it to ``office``."""
        answer = await self.http.post("/v1/complaints", json={**VALID, **REPORTER, **(extra or {})})
        assert answer.status_code == 202, answer.text
        code = TrackingCode.parse(answer.json()["tracking_code"])
        case = await self.service.ports.cases.by_code_hash(
            self.service.ports.keys.hasher.hash(code)
        )
        self.codes[case.complaint_id] = answer.json()["tracking_code"]
        await publish_event(self.amqp, assigned_to(office, case.complaint_id))

        async def routed() -> bool:
            stored = await self.service.ports.cases.get(case.complaint_id)
            return stored is not None and stored.office is not None

        await eventually(routed)
        return str(case.complaint_id)


def assigned_to(office: OfficeRef, complaint_id: str) -> ComplaintAssigned:
    """What routing publishes after the submitted event (sequence 1)."""
    return ComplaintAssigned(
        event_id=uuid.uuid4(),
        type="complaint.assigned",
        version=1,
        occurred_at=datetime.now(UTC),
        complaint_id=complaint_id,
        sequence=2,
        correlation_id=complaint_id,
        producer="routing",
        data=AssignedData(
            office=office,
            rule="commune-office",
            explanation_en="The commune office handles civil registration.",
            explanation_km="រដ្ឋបាលឃុំដោះស្រាយការចុះបញ្ជីអត្រានុកូលដ្ឋាន។",
            directory_version="test",
        ),
    )


@contextlib.asynccontextmanager
async def officer_desk(env: IsolatedEnv, amqp: Any, **overrides: Any) -> AsyncIterator[Desk]:
    """A running intake (own database, own vhost) with its HTTP client."""
    settings = intake_settings(env, **overrides)
    service: Any = bootstrap(settings)  # its ports, as the routes see them
    app = service.app
    async with running(app) as http:
        yield Desk(service=service, http=http, amqp=amqp, stack=env.stack, settings=settings)
