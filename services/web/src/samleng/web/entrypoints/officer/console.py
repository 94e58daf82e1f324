"""What every console route works with: the request, the service, the reader's language and
the signed-in officer (``ConsoleDep``), and the ways a console page answers."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from samleng.web.adapters.api import ApiProblem, ServiceUnavailable
from samleng.web.adapters.session import SESSION_COOKIE, OfficerSession
from samleng.web.bootstrap import Web
from samleng.web.entrypoints.deps import LangDep, PagesDep, WebDep
from samleng.web.entrypoints.pages import Pages
from samleng.web.entrypoints.security import posted_from_here
from samleng.web.i18n import Lang, Texts

COOKIE_PATH = "/officer"


def current_session(request: Request, web: Web) -> OfficerSession | None:
    """The signed-in officer, or None (no cookie, altered cookie, or expired)."""
    if web.sessions is None:
        return None
    max_age = int(web.settings.session_hours * 3600)
    found = web.sessions.open(request.cookies.get(SESSION_COOKIE), max_age)
    if found is None:
        return None
    try:
        session = OfficerSession.from_dict(found)
    except (KeyError, TypeError, ValueError):
        return None
    return session if session.expires_at > time.time() else None


@dataclass
class Console:
    """One console request: who asks, in which language, and how to answer them."""

    request: Request
    web: Web
    pages: Pages
    lang: Lang
    session: OfficerSession | None

    @property
    def texts(self) -> Texts:
        """The messages in the officer's language."""
        return Texts(self.lang)

    def page(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        """An officer page; the session (or None) gives the layout its menu."""
        return self.pages.render(
            self.request,
            f"officer/{template}",
            lang=self.lang,
            status_code=status,
            session=self.session,
            **context,
        )

    async def category_labels(self) -> dict[str, dict[str, str]]:
        """Category code -> its bilingual label (empty if intake cannot say)."""
        try:
            return {c["code"]: c["label"] for c in await self.web.intake.categories()}
        except (ApiProblem, ServiceUnavailable, KeyError, TypeError):
            return {}

    def sign_in_page(self, message: str = "", status: int = 200) -> HTMLResponse:
        """The sign-in button (or why sign-in is off)."""
        self.session = None
        return self.page("sign_in.html", status, enabled=self.web.oidc is not None, message=message)

    def session_over(self) -> HTMLResponse:
        """A form posted without a (valid) session: sign in again."""
        return self.sign_in_page(self.texts("session_over"), 401)

    def not_found(self) -> HTMLResponse:
        """A path that names nothing."""
        return self.pages.render(
            self.request, "error.html", lang=self.lang, status_code=404, key="not_found_title"
        )

    def forbidden(self, key: str) -> HTMLResponse:
        """A refusal of ours (a form without its token, from another site, ...)."""
        return self.page("message.html", 403, message=self.texts(key))

    def failure(self, failure: ApiProblem | ServiceUnavailable) -> HTMLResponse:
        """An API's refusal or outage as a page; a 401 means the session is over."""
        if isinstance(failure, ServiceUnavailable):
            return self.page("message.html", 503, message=self.texts("intake_down"))
        if failure.status == 401:
            response = self.session_over()
            response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
            return response
        return self.page("message.html", failure.status, message=failure.detail)

    def form_allowed(self, token: str) -> bool:
        """True for a form of this session, posted from our own pages."""
        return (
            self.session is not None
            and posted_from_here(self.request, self.web.settings.public_url)
            and secrets.compare_digest(token, self.session.csrf)
        )

    def redirect(self, path: str, query: str = "") -> RedirectResponse:
        """See-other to a console page, in the same language."""
        parts = [part for part in (query, "lang=en" if self.lang == "en" else "") if part]
        return RedirectResponse(path + ("?" + "&".join(parts) if parts else ""), status_code=303)

    def set_cookie(self, response: Response, name: str, value: str, max_age: int) -> None:
        """An encrypted cookie for the console only: HttpOnly, SameSite=Lax, Secure in prod."""
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path=COOKIE_PATH,
            secure=bool(self.web.settings.cookie_secure),
            httponly=True,
            samesite="lax",
        )


def console(request: Request, web: WebDep, pages: PagesDep, lang: LangDep) -> Console:
    """The console request, with the officer if signed in."""
    return Console(request, web, pages, lang, current_session(request, web))


ConsoleDep = Annotated[Console, Depends(console)]
