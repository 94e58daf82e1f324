"""Static files from our own origin: CSS, JS, the Khmer font, icons, manifest, service worker.

``/static/<file>?v=<hash>`` is cached for a year (the URL changes when the file does), so a
later visit loads only the page itself. The service worker lives at ``/sw.js`` so that it
controls the whole site, and is always revalidated.
"""

from __future__ import annotations

import hashlib
import mimetypes

from fastapi import APIRouter
from fastapi.responses import Response

from samleng.web.entrypoints.deps import PagesDep
from samleng.web.entrypoints.pages import STATIC

router = APIRouter(tags=["assets"])

YEAR = "public, max-age=31536000, immutable"
TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".woff2": "font/woff2",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".txt": "text/plain; charset=utf-8",
}


def _file(name: str, body: bytes, cache: str) -> Response:
    path = STATIC / name
    media = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
    return Response(
        body, media_type=media or "application/octet-stream", headers={"Cache-Control": cache}
    )


@router.get("/static/{name:path}", include_in_schema=False)
async def static(name: str, pages: PagesDep) -> Response:
    """A static file (only the files that ship with the service)."""
    if name not in pages.assets.hashes:
        return Response("not found", status_code=404, media_type="text/plain")
    return _file(name, pages.assets.bodies[name], YEAR)


@router.get("/sw.js", include_in_schema=False)
async def service_worker(pages: PagesDep) -> Response:
    """The service worker, with the asset URLs it keeps for offline use."""
    body = pages.assets.bodies["sw.js"].decode("utf-8")
    assets = [pages.assets.url(name) for name in sorted(pages.assets.hashes) if _precached(name)]
    version = hashlib.sha256("".join(sorted(pages.assets.hashes.values())).encode()).hexdigest()
    body = body.replace("__ASSETS__", repr(assets).replace("'", '"'))
    body = body.replace("__VERSION__", version[:12])
    return Response(
        body,
        media_type=TYPES[".js"],
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


def _precached(name: str) -> bool:
    return name.endswith((".css", ".js", ".woff2", ".svg", "192.png")) and name != "sw.js"


@router.get("/manifest.webmanifest", include_in_schema=False)
async def manifest(pages: PagesDep) -> Response:
    """The web app manifest (installable portal)."""
    name = "manifest.webmanifest"
    return _file(name, pages.assets.bodies[name], "public, max-age=86400")
