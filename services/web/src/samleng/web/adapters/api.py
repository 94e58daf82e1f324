"""HTTP clients of intake and notification: the web service's only source of data.

    intake = IntakeClient(httpx.AsyncClient(base_url=settings.intake_url))
    view = await intake.case(code, lang="km")      # ApiProblem carries intake's problem+json

Every call names the language (``Accept-Language``) so problems come back in the reader's
language, and the addresses the citizen's request came through (``X-Forwarded-For``, set
per request by :class:`ForwardedFor`), so intake's per-client limits count each citizen,
not the portal: intake trusts web's address (``SAMLENG_TRUSTED_PROXIES``) and takes the last
address before it. Transport failures become :class:`ServiceUnavailable`. Nothing here logs: the
paths of citizen calls hold tracking codes (httpx's own request log is switched off in
``app.py``).
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

#: The addresses the request being served came through, for ``X-Forwarded-For``.
_FORWARDED_FOR: ContextVar[str | None] = ContextVar("samleng_web_forwarded_for", default=None)


class ForwardedFor:
    """Pure ASGI middleware: remember the chain of addresses of each request.

    The chain is the request's own ``X-Forwarded-For`` (a proxy in front may have set it)
    followed by the connection's peer. It is only ever passed on to intake, in memory: never
    stored or logged here.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request with its address chain in the context."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        peer = scope["client"][0] if scope.get("client") else ""
        earlier = Headers(scope=scope).get("x-forwarded-for", "").strip()
        chain = ", ".join(part for part in (earlier[:500], peer) if part)
        token = _FORWARDED_FOR.set(chain or None)
        try:
            await self.app(scope, receive, send)
        finally:
            _FORWARDED_FOR.reset(token)


@dataclass
class ApiProblem(Exception):
    """An RFC 9457 problem an API answered (status, slug, detail in the asked language)."""

    status: int
    slug: str
    detail: str
    errors: list[dict[str, str]] = field(default_factory=list)
    retry_after: str | None = None
    current_version: int | None = None

    @classmethod
    def from_response(cls, response: httpx.Response) -> ApiProblem:
        """Read a problem document (or make one of a bare error answer)."""
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        slug = str(body.get("type", "")).rsplit("/", 1)[-1] or f"http-{response.status_code}"
        errors = [e for e in body.get("errors", []) if isinstance(e, dict)]
        return cls(
            status=response.status_code,
            slug=slug,
            detail=str(body.get("detail") or body.get("title") or response.reason_phrase),
            errors=[
                {"field": str(e.get("field", "")), "message": str(e.get("message", ""))}
                for e in errors
            ],
            retry_after=response.headers.get("Retry-After"),
            current_version=body.get("current_version"),
        )


class ServiceUnavailable(Exception):
    """The API could not be reached or answered a server error."""


@dataclass(frozen=True)
class Upload:
    """A file a citizen chose: its name, declared type and bytes."""

    filename: str
    content_type: str
    data: bytes


def _headers(lang: str, token: str | None = None, **extra: str) -> dict[str, str]:
    headers = {"Accept-Language": lang, **extra}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if forwarded := _FORWARDED_FOR.get():
        headers["X-Forwarded-For"] = forwarded
    return headers


