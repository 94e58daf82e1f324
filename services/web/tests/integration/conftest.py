"""The web front end as a process, in front of real intake, routing and notification
processes (their own vhost and databases), with the session's dev identity provider
serving the sign-in page and token endpoint; and Debian's Chromium to drive it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, sync_playwright

from samleng.devstack import infra
from samleng.devstack.chromium import CHROMIUM, HEADLESS_ARGS
from samleng.devstack.devenv import web_env
from samleng.devstack.issuer import AuthorizationServer
from samleng.devstack.net import LOOPBACK, free_port
from samleng.devstack.services import RunningService

APIS = ("intake", "routing", "notification")
#: The app secret the stand-in Facebook Page signs its webhooks with.
PAGE_APP_SECRET = "web-e2e-page-app-secret"  # noqa: S105 - a test stand-in's secret


@dataclass
class Portal:
    """The running web service, the APIs behind it and the identity provider."""

    web: RunningService
    apis: dict[str, RunningService]
    issuer_url: str
    intake_database: str
    stack: Any

    @property
    def url(self) -> str:
        """The portal's base URL."""
        return self.web.url


@pytest.fixture(scope="package")
def portal(stack: Any) -> Iterator[Portal]:
    """intake, routing and notification, then web; all stopped at the end."""
    vhost = f"{stack.vhost}-web"
    infra.create_vhost(vhost)
    port = free_port()
    issuer_url = f"http://{LOOPBACK}:{port}"
    server = AuthorizationServer(stack.issuer, issuer_url)
    server.start(port)
    started: dict[str, RunningService] = {}
    web: RunningService | None = None
    try:
        for name in APIS:
            settings = {
                "mongo_database": f"{stack.db_prefix}_web_{name}",
                "amqp_url": infra.amqp_url(vhost),
                "relay_poll_seconds": 0.2,
            }
            if name == "intake":  # web, on loopback, passes each citizen's address on
                settings["trusted_proxies"] = f'["{LOOPBACK}"]'
                # the social-media desk's queue is filled through the Page webhook
                settings["facebook_app_secret"] = PAGE_APP_SECRET

            stack.migrate(name, **settings)
            started[name] = stack.start_service(name, **settings)
        urls = {name: started[name].url for name in ("intake", "notification")}
        urls["reporting"] = "http://127.0.0.1:9"  # linked from pages, never requested
        web = stack.start_service(
            "web", session_key="test-session-key-" + stack.db_prefix, **web_env(issuer_url, urls)
        )
        yield Portal(web, started, issuer_url, f"{stack.db_prefix}_web_intake", stack)
    finally:
        if web is not None:
            web.stop()
        for service in started.values():
            service.stop()
        server.stop()
        infra.delete_vhost(vhost)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium (never a downloaded build).

    Module-scoped: Playwright's sync API keeps an event loop running in this thread while it
    is open, and the asyncio tests that run after these must not find one (without an
    ``__init__.py`` a "package" fixture lives until the session ends).
    """
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=list(HEADLESS_ARGS), headless=True
        )
        try:
            yield launched
        finally:
            launched.close()
