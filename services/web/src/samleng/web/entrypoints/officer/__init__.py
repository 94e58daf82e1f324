"""The officer console (``/officer``): sign-in, inbox, case page, notifications, audit,
and desk agents' filing for citizens.

Officers sign in with OpenID Connect (authorization code + PKCE). The session is an
encrypted, HttpOnly cookie holding the access token intake checks; every form carries the
session's CSRF token and must come from this origin. Intake decides what an officer may
see and do: this console only shows intake's answers and its refusals.
"""

from fastapi import APIRouter

from samleng.web.entrypoints.officer import cases, desk, filing, queue, sign_in

router = APIRouter()
for part in (sign_in, cases, desk, filing, queue):
    router.include_router(part.router)
