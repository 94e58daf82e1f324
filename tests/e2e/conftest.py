"""The four services as processes for the life-of-a-complaint tests, and how a citizen,
an officer, an admin and an observer of each service talk to them."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import aio_pika
import httpx
import pytest
from pymongo import MongoClient

from samleng.common.topology import CONSUMERS
from tests.bot_api import StandInBotApi, stand_in_bot_api

SERVICES = ("intake", "routing", "notification", "reporting")
#: What the stand-in SMS gateway signs inbound SMS with (intake's SMS_WEBHOOK_SECRET).
SMS_WEBHOOK_SECRET = "e2e-sms-gateway-secret-of-32-characters-at-least"  # noqa: S105
#: The bot's token (intake's bot and notification's courier) and the webhook's secret.
TELEGRAM_TOKEN = "424242:e2e-stand-in-bot-token"  # noqa: S105
TELEGRAM_SECRET = "e2e-telegram-webhook-secret-of-32-characters"  # noqa: S105


def poll(probe: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Call ``probe`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(0.2)
    raise AssertionError(f"not reached within {timeout} s; last: {last!r}")


class LifeSystem:
    """The running services, and the calls the tests make to them."""

    def __init__(self, stack: Any, started: dict[str, Any], settings: dict[str, Any]) -> None:
        self.stack = stack
        self.started = started
        self.settings = settings
        self.sms: list[dict[str, Any]] = []
        self.bot_api: StandInBotApi | None = None  # the stand-in Telegram Bot API
        self.submitted: list[str] = []  # commune codes of the cases submitted, in order

    def url(self, service: str) -> str:
        """Base URL of a running service."""
        return str(self.started[service].url)

    def restart_intake(self, **overrides: Any) -> None:
        """Stop intake and start it again on the same database and vhost."""
        self.started["intake"].stop()
        settings = {**self.settings["intake"], **overrides}
        self.started["intake"] = self.stack.start_service("intake", **settings)

    # the citizen

    def submit(self, **fields: Any) -> str:
        """Submit feedback in Khmer; return the tracking code."""
        body = {"kind": "complaint", **fields}
        answer = httpx.post(
            f"{self.url('intake')}/v1/complaints",
            json=body,
            headers={"Accept-Language": "km", "Idempotency-Key": str(uuid.uuid4())},
            timeout=10,
        )
        assert answer.status_code == 202, answer.text
        self.submitted.append(body["commune_code"])
        return str(answer.json()["tracking_code"])

    def citizen_view(self, code: str) -> dict[str, Any]:
        """The case as its tracking code shows it."""
        answer = httpx.get(f"{self.url('intake')}/v1/complaints/{code}", timeout=10)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def citizen_act(self, code: str, action: str, **body: Any) -> dict[str, Any]:
        """A citizen action by tracking code; the updated view."""
        answer = httpx.post(
            f"{self.url('intake')}/v1/complaints/{code}/{action}", json=body, timeout=10
        )
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    # officers

    def officer(self, subject: str, role: str, office: str) -> dict[str, str]:
        """Headers of a user signed in with the session's identity provider."""
        token = self.stack.issuer.token(subject, [role], [office])
        return {"Authorization": f"Bearer {token}"}

    def officer_get(self, path: str, headers: dict[str, str]) -> httpx.Response:
        """GET an officer route of intake."""
        return httpx.get(f"{self.url('intake')}/v1/officer{path}", headers=headers, timeout=10)

    def officer_case_described(
        self, description: str, headers: dict[str, str]
    ) -> dict[str, Any] | None:
        """The case in the officer's inbox with this description (other tests of the run
        file cases in the same offices), read as the officer; None while it is not there."""
        for listed in self.officer_get("/inbox", headers).json()["cases"]:
            case = self.officer_get(f"/cases/{listed['complaint_id']}", headers).json()
            if case.get("description") == description:
                return case
        return None

    def officer_act(
        self, case: dict[str, Any], action: str, headers: dict[str, str], **body: Any
    ) -> dict[str, Any]:
        """An officer action on the version of the case they read; the updated view."""
        answer = httpx.post(
            f"{self.url('intake')}/v1/officer/cases/{case['complaint_id']}/{action}",
            json={"version": case["version"], **body},
            headers=headers,
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def officer_act_latest(
        self, complaint_id: str, action: str, headers: dict[str, str], **body: Any
    ) -> None:
        """An officer action on the case's latest version, read again while another
        service's event still moves it (409)."""

        def acted() -> bool:
            latest = self.officer_get(f"/cases/{complaint_id}", headers).json()
            answer = httpx.post(
                f"{self.url('intake')}/v1/officer/cases/{complaint_id}/{action}",
                json={"version": latest["version"], **body},
                headers=headers,
                timeout=10,
            )
            assert answer.status_code in (200, 409), answer.text
            return answer.status_code == 200

        poll(acted)

    def audit_actions(self, complaint_id: str) -> list[tuple[str, str]]:
        """(action, subject) of every audit entry about a case, in chain order."""
        admin = self.officer("admin-e2e", "admin", "national:moi-team")
        answer = self.officer_get(f"/audit?complaint_id={complaint_id}&limit=100", admin)
        assert answer.status_code == 200, answer.text
        return [(e["action"], e["subject"]) for e in answer.json()["entries"]]

    # notification and reporting

    def feed(self, office_id: str) -> list[dict[str, Any]]:
        """The in-app alerts of an office as an officer of it reads them, newest first."""
        url = f"{self.url('notification')}/v1/offices/{office_id}/notifications"
        officer = self.officer(f"officer-e2e-feed-{office_id}", "officer", office_id)
        answer = httpx.get(url, headers=officer, timeout=10)
        assert answer.status_code == 200, answer.text
        return list(answer.json()["alerts"])

    def confirm_contact(self, text: str) -> None:
        """Type in the code a confirmation request carried, as its holder would."""
        found = re.search(r"\b[0-9A-Z]{5}-[0-9A-Z]{5}\b", text)
        assert found, text
        url = f"{self.url('notification')}/v1/contact-confirmations"
        answer = httpx.post(url, json={"code": found.group()}, timeout=10)
        assert answer.status_code == 200, answer.text

    def summary(self) -> dict[str, Any]:
        """Reporting's national headline."""
        return dict(httpx.get(f"{self.url('reporting')}/v1/stats/summary", timeout=10).json())

    def district_figures(self, district: str) -> dict[str, int]:
        """This year's open-data status figures of a district (nothing suppressed, k = 1)."""
        year = (datetime.now(UTC) + timedelta(hours=7)).year  # periods are Phnom Penh dates
        answer = httpx.get(
            f"{self.url('reporting')}/v1/open-data/status",
            params={"period": str(year), "province": district[:2]},
            timeout=10,
        )
        if answer.status_code == 503:  # nothing published yet
            return {}
        assert answer.status_code == 200, answer.text
        rows = {row["key"]: row["values"] for row in answer.json()["rows"]}
        return dict(rows.get(district, {}))

    # what no API shows: routing's record of a case, and the dead-letter queues

    def routing_case(self, complaint_id: str) -> dict[str, Any]:
        """Routing's own record of a case (it has no case API): its status and clocks."""
        client: MongoClient[dict[str, Any]]
        with MongoClient(self.stack.mongo_url) as client:
            name = self.settings["routing"]["mongo_database"]
            found = client[name]["assignments"].find_one({"_id": complaint_id})
        assert found is not None, f"routing never saw {complaint_id}"
        return dict(found)

    def dead_letters(self) -> dict[str, int]:
        """Messages in every consumer's dead-letter queue on the tests' vhost."""

        async def count() -> dict[str, int]:
            connection = await aio_pika.connect(self.settings["intake"]["amqp_url"])
            try:
                channel = await connection.channel()
                counts = {}
                for consumer in CONSUMERS.values():
                    name = consumer.dead_letter_queue_name
                    queue = await channel.declare_queue(name, passive=True)
                    counts[name] = queue.declaration_result.message_count or 0
                return counts
            finally:
                await connection.close()

        return asyncio.run(count())


def sms_gateway_handler(received: list[dict[str, Any]]) -> type[BaseHTTPRequestHandler]:
    """An SMS gateway on loopback that accepts every message and keeps it in ``received``."""

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # keep the output quiet
            return

    return Gateway


@pytest.fixture(scope="module")
def sms_gateway() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """The URL of a loopback SMS gateway and the messages it received."""
    received: list[dict[str, Any]] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), sms_gateway_handler(received))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sms", received
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def bot_api() -> Iterator[StandInBotApi]:
    """A stand-in Telegram Bot API on loopback, for intake's bot and notification's courier."""
    with stand_in_bot_api(TELEGRAM_TOKEN) as api:
        yield api


