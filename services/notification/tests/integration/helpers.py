"""Stand-ins for the providers notification talks to, started by the tests on loopback:
a real SMTP server, one HTTP server playing the SMS gateway and the Telegram Bot API,
and a capture of every log line; plus builders of the events that trigger alerts."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import logging
import re
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import uvicorn
from cryptography.fernet import Fernet
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from samleng.common.events import (
    AssignedData,
    Category,
    CitizenActionData,
    ComplaintAssigned,
    ComplaintEscalated,
    ComplaintForwarded,
    ComplaintResolved,
    ComplaintSubmitted,
    ComplaintTransferred,
    DeadlineApproaching,
    DeadlineData,
    DeadlinePassed,
    EscalatedData,
    Event,
    FeedbackKind,
    InformationProvided,
    InformationRequested,
    Location,
    MovedData,
    OfficeActionData,
    OfficeRef,
    SealedContact,
    SubmittedData,
)
from samleng.common.logs import JsonFormatter
from samleng.devstack.net import free_port
from tests.support import eventually

# --- a real SMTP server ----------------------------------------------------------------


@dataclass
class SmtpInbox:
    """A small SMTP server (RFC 5321 commands, dot-unstuffing) that keeps what it receives."""

    host: str = "127.0.0.1"
    port: int = 0
    received: list[tuple[list[str], bytes]] = field(default_factory=list)
    _server: asyncio.AbstractServer | None = None

    async def start(self) -> None:
        """Listen on a free loopback port."""
        self._server = await asyncio.start_server(self._session, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening."""
        if self._server:
            self._server.close()
            await self._server.wait_closed()

    def messages_to(self, address: str) -> list[EmailMessage]:
        """Every message delivered to an address, parsed."""
        return [
            email.message_from_bytes(data, policy=email.policy.default)
            for recipients, data in self.received
            if address in recipients
        ]

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async def reply(line: str) -> None:
            writer.write(line.encode() + b"\r\n")
            await writer.drain()

        await reply("220 test.invalid ESMTP ready")
        recipients: list[str] = []
        try:
            while line := await reader.readline():
                command = line.decode("ascii", "replace").strip()
                verb = command[:4].upper()
                if verb in ("EHLO", "HELO"):
                    writer.write(b"250-test.invalid\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                    await writer.drain()
                elif verb == "MAIL":
                    recipients = []
                    await reply("250 OK")
                elif verb == "RCPT":
                    recipients.append(command.partition(":")[2].strip().strip("<>").split()[0])
                    await reply("250 OK")
                elif verb == "DATA":
                    await reply("354 End data with <CR><LF>.<CR><LF>")
                    lines = []
                    while (chunk := await reader.readline()) not in (b".\r\n", b""):
                        lines.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                    self.received.append((recipients, b"".join(lines)))
                    await reply("250 OK queued")
                elif verb == "QUIT":
                    await reply("221 Bye")
                    break
                else:  # RSET, NOOP
                    await reply("250 OK")
        finally:
            writer.close()


# --- one HTTP server for the SMS gateway and the Telegram Bot API ---------------------------


#: The Page access token the stand-in Graph API accepts.
MESSENGER_PAGE_TOKEN = "EAAtest-page-token"  # noqa: S105 - a stand-in's token


def messenger_address(body: dict[str, Any]) -> str:
    """The sealed address a Send API request went to (psid:<id> or comment:<id>)."""
    recipient = body["recipient"]
    return f"psid:{recipient['id']}" if "id" in recipient else f"comment:{recipient['comment_id']}"


@dataclass
class Gateways:
    """``POST /sms`` (SMS gateway) and ``POST /bot<token>/sendMessage`` (Telegram).

    ``fail_next[kind] = n`` answers 503 to the next n requests; ``down`` answers 500 always;
    ``hold_next[kind] = n`` takes the next n messages in (they are in ``taken``, as sent by
    a provider) but answers only when the server stops, as when the sender dies mid-send.
    ``idempotency_keys`` holds the ``Idempotency-Key`` header of every request.
    """

    port: int = 0
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    accepted: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    taken: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    idempotency_keys: list[str | None] = field(default_factory=list)
    fail_next: Counter[str] = field(default_factory=Counter)
    hold_next: Counter[str] = field(default_factory=Counter)
    down: set[str] = field(default_factory=set)
    _server: uvicorn.Server | None = None
    _task: asyncio.Task[None] | None = None
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        """Base URL of the server."""
        return f"http://127.0.0.1:{self.port}"

    def accepted_for(self, kind: str, address: str) -> list[dict[str, Any]]:
        """Accepted request bodies to one number, chat or Messenger address."""
        if kind == "messenger":
            return [b for k, b in self.accepted if k == kind and messenger_address(b) == address]
        key = "to" if kind == "sms" else "chat_id"
        return [body for k, body in self.accepted if k == kind and str(body[key]) == address]

    async def _handle(self, kind: str, request: Request) -> JSONResponse:
        body = await request.json()
        self.requests.append((kind, body))
        self.idempotency_keys.append(request.headers.get("idempotency-key"))
        if self.hold_next[kind] > 0:
            self.hold_next[kind] -= 1
            self.taken.append((kind, body))
            await self._stopping.wait()
            return JSONResponse({"ok": True, "result": {"message_id": 0}})
        if kind in self.down:
            return JSONResponse({"ok": False, "error": "down"}, status_code=500)
        if self.fail_next[kind] > 0:
            self.fail_next[kind] -= 1
            return JSONResponse({"ok": False, "error": "busy"}, status_code=503)
        self.accepted.append((kind, body))
        return JSONResponse({"ok": True, "result": {"message_id": len(self.accepted)}})

    async def start(self) -> None:
        """Serve on a free loopback port until :meth:`stop`."""

        async def sms(request: Request) -> JSONResponse:
            return await self._handle("sms", request)

        async def telegram(request: Request) -> JSONResponse:
            return await self._handle("telegram", request)

        async def messenger(request: Request) -> JSONResponse:
            # the Graph API refuses a wrong Page token with its OAuth error shape
            if request.headers.get("authorization") != f"Bearer {MESSENGER_PAGE_TOKEN}":
                error = {"message": "Invalid OAuth access token.", "type": "OAuthException"}
                return JSONResponse({"error": {**error, "code": 190}}, status_code=401)
            answer = await self._handle("messenger", request)
            if answer.status_code != 200:
                return answer
            body = self.accepted[-1][1]
            recipient = body["recipient"].get("id", "")
            return JSONResponse(
                {"recipient_id": recipient, "message_id": f"m_{len(self.accepted)}"}
            )

        app = Starlette(
            routes=[
                Route("/sms", sms, methods=["POST"]),
                Route("/bot{token}/sendMessage", telegram, methods=["POST"]),
                Route("/v21.0/me/messages", messenger, methods=["POST"]),
            ]
        )
        self.port = free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_config=None, access_log=False,
            lifespan="off",
        )  # fmt: skip
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        # uvicorn offers only a flag to say it is listening
        while not self._server.started:  # noqa: ASYNC110
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        """Stop serving."""
        self._stopping.set()
        if self._server and self._task:
            self._server.should_exit = True
            await self._task


