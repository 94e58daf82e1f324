"""Dependencies of the routes: the assembled service, the page renderer, the language."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from samleng.web.bootstrap import Web
from samleng.web.entrypoints.pages import Pages
from samleng.web.i18n import Lang, Texts


def get_web(request: Request) -> Web:
    """The service's parts, as ``create_app`` assembled them."""
    web = request.app.state.web
    assert isinstance(web, Web)
    return web


def get_pages(request: Request) -> Pages:
    """The page renderer."""
    pages = request.app.state.pages
    assert isinstance(pages, Pages)
    return pages


def get_lang(request: Request) -> Lang:
    """``en`` when the query asks for English, otherwise Khmer (form posts say it too)."""
    return Texts.of(request.query_params.get("lang")).lang


WebDep = Annotated[Web, Depends(get_web)]
PagesDep = Annotated[Pages, Depends(get_pages)]
LangDep = Annotated[Lang, Depends(get_lang)]
