"""Every public URL of the docs reaches the right service through the Ingress, in every
overlay as ``kubectl kustomize`` renders it, and nothing internal is reachable.

Three sources are held together:

* the **docs**: each page documents one service's API (``api.md`` and ``officers.md``
  intake's, ``reporting.md`` reporting's, ``web.md`` web's, which also names the intake
  API paths web calls; ``routing.md`` and ``notifications.md`` APIs that are internal), so
  each documented path has an owner;
* the **public URL table** of ``docs/operations.md`` (host, path, match, service);
* the **rendered Ingress**, matched the way Kubernetes matches paths (``Exact``, and
  ``Prefix`` element by element; the longest match wins).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.deploy.render import Document, render

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
K8S = ROOT / "deploy" / "k8s"
TARGETS = ["base", "overlays/pilot", "overlays/national"]

#: Pages that document one service's public HTTP API.
PUBLIC_PAGES = {"api.md": "intake", "officers.md": "intake", "reporting.md": "reporting"}
#: The web front end's page; its paths are public too.
WEB_PAGE = ("web.md", "web")
#: Paths a page names that belong to another service's public API: web.md says which of
#: intake's endpoints web calls (they are public as intake's, not web's).
FOREIGN = {"web.md": {"/v1": "intake"}}
#: Pages of APIs that are internal (admin tokens, or called by web inside the cluster).
INTERNAL_PAGES = {"routing.md": "routing", "notifications.md": "notification"}
#: Paths no host may route, whatever a page says: probes, metrics and the OpenAPI UI.
NEVER_PUBLIC = ["/healthz", "/readyz", "/metrics", "/docs", "/openapi.json"]
#: The portal's paths the web service serves; public on `report` (every route of its code
#: is checked in tests/deploy/test_web.py).
WEB_PATHS = [
    "/",
    "/submit",
    "/track",
    "/track/answer",
    "/confirm",
    "/places.json",
    "/leave",
    "/officer",
    "/officer/callback",
    "/static/app.css",
    "/sw.js",
    "/manifest.webmanifest",
]

# `GET /v1/x`, or a backticked path: `/v1/x`. A page's file links (`/officers.md`) and
# file-system paths (`/usr/bin/chromium`) are not URLs.
_FILE_SYSTEM = ("/usr/", "/etc/", "/var/", "/opt/", "/home/", "/bin/", "/dev/")
_DOCUMENTED = re.compile(r"(?:\b(?:GET|POST|PUT|PATCH|DELETE)\s+|`)(/[A-Za-z0-9_{}<>.\-/~]*)")


@dataclass(frozen=True)
class Route:
    """One row of the public URL table: where a path goes."""

    host: str
    path: str
    match: str
    service: str


def documented_paths(page: Path) -> set[str]:
    """The URL paths a page documents (query strings and `[/...]` options dropped)."""
    text = page.read_text(encoding="utf-8")
    found = set()
    for raw in _DOCUMENTED.findall(text):
        path = raw.split("?")[0].split("[")[0].rstrip(".")
        if path == "/" or path.startswith(_FILE_SYSTEM):
            continue
        if not path.endswith((".md", ".py", ".yaml")):
            found.add(path)
    return found


def public_table() -> list[Route]:
    """The "Public URLs" table of docs/operations.md."""
    text = (DOCS / "operations.md").read_text(encoding="utf-8")
    section = text.split("### Public URLs", 1)[1].split("\n#", 1)[0]
    routes = []
    for line in section.splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[2] in ("Exact", "Prefix"):
            routes.append(Route(cells[0], cells[1], cells[2], cells[3]))
    assert routes, "docs/operations.md has no Public URLs table"
    return routes


def host_role(host: str) -> str:
    """`report` or `stats`: the first label of a host name, without an overlay's prefix."""
    return host.split(".")[0].rsplit("-", 1)[-1]


def ingress_routes(target: str) -> dict[str, list[Route]]:
    """The rendered Ingress rules of ``target``, by host role."""
    routes: dict[str, list[Route]] = {}
    ingresses: list[Document] = [r for r in render(K8S / target) if r["kind"] == "Ingress"]
    assert ingresses
    for ingress in ingresses:
        for rule in ingress["spec"]["rules"]:
            role = host_role(rule["host"])
            for path in rule["http"]["paths"]:
                service = path["backend"]["service"]["name"]
                routes.setdefault(role, []).append(
                    Route(role, path["path"], path["pathType"], service)
                )
    return routes