@contextlib.asynccontextmanager
async def providers() -> AsyncIterator[tuple[SmtpInbox, Gateways]]:
    """A running SMTP server and HTTP gateways."""
    inbox, gateways = SmtpInbox(), Gateways()
    await inbox.start()
    await gateways.start()
    try:
        yield inbox, gateways
    finally:
        await gateways.stop()
        await inbox.stop()


def provider_settings(inbox: SmtpInbox, gateways: Gateways, **overrides: Any) -> dict[str, Any]:
    """Notification settings pointing at the providers, with fast retries."""
    values: dict[str, Any] = {
        "smtp_host": inbox.host,
        "smtp_port": inbox.port,
        "smtp_security": "none",
        "sms_gateway_url": f"{gateways.url}/sms",
        "telegram_api_url": gateways.url,
        "telegram_bot_token": "123456:test-bot-token",
        "messenger_api_url": f"{gateways.url}/v21.0",
        "messenger_page_token": MESSENGER_PAGE_TOKEN,
        "admin_token": "admin-token-for-tests-0123456789abcdef",
        "tracking_url": "https://samleng.example/track",
        "retry_base_seconds": 0.05,
        "retry_max_seconds": 0.2,
        "outbox_poll_seconds": 0.1,
    }
    values.update(overrides)
    return values


# --- every log line, formatted as the service writes it ---------------------------------------


class LogCapture(logging.Handler):
    """Keeps every record as the JSON line the service would write (with tracebacks)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(JsonFormatter("notification"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the formatted line and the raw arguments."""
        self.lines.append(self.format(record) + repr(record.args))


@contextlib.contextmanager
def captured_logs(level: int = logging.INFO) -> Any:
    """Capture every log line of the process while the block runs."""
    root = logging.getLogger()
    handler, old_level = LogCapture(), root.level
    root.addHandler(handler)
    root.setLevel(level)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


# --- events -----------------------------------------------------------------------------------


def office(office_id: str, level: Any = "commune") -> OfficeRef:
    """An office with Khmer and English names."""
    return OfficeRef(
        office_id=office_id,
        level=level,
        kind=f"{level}_office",
        name_en=f"Office {office_id}",
        name_km=f"ការិយាល័យ {office_id}",
    )


