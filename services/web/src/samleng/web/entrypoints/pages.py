"""Server-rendered pages: Jinja2 templates in the reader's language, fingerprinted assets.

    pages = Pages()
    return pages.render(request, "citizen/track.html", lang="km", status_code=200, case=view)

Every page gets ``t`` (the texts of its language), ``lang``, ``url(path, **query)`` (keeps
the language), ``asset(name)`` (a URL with the file's hash, cached for a year) and
``pick`` (the reader's half of a bilingual API value), ``num`` (a number in the reader's
digits) and ``when`` (a timestamp in Phnom Penh time). Pages are never cached by the
browser or a proxy: they can show a case, a form token or an officer's inbox.
"""

from __future__ import annotations

import hashlib
import urllib.parse
from datetime import datetime
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from samleng.web.domain.codes import groups
from samleng.web.i18n import FIELD_LABELS, MESSAGES, Lang, Texts

PACKAGE = Path(str(resources.files("samleng.web")))
STATIC = PACKAGE / "static"
PHNOM_PENH = ZoneInfo("Asia/Phnom_Penh")
KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def number(value: int | None, lang: Lang) -> str:
    """A count or an amount with thousands separators, in Khmer digits for Khmer."""
    text = f"{value or 0:,}"
    return text.translate(KHMER_DIGITS) if lang == "km" else text


def local_time(value: Any, lang: Lang) -> str:
    """An API timestamp as Phnom Penh date and time."""
    if not value:
        return ""
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(PHNOM_PENH)
    text = moment.strftime("%d/%m/%Y %H:%M")
    return text.translate(KHMER_DIGITS) if lang == "km" else text


class Assets:
    """Static files and their content hashes (for URLs that can be cached for a year).

    The stylesheet names the fonts by their fingerprinted URLs too, so the font a page
    loads is the very URL the service worker keeps (and is cached for a year).
    """

    @cached_property
    def bodies(self) -> dict[str, bytes]:
        """``relative name -> content`` of every static file, the stylesheet's fonts pinned."""
        found = {
            path.relative_to(STATIC).as_posix(): path.read_bytes()
            for path in sorted(STATIC.rglob("*"))
            if path.is_file()
        }
        css = found["app.css"].decode("utf-8")
        for name, data in found.items():
            if name.startswith("fonts/"):
                css = css.replace(f'url("{name}")', f'url("/static/{name}?v={_digest(data)}")')
        found["app.css"] = css.encode("utf-8")
        return found

    @cached_property
    def hashes(self) -> dict[str, str]:
        """``relative name -> short sha256`` of every static file."""
        return {name: _digest(data) for name, data in self.bodies.items()}

    def url(self, name: str) -> str:
        """The fingerprinted URL of a static file."""
        return f"/static/{name}?v={self.hashes[name]}"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


class Pages:
    """The template environment and the one way pages are rendered."""

    def __init__(self, assets: Assets | None = None, stats_url: str = "") -> None:
        self.assets = assets or Assets()
        self.env = Environment(
            loader=FileSystemLoader(str(PACKAGE / "templates")),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals["asset"] = self.assets.url
        self.env.globals["code_groups"] = groups
        self.env.globals["known_keys"] = MESSAGES
        self.env.globals["field_labels"] = FIELD_LABELS
        self.env.globals["stats_url"] = stats_url

    def render(
        self,
        request: Request,
        template: str,
        *,
        lang: Lang,
        status_code: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        """Render a page in ``lang``; never cached."""
        texts = Texts(lang)

        def url(path: str, **query: Any) -> str:
            params = {k: v for k, v in query.items() if v not in (None, "", False)}
            if lang == "en":
                params["lang"] = "en"
            return path + ("?" + urllib.parse.urlencode(params, doseq=True) if params else "")

        query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
        if texts.other == "en":
            query.append(("lang", "en"))
        switch_url = request.url.path + ("?" + urllib.parse.urlencode(query) if query else "")
        html = self.env.get_template(template).render(
            t=texts,
            lang=lang,
            url=url,
            pick=texts.pick,
            num=lambda value: number(value, lang),
            when=lambda value: local_time(value, lang),
            path=request.url.path,
            switch_url=switch_url,
            **context,
        )
        return HTMLResponse(html, status_code=status_code, headers=dict(NO_STORE))
