"""Bearer-token authentication of officers, as a FastAPI dependency.

Every officer endpoint takes ``CurrentOfficer``: a request without a valid token gets a
401 problem (with ``WWW-Authenticate: Bearer``) saying why the token was refused. An
intake started without ``SAMLENG_OIDC_*`` settings serves citizens only and answers
officer requests with 503.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from samleng.common.auth import InvalidToken, Principal, TokenVerifier
from samleng.intake.entrypoints.errors import LocalisedProblem

_bearer = HTTPBearer(auto_error=False, description="OIDC access token of an officer")
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="samleng"'}


def get_verifier(request: Request) -> TokenVerifier:
    """The token verifier of this app (503 if officer sign-in is not configured)."""
    verifier = getattr(request.app.state, "verifier", None)
    if not isinstance(verifier, TokenVerifier):
        raise LocalisedProblem(
            503,
            "officer-sign-in-not-configured",
            en="Officer sign-in is not configured on this server (SAMLENG_OIDC_* settings).",
            km="ការចូលប្រើរបស់មន្ត្រីមិនទាន់បានកំណត់នៅលើម៉ាស៊ីនមេនេះទេ (SAMLENG_OIDC_*)។",
        )
    return verifier


async def current_officer(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The verified user behind the request's bearer token."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise LocalisedProblem(
            401,
            "unauthenticated",
            en="Sign in: send an access token as 'Authorization: Bearer <token>'.",
            km="សូមចូលប្រើ៖ ផ្ញើសញ្ញាសម្គាល់ចូលប្រើជា 'Authorization: Bearer <token>'។",
            title="Authentication required",
            headers=_CHALLENGE,
        )
    try:
        return await get_verifier(request).verify(credentials.credentials)
    except InvalidToken as exc:
        raise LocalisedProblem(
            401,
            "invalid-token",
            en=f"The access token was refused: {exc}. Sign in again.",
            km="សញ្ញាសម្គាល់ចូលប្រើត្រូវបានបដិសេធ (ផុតកំណត់ ឬមិនត្រឹមត្រូវ)។ សូមចូលប្រើម្តងទៀត។",
            title="Invalid token",
            headers={"WWW-Authenticate": 'Bearer realm="samleng", error="invalid_token"'},
        ) from None


CurrentOfficer = Annotated[Principal, Depends(current_officer)]