def seal(key: str, channel: Any, address: str) -> SealedContact:
    """A contact sealed the way intake seals it."""
    token = Fernet(key.encode()).encrypt(address.encode()).decode()
    return SealedContact(channel=channel, ciphertext=token, key_id="dev")


def submitted(
    complaint_id: str, contacts: tuple[SealedContact, ...] = (), language: Any = "km"
) -> ComplaintSubmitted:
    """A complaint.submitted event with sealed contacts."""
    return ComplaintSubmitted.first(
        complaint_id,
        producer="test",
        data=SubmittedData(
            kind=FeedbackKind.COMPLAINT,
            category=Category.EXTRA_FEE,
            location=Location(province_code="17", district_code="1702", commune_code="170201"),
            language=language,
            contacts=contacts,
        ),
    )


def assigned(cause: Event, to: OfficeRef) -> ComplaintAssigned:
    """complaint.assigned to an office."""
    data = AssignedData(
        office=to, rule="test", explanation_en="t", explanation_km="t", directory_version="t"
    )
    return ComplaintAssigned.caused_by(cause, producer="test", data=data)


def moved(cause: Event, old: OfficeRef, new: OfficeRef) -> dict[str, Any]:
    """The fields of a move between offices."""
    return {
        "from_office": old,
        "to_office": new,
        "reason_en": "test",
        "reason_km": "សាកល្បង",
        "rule": "test",
        "directory_version": "t",
    }


def life_of_a_case(
    first: ComplaintSubmitted, a: OfficeRef, b: OfficeRef, c: OfficeRef, d: OfficeRef
) -> list[Event]:
    """Submitted, assigned to A, question and answer, deadline warning and breach at A,
    escalated A -> B, forwarded B -> C, transferred C -> D, resolved at D."""
    due = datetime.now(UTC) + timedelta(hours=2)
    events: list[Event] = [first]

    def then(cls: Any, data: Any) -> None:
        events.append(cls.caused_by(events[-1], producer="test", data=data))

    events.append(assigned(first, a))
    then(InformationRequested, OfficeActionData(office_id=a.office_id))
    then(InformationProvided, CitizenActionData(office_id=None))  # office known from before
    then(DeadlineApproaching, DeadlineData(office=a, deadline="resolve", due_at=due))
    then(DeadlinePassed, DeadlineData(office=a, deadline="resolve", due_at=due))
    then(ComplaintEscalated, EscalatedData(**moved(first, a, b), trigger="resolution_overdue"))
    then(ComplaintForwarded, MovedData(**moved(first, b, c)))
    then(ComplaintTransferred, MovedData(**moved(first, c, d)))
    then(ComplaintResolved, OfficeActionData(office_id=d.office_id))
    return events


def signed_in(stack: Any, *offices: str, subject: str = "officer-test") -> dict[str, str]:
    """Headers of an officer of ``offices``, signed in with the session's identity provider."""
    return {"Authorization": f"Bearer {stack.issuer.token(subject, ['officer'], list(offices))}"}


# --- a citizen confirming a contact -----------------------------------------------------------

CONFIRMATION_CODE = re.compile(r"\b[0-9A-Z]{5}-[0-9A-Z]{5}\b")


def confirmation_code(text: str) -> str:
    """The code a confirmation request carries."""
    found = CONFIRMATION_CODE.search(text)
    assert found, f"no confirmation code in {text!r}"
    return found.group()


async def confirm(http: Any, text: str) -> None:
    """Type in the code of a confirmation request, as its holder would."""
    answer = await http.post("/v1/contact-confirmations", json={"code": confirmation_code(text)})
    assert answer.status_code == 200, answer.text


def texts_to(inbox: SmtpInbox, gateways: Gateways, channel: str, address: str) -> list[str]:
    """The text of every message a contact received, oldest first."""
    if channel == "email":
        return [str(m.get_content()) for m in inbox.messages_to(address)]
    bodies = gateways.accepted_for(channel, address)
    if channel == "messenger":
        return [str(body["message"]["text"]) for body in bodies]
    return [str(body["text"]) for body in bodies]


async def confirm_contacts(
    http: Any, inbox: SmtpInbox, gateways: Gateways, contacts: Iterable[tuple[str, str]]
) -> None:
    """Each contact (channel, address) waits for its confirmation request and confirms."""
    for channel, address in contacts:

        async def request(channel: str = channel, address: str = address) -> list[str]:
            return texts_to(inbox, gateways, channel, address)

        await confirm(http, (await eventually(request, timeout=30))[0])
