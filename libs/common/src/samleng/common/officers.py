"""Officer sign-in for any service's HTTP API: a FastAPI dependency over the OIDC verifier.

    Service(settings, runtime, ports, app, verifier=token_verifier(settings)).installed()
    @router.get("/v1/me")
    async def me(officer: CurrentOfficer) -> ...

Routers with officer routes use ``route_class=SignedInFirst``: the token is checked before
FastAPI reads the body, so a signed-out caller gets 401, never a 400/422 about a body it
may not send anyway.

A request without a valid bearer token gets a 401 problem (with ``WWW-Authenticate``)
saying why, in English and Khmer; a service started without ``SAMLENG_OIDC_*`` settings
answers 503 rather than letting anyone in.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from samleng.common.auth import InvalidToken, Principal, TokenVerifier
from samleng.common.http import Problem
from samleng.common.service import service_of

_bearer = HTTPBearer(auto_error=False, description="OIDC access token of an officer")


async def current_officer(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The verified user behind the request's bearer token."""
    known = getattr(request.state, "officer", None)
    if isinstance(known, Principal):  # already verified by SignedInFirst
        return known
    verifier = service_of(request).verifier
    if not isinstance(verifier, TokenVerifier):
        raise Problem(
            503,
            "officer-sign-in-not-configured",
            "Officer sign-in is not configured on this server (SAMLENG_OIDC_* settings).",
            detail_km="ការចូលប្រើរបស់មន្ត្រីមិនទាន់បានកំណត់នៅលើម៉ាស៊ីនមេនេះទេ។",
        )
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Problem(
            401,
            "unauthenticated",
            "Sign in: send an access token as 'Authorization: Bearer <token>'.",
            title="Authentication required",
            headers={"WWW-Authenticate": 'Bearer realm="samleng"'},
            detail_km="សូមចូលប្រើ៖ ផ្ញើសញ្ញាសម្គាល់ចូលប្រើជា 'Authorization: Bearer <token>'។",
        )
    try:
        return await verifier.verify(credentials.credentials)
    except InvalidToken as exc:
        raise Problem(
            401,
            "invalid-token",
            f"The access token was refused: {exc}. Sign in again.",
            title="Invalid token",
            headers={"WWW-Authenticate": 'Bearer realm="samleng", error="invalid_token"'},
            detail_km="សញ្ញាសម្គាល់ចូលប្រើត្រូវបានបដិសេធ។ សូមចូលប្រើម្តងទៀត។",
        ) from None


CurrentOfficer = Annotated[Principal, Depends(current_officer)]


def _needs_officer(dependant: Dependant) -> bool:
    return any(d.call is current_officer or _needs_officer(d) for d in dependant.dependencies)


class SignedInFirst(APIRoute):
    """A route that checks the officer's token before FastAPI reads and validates the body.

    FastAPI parses a JSON or form body before it solves any dependency, so without this a
    signed-out request with a malformed body would get 400/422 instead of 401.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if not _needs_officer(self.dependant):
            return handler

        async def signed_in_first(request: Request) -> Response:
            credentials = await _bearer(request)
            request.state.officer = await current_officer(request, credentials)
            return await handler(request)

        return signed_in_first
