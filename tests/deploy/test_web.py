"""The web front end is deployed as the service really is, in compose and in every overlay.

Its deploy files were once written before the service existed, with guessed variable
names (``SAMLENG_WEB_*``, which ``WebSettings`` silently ignored) and a guessed port. These
tests hold the deployment to the code:

* every variable web is given names a field of :class:`WebSettings` (the settings class is
  the truth), and the ones it needs in production are all there;
* it listens, is probed, scraped and published on the port its Dockerfile exposes;
* it reaches exactly the APIs it calls (intake, notification), and browsers reach every
  route of its code except health and metrics.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI

from samleng.web.app import create_app
from samleng.web.entrypoints.citizen import MAX_FORM_BYTES, MAX_UPLOAD_BYTES
from samleng.web.settings import WebSettings
from tests.deploy.render import Document, render
from tests.deploy.test_compose_and_images import OTEL_VARIABLES, compose, instructions, settings_of
from tests.deploy.test_ingress import Route, backend, host_role, ingress_routes, matches

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
TARGETS = ["base", "overlays/pilot", "overlays/national"]
#: What web cannot work without in production (the rest have sound defaults).
REQUIRED = {
    "SAMLENG_ENVIRONMENT",
    "SAMLENG_PUBLIC_URL",
    "SAMLENG_INTAKE_URL",
    "SAMLENG_NOTIFICATION_URL",
    "SAMLENG_REPORTING_URL",
    "SAMLENG_SESSION_KEY",
    "SAMLENG_OIDC_ISSUER",
    "SAMLENG_OIDC_AUDIENCE",
    "SAMLENG_OIDC_JWKS_URL",
    "SAMLENG_OIDC_CLIENT_ID",
}
#: The APIs web calls over HTTP (reporting's dashboard is only linked).
CALLS = {"SAMLENG_INTAKE_URL": "intake", "SAMLENG_NOTIFICATION_URL": "notification"}
#: web's routes that stay inside the cluster.
INTERNAL = {"/healthz", "/readyz", "/metrics"}
#: Where uploads are spooled (the root filesystem is read-only).
SPOOL = "/tmp"  # noqa: S108 - the path in the pod, not a file the test writes


def setting_names() -> set[str]:
    """The variables WebSettings reads (``SAMLENG_`` and the field name in capitals)."""
    return {f"SAMLENG_{name.upper()}" for name in WebSettings.model_fields}


def exposed_port() -> int:
    """The port web.Dockerfile exposes (and sets as ``SAMLENG_HTTP_PORT``)."""
    steps = instructions(ROOT / "deploy" / "docker" / "web.Dockerfile")
    [expose] = [int(args) for op, args in steps if op == "EXPOSE"]
    assert f"SAMLENG_HTTP_PORT={expose}" in " ".join(args for op, args in steps if op == "ENV")
    return expose


def assert_only_web_settings(names: set[str], where: str) -> None:
    unread = names - setting_names() - OTEL_VARIABLES
    assert not unread, f"{where}: web is given variables WebSettings does not read: {unread}"
    missing = REQUIRED - names
    assert not missing, f"{where}: web is not given {missing}"
    assert not {"SAMLENG_AMQP_URL", "SAMLENG_MONGO_URL"} & names  # no broker, no database


def test_the_image_listens_where_the_settings_say() -> None:
    assert WebSettings.model_fields["http_port"].default == exposed_port()


# --- compose -------------------------------------------------------------------------


def test_compose_gives_web_only_its_settings_and_publishes_its_port() -> None:
    services = compose()["services"]
    web = services["web"]
    env: dict[str, str] = web["environment"]
    assert_only_web_settings(set(env), "deploy/compose.yaml")
    port = exposed_port()
    assert web["ports"] == [f"{port}:{port}"]
    for variable, api in CALLS.items():
        assert env[variable] == f"http://{api}:{settings_of(api).model_fields['http_port'].default}"
        assert api in web["depends_on"]
    assert "reporting" not in web["depends_on"]  # linked for browsers, never called
    for variable in ("SAMLENG_PUBLIC_URL", "SAMLENG_REPORTING_URL", "SAMLENG_SESSION_KEY"):
        assert ":?" in env[variable], f"{variable} must come from deploy/.env, required"


# --- Kubernetes ----------------------------------------------------------------------


def of_kind(resources: list[Document], kind: str) -> dict[str, Document]:
    return {r["metadata"]["name"]: r for r in resources if r["kind"] == kind}


def container_of(resources: list[Document], name: str) -> dict[str, Any]:
    [container] = of_kind(resources, "Deployment")[name]["spec"]["template"]["spec"]["containers"]
    return container


def secret_keys(secret: str) -> set[str]:
    """The keys docs/operations.md lists for a Secret (created outside git)."""
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    [row] = [line for line in text.splitlines() if line.startswith(f"| `{secret}` |")]
    return set(re.findall(r"`(SAMLENG_[A-Z0-9_]+)`", row.split("|")[2]))


@pytest.mark.parametrize("target", TARGETS)
def test_kubernetes_gives_web_only_its_settings(target: str) -> None:
    resources = render(K8S / target)
    container = container_of(resources, "web")
    names = {e["name"] for e in container["env"]}
    for source in container["envFrom"]:
        if "configMapRef" in source:
            names |= set(of_kind(resources, "ConfigMap")[source["configMapRef"]["name"]]["data"])
        else:
            names |= secret_keys(source["secretRef"]["name"])
    assert_only_web_settings(names, target)


@pytest.mark.parametrize("target", TARGETS)
def test_web_starts_in_production_with_what_kubernetes_gives_it(
    target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The values parse and pass WebSettings' production checks, given real secrets."""
    resources = render(K8S / target)
    container = container_of(resources, "web")
    environment = {e["name"]: e["value"] for e in container["env"]}
    for source in container["envFrom"]:
        if "configMapRef" in source:
            environment |= of_kind(resources, "ConfigMap")[source["configMapRef"]["name"]]["data"]
    environment |= {
        "SAMLENG_SESSION_KEY": secrets.token_urlsafe(32),
        "SAMLENG_OIDC_ISSUER": "https://id.example.gov.kh/realms/samleng",
        "SAMLENG_OIDC_JWKS_URL": "https://id.example.gov.kh/realms/samleng/certs",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings = WebSettings()
    assert settings.is_production and settings.cookie_secure is True
    assert settings.http_port == exposed_port() and settings.officers_enabled
    assert settings.public_url == environment["SAMLENG_PUBLIC_URL"]


@pytest.mark.parametrize("target", TARGETS)
def test_web_listens_is_probed_and_scraped_on_the_image_port(target: str) -> None:
    resources = render(K8S / target)
    port = exposed_port()
    container = container_of(resources, "web")
    env = {e["name"]: e.get("value") for e in container["env"]}
    [http] = container["ports"]
    assert http["containerPort"] == port == int(env["SAMLENG_HTTP_PORT"])
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"]["port"] in (http["name"], port), probe
    template = of_kind(resources, "Deployment")["web"]["spec"]["template"]
    assert int(template["metadata"]["annotations"]["prometheus.io/port"]) == port
    [service_port] = of_kind(resources, "Service")["web"]["spec"]["ports"]
    assert service_port["targetPort"] in (http["name"], port)
    # a read-only root filesystem: uploads are spooled to a writable /tmp
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    [tmp] = [m for m in container["volumeMounts"] if m["mountPath"] == SPOOL]
    [volume] = [v for v in template["spec"]["volumes"] if v["name"] == tmp["name"]]
    assert "emptyDir" in volume


def container_port(resources: list[Document], deployment: str, name: str) -> int:
    [port] = [p for p in container_of(resources, deployment)["ports"] if p["name"] == name]
    return int(port["containerPort"])


@pytest.mark.parametrize("target", TARGETS)
def test_web_reaches_exactly_the_apis_it_calls(target: str) -> None:
    resources = render(K8S / target)
    env = {e["name"]: e.get("value") for e in container_of(resources, "web")["env"]}
    services = of_kind(resources, "Service")
    called = set()
    for variable, api in CALLS.items():
        url = urlsplit(env[variable])
        assert url.scheme == "http" and url.hostname == api, env[variable]
        # the Service's port, forwarded to the API's own listening port
        [port] = [p for p in services[api]["spec"]["ports"] if p["port"] == (url.port or 80)]
        target_port = port["targetPort"]
        if isinstance(target_port, str):
            target_port = container_port(resources, api, target_port)
        assert target_port == settings_of(api).model_fields["http_port"].default
        called.add(api)
    policy = of_kind(resources, "NetworkPolicy")["web-to-apis"]["spec"]
    [reached] = policy["podSelector"]["matchExpressions"]
    assert set(reached["values"]) == called
    [rule] = policy["ingress"]
    allowed = set()
    for api in called:
        for port in rule["ports"]:
            number = port["port"]
            if isinstance(number, str):  # a named port: each pod's own
                number = container_port(resources, api, number)
            allowed.add((api, number))
    assert allowed == {(api, settings_of(api).model_fields["http_port"].default) for api in called}


@pytest.mark.parametrize("target", TARGETS)
def test_web_links_to_the_hosts_the_ingress_serves(target: str) -> None:
    resources = render(K8S / target)
    env = {e["name"]: e.get("value") for e in container_of(resources, "web")["env"]}
    ingresses = of_kind(resources, "Ingress").values()
    hosts: dict[str, set[str]] = {}
    for ingress in ingresses:
        for rule in ingress["spec"]["rules"]:
            hosts.setdefault(host_role(rule["host"]), set()).add(rule["host"])
    assert all(len(names) == 1 for names in hosts.values()), f"one name per role: {hosts}"
    tls = {
        host for ingress in ingresses for entry in ingress["spec"]["tls"] for host in entry["hosts"]
    }
    for variable, role in (("SAMLENG_PUBLIC_URL", "report"), ("SAMLENG_REPORTING_URL", "stats")):
        url = urlsplit(env[variable])
        assert url.scheme == "https", f"{variable}: browsers use HTTPS"
        assert {url.hostname} == hosts[role] and url.hostname in tls, (variable, hosts[role])
        assert url.path in ("", "/"), variable


# --- the routes of the code ----------------------------------------------------------


def route_paths(app: FastAPI) -> set[str]:
    """Every path the app serves, with its routers' prefixes (any FastAPI route layout)."""

    def walk(routes: list[Any], prefix: str) -> set[str]:
        found = set()
        for route in routes:
            if hasattr(route, "original_router"):  # FastAPI's lazily included router
                found |= walk(route.original_router.routes, prefix + route.include_context.prefix)
            else:
                found.add(prefix + route.path)
        return found

    return walk(list(app.router.routes), "")


def example(path: str) -> str:
    """A concrete path for a route template (`/track/{action}` -> `/track/x`)."""
    return re.sub(r"\{[^}]*\}", "x", path)


@pytest.mark.parametrize("target", TARGETS)
def test_every_route_of_web_is_public_except_health_and_metrics(target: str) -> None:
    paths = route_paths(create_app(environment="test"))
    assert paths >= INTERNAL | {"/", "/submit", "/officer/callback"}  # the walk found them
    report = ingress_routes(target)["report"]
    for path in sorted(paths):
        reached = backend(report, example(path))
        if path in INTERNAL:
            assert reached is None, f"{path} is public"
        else:
            assert reached == "web", f"{path} of web -> {reached}"


#: Room for a form's fields and multipart framing next to its files.
FORM_OVERHEAD = 256 * 1024
_NGINX_SIZE = {"k": 1024, "m": 1024**2, "g": 1024**3}


def nginx_bytes(size: str) -> int:
    """An nginx size (``8m``) in bytes."""
    unit = size[-1].lower()
    return int(size[:-1]) * _NGINX_SIZE[unit] if unit in _NGINX_SIZE else int(size)


def serving_ingress(resources: list[Document], role: str, path: str) -> Document:
    """The Ingress whose rule serves ``path`` on a host (ingress-nginx merges the Ingresses
    of one host; the longest match wins, Exact first)."""
    candidates = []
    for ingress in of_kind(resources, "Ingress").values():
        for rule in ingress["spec"]["rules"]:
            if host_role(rule["host"]) != role:
                continue
            for entry in rule["http"]["paths"]:
                route = Route(role, entry["path"], entry["pathType"], "")
                if matches(route, path):
                    candidates.append(
                        (len(route.path.rstrip("/")), route.match == "Exact", ingress)
                    )
    assert candidates, f"nothing serves {path}"
    return max(candidates, key=lambda c: (c[0], c[1]))[2]


@pytest.mark.parametrize("target", TARGETS)
def test_the_ingress_takes_the_uploads_web_accepts_and_logs_no_client(target: str) -> None:
    resources = render(K8S / target)
    needed = {"/submit": MAX_FORM_BYTES, "/track/attach": MAX_UPLOAD_BYTES + FORM_OVERHEAD}
    for path, size in needed.items():
        annotations = serving_ingress(resources, "report", path)["metadata"]["annotations"]
        limit = nginx_bytes(annotations["nginx.ingress.kubernetes.io/proxy-body-size"])
        assert limit >= size, f"{path}: nginx refuses bodies web accepts ({limit} < {size})"
    for name, ingress in of_kind(resources, "Ingress").items():
        annotations = ingress["metadata"]["annotations"]
        assert annotations["nginx.ingress.kubernetes.io/enable-access-log"] == "false", name
        # bodies stay in memory: one buffered to disk is logged with the client's address
        assert (
            annotations["nginx.ingress.kubernetes.io/client-body-buffer-size"]
            == (annotations["nginx.ingress.kubernetes.io/proxy-body-size"])
        ), name
