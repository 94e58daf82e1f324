"""Signing officers in (authorization code + PKCE at the configured issuer) and out."""

from __future__ import annotations

import secrets
import time
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse, Response

from samleng.web.adapters.oidc import SignInFailed
from samleng.web.adapters.session import SESSION_COOKIE, SIGN_IN_COOKIE
from samleng.web.entrypoints.officer.console import COOKIE_PATH, ConsoleDep
from samleng.web.entrypoints.pages import NO_STORE
from samleng.web.i18n import Texts

router = APIRouter(prefix="/officer", tags=["officer"])

SIGN_IN_SECONDS = 600


def _redirect_uri(public_url: str) -> str:
    return f"{public_url}/officer/callback"


@router.get("/sign-in", summary="Start the OpenID Connect sign-in")
async def sign_in(console: ConsoleDep) -> Response:
    """Send the browser to the issuer with a fresh state, nonce and PKCE challenge."""
    web = console.web
    if web.oidc is None or web.sign_ins is None:
        return console.sign_in_page(console.texts("sign_in_off"), 503)
    try:
        start = await web.oidc.begin(_redirect_uri(web.settings.public_url))
    except SignInFailed as error:
        return console.sign_in_page(console.texts("sign_in_failed", why=str(error)), 503)
    kept = {
        "state": start.state,
        "nonce": start.nonce,
        "verifier": start.verifier,
        "lang": console.lang,
    }
    response = RedirectResponse(start.url, status_code=303, headers=dict(NO_STORE))
    console.set_cookie(response, SIGN_IN_COOKIE, web.sign_ins.seal(kept), SIGN_IN_SECONDS)
    return response


@router.get("/callback", summary="Finish the sign-in")
async def callback(
    console: ConsoleDep,
    code: Annotated[str, Query(max_length=2048)] = "",
    state: Annotated[str, Query(max_length=512)] = "",
    error: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """Check the state, exchange the code with the PKCE verifier, open the session."""
    web = console.web
    if web.oidc is None or web.sign_ins is None or web.sessions is None:
        return console.sign_in_page(console.texts("sign_in_off"), 503)
    kept = web.sign_ins.open(console.request.cookies.get(SIGN_IN_COOKIE), SIGN_IN_SECONDS) or {}
    console.lang = Texts.of(kept.get("lang")).lang
    if error or not code or not secrets.compare_digest(str(kept.get("state", "")), state):
        why = error or "state"
        return console.sign_in_page(console.texts("sign_in_failed", why=why), 400)
    try:
        session = await web.oidc.finish(
            code,
            str(kept["nonce"]),
            str(kept["verifier"]),
            _redirect_uri(web.settings.public_url),
        )
    except SignInFailed as failure:
        return console.sign_in_page(console.texts("sign_in_failed", why=str(failure)), 400)
    response = console.redirect("/officer")
    response.headers.update(NO_STORE)
    max_age = max(1, int(session.expires_at - time.time()))
    console.set_cookie(response, SESSION_COOKIE, web.sessions.seal(session.to_dict()), max_age)
    response.delete_cookie(SIGN_IN_COOKIE, path=COOKIE_PATH)
    return response


@router.post("/sign-out", summary="Sign out")
async def sign_out(console: ConsoleDep) -> Response:
    """End the session (the cookie is deleted), and offer the issuer's sign-out."""
    form = await console.request.form()
    if console.session is not None and not console.form_allowed(str(form.get("csrf", ""))):
        return console.forbidden("csrf_failed")
    issuer_sign_out = None
    if console.web.oidc is not None:
        after = f"{console.web.settings.public_url}/officer"
        issuer_sign_out = await console.web.oidc.sign_out_url(after)
    console.session = None
    response = console.page("signed_out.html", issuer_sign_out=issuer_sign_out)
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    return response
