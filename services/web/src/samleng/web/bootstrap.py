"""Assemble the web service's parts; tests replace any of them by keyword.

web = bootstrap(settings)                          # real HTTP clients
web = bootstrap(settings, intake=fake_intake)      # a test's own intake
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from samleng.web.adapters.api import IntakeClient, NotificationClient
from samleng.web.adapters.oidc import OidcClient
from samleng.web.adapters.session import CookieSealer
from samleng.web.settings import WebSettings


@dataclass
class Web:
    """Everything a request handler needs: settings, API clients, sign-in, cookie sealers."""

    settings: WebSettings
    intake: IntakeClient
    notification: NotificationClient
    oidc: OidcClient | None
    sessions: CookieSealer | None
    sign_ins: CookieSealer | None
    clients: tuple[httpx.AsyncClient, ...] = ()

    async def close(self) -> None:
        """Close the HTTP connection pools."""
        for client in self.clients:
            await client.aclose()


def bootstrap(settings: WebSettings, **ports: Any) -> Web:
    """Build the service's parts from settings; ``ports`` override any of them."""
    timeout = httpx.Timeout(settings.api_timeout_seconds)
    intake_http = httpx.AsyncClient(base_url=settings.intake_url, timeout=timeout)
    notification_http = httpx.AsyncClient(base_url=settings.notification_url, timeout=timeout)
    oidc_http = httpx.AsyncClient(timeout=timeout)
    secret = settings.session_key.get_secret_value()
    officers = settings.officers_enabled
    parts: dict[str, Any] = {
        "settings": settings,
        "intake": IntakeClient(intake_http),
        "notification": NotificationClient(notification_http),
        "oidc": OidcClient(settings, oidc_http) if officers else None,
        "sessions": CookieSealer(secret, "session") if officers else None,
        "sign_ins": CookieSealer(secret, "sign-in") if officers else None,
        "clients": (intake_http, notification_http, oidc_http),
    }
    parts.update(ports)
    return Web(**parts)