def matches(route: Route, path: str) -> bool:
    """Kubernetes path matching: Exact is equality; Prefix compares whole `/` elements."""
    if route.match == "Exact":
        return path == route.path
    prefix = [e for e in route.path.split("/") if e]
    return [e for e in path.split("/") if e][: len(prefix)] == prefix


def backend(routes: list[Route], path: str) -> str | None:
    """The service a request for ``path`` reaches: the longest match wins, Exact first."""
    candidates = [r for r in routes if matches(r, path)]
    if not candidates:
        return None
    best = max(candidates, key=lambda r: (len(r.path.rstrip("/")), r.match == "Exact"))
    return best.service


def hosts_of(service: str) -> set[str]:
    return {r.host for r in public_table() if r.service == service}


@pytest.mark.parametrize("target", TARGETS)
def test_the_ingress_routes_exactly_the_documented_public_table(target: str) -> None:
    rendered = {r for routes in ingress_routes(target).values() for r in routes}
    documented = set(public_table())
    assert rendered == documented, (
        f"routed but not in docs/operations.md: {rendered - documented}; "
        f"documented but not routed: {documented - rendered}"
    )


def public_pages() -> dict[Path, str]:
    pages = {DOCS / name: service for name, service in PUBLIC_PAGES.items()}
    pages[DOCS / WEB_PAGE[0]] = WEB_PAGE[1]
    return pages


def owner(page: Path, path: str, service: str) -> str:
    """The service a path a page documents belongs to: the page's, unless it is foreign."""
    for prefix, other in FOREIGN.get(page.name, {}).items():
        if path == prefix or path.startswith(prefix + "/"):
            return other
    return service


@pytest.mark.parametrize("target", TARGETS)
def test_every_public_url_in_the_docs_reaches_its_service(target: str) -> None:
    routes = ingress_routes(target)
    checked = 0
    for page, page_service in public_pages().items():
        paths = documented_paths(page)
        assert paths, f"{page.name} documents no path; has the page moved?"
        for path in paths:
            if any(path == p or path.startswith(p + "/") for p in NEVER_PUBLIC):
                continue  # e.g. "OpenAPI at /docs" (a development aid)
            service = owner(page, path, page_service)
            hosts = hosts_of(service)
            assert hosts, f"{service} has no public host in docs/operations.md"
            reached = {host: backend(routes.get(host, []), path) for host in hosts}
            assert service in reached.values(), f"{page.name}: {path} -> {reached}, not {service}"
            checked += 1
    for path in WEB_PATHS:
        assert backend(routes["report"], path) == "web", path
    assert checked >= 20  # the pages really were read


@pytest.mark.parametrize("target", TARGETS)
def test_no_internal_path_is_public(target: str) -> None:
    routes = ingress_routes(target)
    for host, host_routes in routes.items():
        for path in NEVER_PUBLIC:
            assert backend(host_routes, path) is None, f"{host}: {path} is public"
        assert backend(host_routes, "/officers") != "web"  # Prefix is by element
    for name, service in INTERNAL_PAGES.items():
        for path in documented_paths(DOCS / name):
            for host, host_routes in routes.items():
                assert backend(host_routes, path) != service, f"{host}: {path} of {service}"
    # reporting's API on the report host would be intake's 404, not a leak; but no /v1
    # path may reach reporting there, nor intake on the stats host
    assert backend(routes["report"], "/v1/stats/summary") == "intake"
    assert backend(routes["stats"], "/v1/complaints") is None


@pytest.mark.parametrize(
    ("route", "path", "expected"),
    [
        (Route("h", "/v1", "Prefix", "s"), "/v1/complaints", True),
        (Route("h", "/v1", "Prefix", "s"), "/v1", True),
        (Route("h", "/v1", "Prefix", "s"), "/v10", False),
        (Route("h", "/", "Exact", "s"), "/", True),
        (Route("h", "/", "Exact", "s"), "/track", False),
        (Route("h", "/officer", "Prefix", "s"), "/officers", False),
        (Route("h", "/sw.js", "Exact", "s"), "/sw.js/x", False),
    ],
)
def test_path_matching_follows_kubernetes(route: Route, path: str, expected: bool) -> None:
    assert matches(route, path) is expected