@pytest.fixture(scope="module")
def life(
    stack: Any, sms_gateway: tuple[str, list[dict[str, Any]]], bot_api: StandInBotApi
) -> Iterator[LifeSystem]:
    """The four services as processes, on a vhost and databases of their own."""
    from samleng.devstack import infra

    vhost = f"{stack.vhost}-life"
    infra.create_vhost(vhost)
    isolated = {"amqp_url": infra.amqp_url(vhost)}
    extra: dict[str, dict[str, Any]] = {
        "intake": {
            "sms_webhook_secret": SMS_WEBHOOK_SECRET,
            "telegram_bot_token": TELEGRAM_TOKEN,
            "telegram_webhook_secret": TELEGRAM_SECRET,
            "telegram_api_url": bot_api.url,
        },
        "routing": {},
        "notification": {
            "outbox_poll_seconds": 0.2,
            "sms_gateway_url": sms_gateway[0],
            "telegram_bot_token": TELEGRAM_TOKEN,
            "telegram_api_url": bot_api.url,
        },
        # k = 1 suppresses nothing, so the open-data figures of a few cases can be checked
        "reporting": {
            "small_cell_threshold": 1,
            "headline_ttl_seconds": 0.5,
            "publish_interval_seconds": 0.3,
        },
    }
    settings = {
        name: {
            "mongo_database": f"{stack.db_prefix}_life_{name}",
            "relay_poll_seconds": 0.2,
            **extra[name],
            **isolated,
        }
        for name in SERVICES
    }
    started: dict[str, Any] = {}
    try:
        for name in SERVICES:
            stack.migrate(name, **settings[name])
            started[name] = stack.start_service(name, **settings[name])
        system = LifeSystem(stack, started, settings)
        system.sms = sms_gateway[1]
        system.bot_api = bot_api
        yield system
    finally:
        for service in started.values():
            service.stop()
        infra.delete_vhost(vhost)
