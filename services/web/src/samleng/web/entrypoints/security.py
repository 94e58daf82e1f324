"""Headers every answer carries, and the check that a form was posted from our own pages.

The content security policy allows nothing but this origin: no inline script or style, no
third-party font, image or connection, no framing. Referrers are never sent, so not even
a page's path leaves the site (``same-origin``, not ``no-referrer``: with
``no-referrer`` browsers send ``Origin: null`` even on our own forms).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' blob: data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)

HEADERS = {
    "content-security-policy": CSP,
    "referrer-policy": "same-origin",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


class SecurityHeaders:
    """ASGI middleware adding the headers above to every HTTP answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the headers when the answer starts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)


def posted_from_here(request: Request, public_url: str) -> bool:
    """False for a form another site made the browser post (Origin / Fetch metadata)."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True  # old browsers send no Origin on same-origin posts
    own = {public_url.rstrip("/"), f"{request.url.scheme}://{request.url.netloc}"}
    return origin.rstrip("/") in own


class CitizenCompression:
    """Gzip for the portal and its assets (slow, metered networks), never for /officer.

    Officer pages hold a CSRF token next to text an attacker could choose (filters,
    notes); compressing both together would open them to BREACH-style guessing.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.compressed = GZipMiddleware(app, minimum_size=500)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Compress unless the path is the officer console's."""
        if scope["type"] == "http" and not str(scope.get("path", "")).startswith("/officer"):
            await self.compressed(scope, receive, send)
        else:
            await self.app(scope, receive, send)
