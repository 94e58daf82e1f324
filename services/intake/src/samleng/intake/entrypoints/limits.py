"""Request size limits: bodies over a limit get 413, whether or not they declare a length."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from samleng.common.http import PROBLEM_JSON
from samleng.common.i18n import language_of


class BodySizeLimit:
    """Refuse request bodies over a limit with 413, whether or not they declare a length.

    Uploads (``multipart/form-data``) get the attachment limit, everything else the
    (much smaller) request limit; the body is never read past the limit.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int, max_upload_bytes: int) -> None:
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
        limit = self.max_upload_bytes + 16 * 1024 if upload else self.max_bytes
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
        lang = language_of(Headers(scope=scope).get("accept-language"))
        en = f"The request is too large; send at most {limit // 1024} KiB."
        km = f"សំណើធំពេក សូមផ្ញើយ៉ាងច្រើន {limit // 1024} KiB។"
        body = {
            "type": "https://samleng.org/problems/request-too-large",
            "title": "Content Too Large",
            "status": 413,
            "detail": km if lang == "km" else en,
            "detail_en": en,
            "detail_km": km,
            "instance": "(request)",
        }
        response = JSONResponse(body, status_code=413, media_type=PROBLEM_JSON)
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass
