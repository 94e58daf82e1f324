"""The compose file and the Dockerfiles, checked without a Docker engine: the compose file
against the compose specification's JSON schema, and both against the repository (paths
that exist, workspace members, settings the services really read), and the observability
stack (collector, Jaeger, Prometheus) wired end to end."""

from __future__ import annotations

import fnmatch
import importlib
import importlib.resources
import json
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from opentelemetry.sdk import environment_variables

from samleng.common.settings import ServiceSettings

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SERVICES = ("intake", "routing", "notification", "reporting")
#: One image each: the back-end services and the web front end.
IMAGES = (*SERVICES, "web")
PUBLIC_PORTS = {"intake": ["8000:8000"], "reporting": ["8003:8003"]}
#: The web front end: published on the port it listens on (its Dockerfile's, test_web.py).
WEB_PORTS = ["8004:8004"]
#: Operators' UIs, on the host's loopback only.
LOOPBACK_UIS = {"rabbitmq": 15672, "jaeger": 16686, "prometheus": 9090}
#: The environment variables the OpenTelemetry SDK reads.
OTEL_VARIABLES = {name for name in dir(environment_variables) if name.startswith("OTEL_")}


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def compose_schema() -> dict[str, Any]:
    # check-jsonschema ships the compose specification's schema (Apache-2.0, compose-spec)
    vendor = importlib.resources.files("check_jsonschema.builtin_schemas.vendor")
    schema = json.loads((vendor / "compose-spec.json").read_text(encoding="utf-8"))
    assert isinstance(schema, dict)
    return schema


def settings_of(service: str) -> type[ServiceSettings]:
    """The settings class of a service (``samleng.<service>.settings.<Service>Settings``)."""
    module = importlib.import_module(f"samleng.{service}.settings")
    cls = getattr(module, f"{service.capitalize()}Settings")
    assert isinstance(cls, type) and issubclass(cls, ServiceSettings)
    return cls


def test_compose_file_follows_the_compose_specification() -> None:
    schema = compose_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(compose()), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_the_schema_check_catches_a_broken_compose_file() -> None:
    schema = compose_schema()
    broken = compose()
    broken["services"]["intake"]["restart"] = ["always"]  # must be a string
    broken["services"]["intake"]["heathcheck"] = {}  # misspelt key
    validator = jsonschema.validators.validator_for(schema)(schema)
    assert len(list(validator.iter_errors(broken))) >= 2


def test_compose_runs_every_service_after_its_migration_and_publishes_only_three() -> None:
    services = compose()["services"]
    assert {"rabbitmq", "mongodb", "mongo-init", "otel-collector"} <= set(services)
    for name in SERVICES:
        app, job = services[name], services[f"{name}-migrate"]
        assert app["read_only"] is True and job["read_only"] is True
        assert app["command"] == ["serve"] and job["command"] == ["migrate"]
        assert app["image"] == job["image"] and app["build"] == job["build"]
        assert app["depends_on"] == {
            f"{name}-migrate": {"condition": "service_completed_successfully"}
        }
        assert job["depends_on"]["mongo-init"]["condition"] == "service_completed_successfully"
        assert job["depends_on"]["rabbitmq"]["condition"] == "service_healthy"
        assert app.get("ports", []) == PUBLIC_PORTS.get(name, []), name
        build = app["build"]
        assert (DEPLOY / build["context"]).resolve() == ROOT
        assert (ROOT / build["dockerfile"]).is_file()
    published = {name for name, s in services.items() if s.get("ports")}
    assert published == {"intake", "reporting", "web", *LOOPBACK_UIS}
    assert services["web"]["ports"] == WEB_PORTS
    for name, port in LOOPBACK_UIS.items():
        assert services[name]["ports"] == [f"127.0.0.1:{port}:{port}"], name
    plugins = (DEPLOY / "rabbitmq" / "enabled_plugins").read_text()
    assert "rabbitmq_management" in plugins and "rabbitmq_prometheus" in plugins
    assert "default_queue_type = quorum" in (DEPLOY / "rabbitmq" / "rabbitmq.conf").read_text()
    assert "--replSet" in services["mongodb"]["command"]


def test_compose_mounts_only_files_that_exist() -> None:
    for name, service in compose()["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                assert (DEPLOY / source).is_file(), f"{name} mounts missing {source}"


def test_every_secret_comes_from_the_uncommitted_env_file() -> None:
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{([A-Z0-9_]+)", text))
    example = (DEPLOY / ".env.example").read_text(encoding="utf-8")
    declared = set(re.findall(r"^([A-Z0-9_]+)=", example, flags=re.MULTILINE))
    assert used <= declared, f"not in deploy/.env.example: {used - declared}"
    assert ".env" in (DEPLOY / ".gitignore").read_text().split()
    assert not (DEPLOY / ".env").exists() or ".env" in (DEPLOY / ".gitignore").read_text()


def test_each_service_gets_only_settings_it_reads_and_only_its_own_secrets() -> None:
    services = compose()["services"]
    for name in SERVICES:
        fields = {f"SAMLENG_{field.upper()}" for field in settings_of(name).model_fields}
        env = services[name]["environment"]
        unread = set(env) - fields - OTEL_VARIABLES
        assert not unread, f"{name} is given settings it lacks: {unread}"
        assert services[f"{name}-migrate"]["environment"] == env
    for secret in ("SAMLENG_TRACKING_CODE_KEY", "SAMLENG_ENCRYPTION_KEY"):
        holders = {n for n, s in services.items() if secret in s.get("environment", {})}
        assert holders == {"intake", "intake-migrate"}
    holders = {n for n, s in services.items() if "SAMLENG_SESSION_KEY" in s.get("environment", {})}
    assert holders == {"web"}


def test_web_calls_the_apis_on_the_compose_network_and_holds_no_data() -> None:
    services = compose()["services"]
    web = services["web"]
    env = web["environment"]
    for api in ("intake", "notification"):  # reporting is only linked (test_web.py)
        url = env[f"SAMLENG_{api.upper()}_URL"]
        port = settings_of(api).model_fields["http_port"].default
        assert url == f"http://{api}:{port}", url
        assert api in web["depends_on"]
    assert "SAMLENG_OIDC_ISSUER" in env
    assert not {"SAMLENG_AMQP_URL", "SAMLENG_MONGO_URL"} & set(env)  # no broker, no database
    assert web["command"] == ["serve"] and web["read_only"] is True
    assert web["build"] == {"context": "..", "dockerfile": "deploy/docker/web.Dockerfile"}
    assert web["image"].startswith("samleng/web:")


def test_every_service_exports_traces_to_the_collector_with_standard_variables() -> None:
    services = compose()["services"]
    receiver = collector()["receivers"]["otlp"]["protocols"]["http"]["endpoint"]
    expected = f"http://otel-collector:{receiver.rsplit(':', 1)[1]}"
    for name in (*SERVICES, "web"):
        env = services[name]["environment"]
        otel = {k for k in env if k.startswith("OTEL_")}
        assert {"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL"} <= otel, name
        assert otel <= OTEL_VARIABLES, f"{name}: not read by the SDK: {otel - OTEL_VARIABLES}"
        assert env["OTEL_EXPORTER_OTLP_PROTOCOL"] == "http/protobuf"
        for variable in ("SAMLENG_OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"):
            # the same ${...} default: what Samleng reads and the standard name agree
            assert env[variable].endswith(f"-{expected}}}"), (name, env[variable])


def collector() -> dict[str, Any]:
    loaded = yaml.safe_load((DEPLOY / "otel" / "collector.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_the_collector_sends_traces_to_jaeger_and_metrics_to_prometheus() -> None:
    config = collector()
    services = compose()["services"]
    pipelines = config["service"]["pipelines"]
    # every component a pipeline names is configured (the collector refuses to start otherwise)
    for pipeline in pipelines.values():
        for kind in ("receivers", "processors", "exporters"):
            for component in pipeline.get(kind, []):
                assert component in config[kind], f"{component} is not configured"
    for extension in config["service"].get("extensions", []):
        assert extension in config["extensions"]
    # traces -> Jaeger (OTLP/gRPC), a compose service with the Jaeger image
    [traces_out] = pipelines["traces"]["exporters"]
    host, port = config["exporters"][traces_out]["endpoint"].split(":")
    assert traces_out.startswith("otlp") and port == "4317"
    assert services[host]["image"].startswith("jaegertracing/jaeger:")
    # metrics: the collector scrapes every service's /metrics and RabbitMQ's
    assert "prometheus" in pipelines["metrics"]["receivers"]
    jobs = config["receivers"]["prometheus"]["config"]["scrape_configs"]
    targets = {t for job in jobs for c in job["static_configs"] for t in c["targets"]}
    for name in SERVICES:
        assert f"{name}:{settings_of(name).model_fields['http_port'].default}" in targets
    web_port = settings_of("web").model_fields["http_port"].default
    assert {f"web:{web_port}", "rabbitmq:15692"} <= targets
    # ... and serves them to Prometheus, which scrapes exactly that port
    [metrics_out] = pipelines["metrics"]["exporters"]
    exposed = config["exporters"][metrics_out]["endpoint"].rsplit(":", 1)[1]
    prometheus = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    scraped = {
        t
        for job in prometheus["scrape_configs"]
        for c in job["static_configs"]
        for t in c["targets"]
    }
    assert f"otel-collector:{exposed}" in scraped
    assert services["prometheus"]["image"].startswith("prom/prometheus:")
    assert any("prometheus.yml" in v for v in services["prometheus"]["volumes"])
    # nothing only prints to the collector's log any more
    assert "debug" not in config["exporters"]


def signs_officers_in(service: str) -> bool:
    """Whether the service's app verifies officers' OIDC tokens (``Service.verifier``)."""
    app = ROOT / "services" / service / "src" / "samleng" / service / "app.py"
    return "token_verifier(settings)" in app.read_text(encoding="utf-8")


def test_every_service_that_signs_officers_in_is_given_the_identity_provider() -> None:
    signing = {name for name in SERVICES if signs_officers_in(name)}
    assert {"intake", "notification", "reporting"} <= signing
    services = compose()["services"]
    oidc = {"SAMLENG_OIDC_ISSUER", "SAMLENG_OIDC_AUDIENCE", "SAMLENG_OIDC_JWKS_URL"}
    for name in signing:
        assert oidc <= set(services[name]["environment"]), f"{name} cannot verify tokens"
    # no shared bearer token stands in for officer sign-in any more
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    assert "ANALYST_TOKEN" not in text + (DEPLOY / ".env.example").read_text(encoding="utf-8")


# --- Dockerfiles ---------------------------------------------------------------------


def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    lines: list[str] = []
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        lines.append(pending + stripped)
        pending = ""
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def workspace_members() -> dict[str, Path]:
    """Workspace member project names and their directories."""
    root = tomllib.loads((ROOT / "pyproject.toml").read_text())
    members: dict[str, Path] = {}
    for pattern in root["tool"]["uv"]["workspace"]["members"]:
        for directory in sorted(ROOT.glob(pattern)):
            if (directory / "pyproject.toml").is_file():
                project = tomllib.loads((directory / "pyproject.toml").read_text())["project"]
                members[project["name"]] = directory
    return members


def closure(package: str, members: dict[str, Path]) -> set[str]:
    """The workspace members an image of ``package`` installs."""
    seen: set[str] = set()
    todo = [package]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        project = tomllib.loads((members[name] / "pyproject.toml").read_text())["project"]
        for requirement in project.get("dependencies", []):
            dependency = re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0]
            if dependency in members:
                todo.append(dependency)
    return seen


@pytest.mark.parametrize("service", IMAGES)
def test_dockerfile_builds_the_service_from_the_lock_as_a_non_root_user(service: str) -> None:
    path = DEPLOY / "docker" / f"{service}.Dockerfile"
    steps = instructions(path)
    members = workspace_members()
    package = f"samleng-{service}"
    assert package in members
    assert f'name = "{package}"' in (ROOT / "uv.lock").read_text()

    stages = [i for i, (op, _) in enumerate(steps) if op == "FROM"]
    assert len(stages) >= 3, "uv stage, build stage and a slim runtime stage"
    runs = " ".join(args for op, args in steps if op == "RUN")
    assert f"uv sync --locked --no-dev --no-install-workspace --package {package}" in runs
    assert f"uv sync --locked --no-dev --no-editable --package {package}" in runs
    for op, args in steps:
        if op == "ARG" and "IMAGE=" in args:
            assert not args.endswith(":latest") and ":" in args.split("=", 1)[1], args

    runtime = steps[stages[-1] :]
    [user] = [args for op, args in runtime if op == "USER"]
    assert user.split(":")[0] not in ("root", "0")
    [healthcheck] = [args for op, args in runtime if op == "HEALTHCHECK"]
    assert "/healthz" in healthcheck
    [entrypoint] = [args for op, args in runtime if op == "ENTRYPOINT"]
    assert json.loads(entrypoint) == ["python", "-m", f"samleng.{service}"]
    [expose] = [args for op, args in runtime if op == "EXPOSE"]
    assert settings_of(service).model_fields["http_port"].default == int(expose)
    assert f"SAMLENG_HTTP_PORT={expose}" in " ".join(args for op, args in runtime if op == "ENV")


@pytest.mark.parametrize("service", IMAGES)
def test_dockerfile_copies_paths_that_exist_and_everything_uv_needs(service: str) -> None:
    path = DEPLOY / "docker" / f"{service}.Dockerfile"
    members = workspace_members()
    sources: list[str] = []
    for op, args in instructions(path):
        if op != "COPY" or "--from=" in args:
            continue
        *copied, _destination = [a for a in shlex.split(args) if not a.startswith("--")]
        sources.extend(copied)
    for source in sources:
        assert (ROOT / source).exists(), f"{path.name} copies missing {source}"
    # --locked needs every member's manifest; the build needs the sources of what it installs
    for directory in members.values():
        manifest = str((directory / "pyproject.toml").relative_to(ROOT))
        assert manifest in sources, f"{path.name} does not copy {manifest}"
    for member in closure(f"samleng-{service}", members):
        directory = members[member]
        assert str((directory / "src").relative_to(ROOT)) in sources, member
        readme = tomllib.loads((directory / "pyproject.toml").read_text())["project"].get("readme")
        if readme:
            assert str((directory / readme).relative_to(ROOT)) in sources, member
    assert "pyproject.toml" in sources and "uv.lock" in sources

    # the Dockerfile's own ignore file must let every copied path through
    ignore = path.with_name(path.name + ".dockerignore").read_text(encoding="utf-8").split()
    allowed = [p[1:] for p in ignore if p.startswith("!")]
    for source in sources:
        probe = source if (ROOT / source).is_file() else f"{source}/x.py"
        assert any(fnmatch.fnmatch(probe, pattern) for pattern in allowed), source