class JsonApi:
    """A JSON API over one httpx client; problems raise ApiProblem."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send a request; raise ApiProblem for 4xx, ServiceUnavailable for 5xx or no answer."""
        try:
            response = await self._client.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            raise ServiceUnavailable(type(error).__name__) from None
        if response.status_code >= 500:
            raise ServiceUnavailable(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise ApiProblem.from_response(response)
        return response

    async def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """The decoded JSON body of a successful request."""
        return (await self.request(method, path, **kwargs)).json()

    async def ready(self) -> bool:
        """True if the API's /readyz answers 200."""
        try:
            response = await self._client.get("/readyz", timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200


class IntakeClient(JsonApi):
    """Intake's citizen and officer API."""

    REFERENCE_TTL_SECONDS = 600.0

    def __init__(self, client: httpx.AsyncClient) -> None:
        super().__init__(client)
        self._reference: dict[str, tuple[float, Any]] = {}

    async def _reference_data(self, path: str) -> Any:
        """Reference data changes rarely: keep it ten minutes."""
        cached = self._reference.get(path)
        if cached and time.monotonic() - cached[0] < self.REFERENCE_TTL_SECONDS:
            return cached[1]
        data = await self.json("GET", path)
        self._reference[path] = (time.monotonic(), data)
        return data

    # reference data

    async def services(self) -> list[dict[str, Any]]:
        """The service catalogue with official fees and standard times."""
        return list(await self._reference_data("/v1/services"))

    async def categories(self) -> list[dict[str, Any]]:
        """The categories with bilingual labels."""
        return list(await self._reference_data("/v1/categories"))

    async def places(self, parent: str | None = None) -> list[dict[str, Any]]:
        """Provinces, or the places directly inside ``parent``."""
        path = f"/v1/places?parent={parent}" if parent else "/v1/places"
        return list(await self._reference_data(path))

    # citizens

    async def submit(self, body: dict[str, Any], idempotency_key: str, lang: str) -> dict[str, Any]:
        """Submit feedback; the acceptance with its tracking code."""
        headers = _headers(lang, **{"Idempotency-Key": idempotency_key})
        return dict(await self.json("POST", "/v1/complaints", json=body, headers=headers))

    async def case(self, code: str, lang: str) -> dict[str, Any]:
        """The case view a tracking code opens."""
        return dict(await self.json("GET", f"/v1/complaints/{code}", headers=_headers(lang)))

    async def citizen_act(
        self, code: str, action: str, body: dict[str, Any] | None, lang: str
    ) -> dict[str, Any]:
        """A citizen action (answers, information, confirmation, ...); the updated view."""
        path = f"/v1/complaints/{code}/{action}"
        return dict(await self.json("POST", path, json=body, headers=_headers(lang)))

    async def attach(self, code: str, upload: Upload, lang: str) -> dict[str, Any]:
        """Attach one file to a case; the updated view."""
        files = {"file": (upload.filename or "file", upload.data, upload.content_type)}
        path = f"/v1/complaints/{code}/attachments"
        return dict(await self.json("POST", path, files=files, headers=_headers(lang)))

    # officers

    async def inbox(self, token: str, params: list[tuple[str, str]], lang: str) -> dict[str, Any]:
        """A page of the officer's inbox."""
        answer = await self.json(
            "GET", "/v1/officer/inbox", params=params, headers=_headers(lang, token)
        )
        return dict(answer)

    async def officer_case(self, token: str, complaint_id: str, lang: str) -> dict[str, Any]:
        """The officer's view of a case (the read is audited by intake)."""
        path = f"/v1/officer/cases/{complaint_id}"
        return dict(await self.json("GET", path, headers=_headers(lang, token)))

    async def officer_act(
        self, token: str, complaint_id: str, action: str, body: dict[str, Any], lang: str
    ) -> dict[str, Any]:
        """An officer action on the version read; the updated view (or the new note)."""
        path = f"/v1/officer/cases/{complaint_id}/{action}"
        return dict(await self.json("POST", path, json=body, headers=_headers(lang, token)))

    async def attachment(
        self, token: str, complaint_id: str, attachment_id: str, lang: str
    ) -> tuple[str, bytes]:
        """An attachment's type and bytes, through intake's audited officer download."""
        path = f"/v1/officer/cases/{complaint_id}/attachments/{attachment_id}"
        response = await self.request("GET", path, headers=_headers(lang, token))
        return response.headers.get("content-type", "application/octet-stream"), response.content

    async def file_for_citizen(self, token: str, body: dict[str, Any], lang: str) -> dict[str, Any]:
        """A desk agent's filing for a citizen; the receipt with the code (shown once)."""
        headers = _headers(lang, token)
        return dict(await self.json("POST", "/v1/desk/complaints", json=body, headers=headers))

    async def desk_queue(self, token: str, lang: str) -> list[dict[str, Any]]:
        """The social-media desk's waiting messages, oldest first."""
        return list(await self.json("GET", "/v1/desk/messages", headers=_headers(lang, token)))

    async def file_message(
        self, token: str, message_id: str, body: dict[str, Any], lang: str
    ) -> dict[str, Any]:
        """A queued message filed as a case; the receipt with the code (shown once)."""
        path = f"/v1/desk/messages/{message_id}/case"
        return dict(await self.json("POST", path, json=body, headers=_headers(lang, token)))

    async def dismiss_message(self, token: str, message_id: str, reason: str, lang: str) -> None:
        """Dismiss a queued message with a reason (audited by intake)."""
        path = f"/v1/desk/messages/{message_id}/dismissal"
        await self.request("POST", path, json={"reason": reason}, headers=_headers(lang, token))

    async def audit(self, token: str, params: list[tuple[str, str]], lang: str) -> dict[str, Any]:
        """A page of the audit trail (all of it for administrators, an office's for its head)."""
        answer = await self.json(
            "GET", "/v1/officer/audit", params=params, headers=_headers(lang, token)
        )
        return dict(answer)


class NotificationClient(JsonApi):
    """Notification's in-app feed of an office, and citizens confirming their contact."""

    async def confirm_contact(self, code: str, lang: str) -> None:
        """Confirm the contact a confirmation code was sent to (the code only in the body)."""
        body = {"code": code}
        await self.request("POST", "/v1/contact-confirmations", json=body, headers=_headers(lang))

    async def feed(self, token: str, office_id: str, lang: str) -> dict[str, Any]:
        """The office's newest alerts and its unread count."""
        path = f"/v1/offices/{office_id}/notifications"
        return dict(await self.json("GET", path, headers=_headers(lang, token)))

    async def mark_read(self, token: str, office_id: str, event_id: str, lang: str) -> None:
        """Mark one alert read."""
        path = f"/v1/offices/{office_id}/notifications/{event_id}/read"
        await self.request("PUT", path, json={"read": True}, headers=_headers(lang, token))
