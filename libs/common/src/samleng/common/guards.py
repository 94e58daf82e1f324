"""Edge guards every service's app wears, before FastAPI reads a byte of the body::

    app.add_middleware(BodySizeLimit, max_bytes=64 * 1024, max_upload_bytes=5 * 2**20)
    app.add_middleware(AdminGate, token=settings.admin_token)   # /v1/admin/...

Both answer with bilingual RFC 9457 problems. They are pure ASGI, so a refused request
costs no parsing: a stranger can neither make a service hold a huge body in memory nor
make it parse an admin request it will refuse anyway.
"""

from __future__ import annotations

import hmac

from pydantic import SecretStr
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from samleng.common.http import ADMIN_PREFIX, PROBLEM_JSON, PROBLEM_TYPE_BASE
from samleng.common.i18n import language_of


async def _problem(
    scope: Scope, receive: Receive, send: Send, status: int, slug: str, en: str, km: str
) -> None:
    lang = language_of(Headers(scope=scope).get("accept-language"))
    body = {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": {401: "Unauthorized", 403: "Forbidden", 413: "Content Too Large"}[status],
        "status": status,
        "detail": km if lang == "km" else en,
        "detail_en": en,
        "detail_km": km,
        "instance": "(request)",
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    response = JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)
    await response(scope, receive, send)


class BodySizeLimit:
    """Refuse request bodies over a limit with 413, whether or not they declare a length.

    Uploads (``multipart/form-data``) get the upload limit, everything else the (much
    smaller) request limit; the body is never read past the limit.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int, max_upload_bytes: int = 0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, cutting it off past the limit."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)  # latin-1, as HTTP says: any bytes decode
        upload = headers.get("content-type", "").startswith("multipart/form-data")
        limit = self.max_bytes
        if upload and self.max_upload_bytes:
            limit = self.max_upload_bytes + 16 * 1024
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        seen = 0
        refused = False

        async def limited() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    refused = True
                    raise _TooLarge
            return message

        sent = False

        async def guarded_send(message: Message) -> None:
            nonlocal sent
            if refused:
                return  # whatever the app answers to a cut-off body, the answer is 413
            sent = True
            await send(message)

        try:
            await self.app(scope, limited, guarded_send)
        except Exception:
            if not refused:
                raise
        if refused and not sent:
            await self._refuse(scope, receive, send, limit)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        await _problem(
            scope,
            receive,
            send,
            413,
            "request-too-large",
            f"The request is too large; send at most {limit // 1024} KiB.",
            f"សំណើធំពេក សូមផ្ញើយ៉ាងច្រើន {limit // 1024} KiB។",
        )


class _TooLarge(Exception):
    pass


def _routed(scope: Scope) -> bool:
    """True when one of the app's routes takes this path with this method."""
    app = scope.get("app")
    return any(route.matches(scope)[0] == Match.FULL for route in getattr(app, "routes", ()))


class AdminGate:
    """Admit requests under ``/v1/admin`` only with ``Authorization: Bearer <token>``.

    Checked before routing and before the body is read. With no token configured the
    admin API is off (403); production settings refuse to start without one.
    """

    def __init__(self, app: ASGIApp, *, token: SecretStr) -> None:
        self.app = app
        self.token = token.get_secret_value().encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, or answer 401/403 for an admin route without the token."""
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(ADMIN_PREFIX + "/") or not _routed(scope):
            await self.app(scope, receive, send)  # 404/405 come from the app, bodiless
            return
        if not self.token:
            await _problem(
                scope,
                receive,
                send,
                403,
                "admin-api-disabled",
                "The admin API is off: set SAMLENG_ADMIN_TOKEN to turn it on.",
                "API អ្នកគ្រប់គ្រងត្រូវបានបិទ៖ កំណត់ SAMLENG_ADMIN_TOKEN ដើម្បីបើកវា។",
            )
            return
        given = Headers(scope=scope).get("authorization", "")
        scheme, _, credential = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            credential.strip().encode(), self.token
        ):
            await _problem(
                scope,
                receive,
                send,
                401,
                "admin-token-required",
                "Send the admin token as 'Authorization: Bearer <token>' (SAMLENG_ADMIN_TOKEN).",
                "ផ្ញើ token អ្នកគ្រប់គ្រងជា 'Authorization: Bearer <token>' (SAMLENG_ADMIN_TOKEN)។",
            )
            return
        await self.app(scope, receive, send)
