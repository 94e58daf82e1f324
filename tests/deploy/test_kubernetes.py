"""The Kubernetes manifests: overlays render with ``kubectl kustomize``, every resource
validates against the Kubernetes schemas, and the rules of docs/operations.md hold (probes,
limits, secrets by reference, migrations before serving, autoscaling on queue depth, only
web, intake and reporting public, scrape targets for the Prometheus Operator)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from opentelemetry.sdk import environment_variables

from samleng.common.topology import CONSUMERS
from tests.deploy.render import Document, key, render

pytestmark = pytest.mark.unit

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
TARGETS = ["base", "overlays/pilot", "overlays/national"]
#: Kubernetes versions the manifests must be valid for (oldest supported .. newest bundled).
KUBERNETES_VERSIONS = ["1.30.0", "1.37.0"]
#: The back-end services: each owns a database and migrates it.
SERVICES = ("intake", "routing", "notification", "reporting")
#: Every Deployment: the back end and the web front end (no database, no migration).
DEPLOYMENTS = (*SERVICES, "web")
PUBLIC = {"web", "intake", "reporting"}
PORTS = {"intake": 8000, "routing": 8001, "notification": 8002, "reporting": 8003, "web": 8004}
#: Custom resources of the operators we rely on: their API and the spec fields we set.
CUSTOM = {
    "ScaledObject": ("keda.sh/v1alpha1", {"scaleTargetRef", "triggers"}),
    "TriggerAuthentication": ("keda.sh/v1alpha1", {"secretTargetRef"}),
    "RabbitmqCluster": ("rabbitmq.com/v1beta1", {"replicas"}),
    "MongoDBCommunity": ("mongodbcommunity.mongodb.com/v1", {"type", "members", "version"}),
    "ServiceMonitor": ("monitoring.coreos.com/v1", {"selector", "endpoints"}),
}


def rendered(target: str) -> list[Document]:
    return render(K8S / target)


def of_kind(resources: list[Document], kind: str) -> dict[str, Document]:
    return {r["metadata"]["name"]: r for r in resources if r["kind"] == kind}


@pytest.mark.parametrize("target", TARGETS)
def test_every_resource_validates_against_the_kubernetes_schemas(target: str) -> None:
    for resource in rendered(target):
        if resource["kind"] in CUSTOM:
            api, fields = CUSTOM[resource["kind"]]
            assert resource["apiVersion"] == api, key(resource)
            assert fields <= set(resource["spec"]), key(resource)
            continue
        for version in KUBERNETES_VERSIONS:
            try:
                kubernetes_validate.validate(resource, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                pytest.fail(f"{key(resource)} is invalid for Kubernetes {version}: {error}")


def test_manifests_are_rendered_by_kubectl_kustomize(tmp_path: Path) -> None:
    """The renderer is the real kustomize: features a home-made one lacked just work."""
    (tmp_path / "kustomization.yaml").write_text(
        "resources: [cm.yaml]\nnamePrefix: probe-\ncommonAnnotations: {a: b}\n"
        "configMapGenerator: [{name: generated, literals: [k=v]}]\n"
    )
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    names = {r["metadata"]["name"] for r in render(tmp_path)}
    assert "probe-x" in names
    assert any(n.startswith("probe-generated-") for n in names)  # hash suffix: kustomize's


@pytest.mark.parametrize("target", TARGETS)
def test_each_service_is_probed_limited_and_runs_unprivileged(target: str) -> None:
    resources = rendered(target)
    deployments = of_kind(resources, "Deployment")
    assert set(deployments) == set(DEPLOYMENTS)
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        [container] = pod["containers"]
        assert container["args"] == ["serve"]
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
        assert {"cpu", "memory"} <= set(container["resources"]["requests"])
        assert {"cpu", "memory"} <= set(container["resources"]["limits"])
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert pod["securityContext"]["runAsNonRoot"] is True
        [port] = container["ports"]
        env = {e["name"]: e["value"] for e in container["env"]}
        assert port["containerPort"] == PORTS[name] == int(env["SAMLENG_HTTP_PORT"])
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/path"] == "/metrics"
        refs = [
            source["secretRef"]["name"] for source in container["envFrom"] if "secretRef" in source
        ]
        assert refs == [f"samleng-{name}"]  # its own Secret, by reference
        if target != "base":
            assert ":" in container["image"] and not container["image"].endswith(":latest")
    assert not of_kind(resources, "Secret"), "secret values never live in git"


@pytest.mark.parametrize("target", TARGETS)
def test_each_service_has_a_service_a_budget_and_an_autoscaler(target: str) -> None:
    resources = rendered(target)
    services, budgets = of_kind(resources, "Service"), of_kind(resources, "PodDisruptionBudget")
    hpas, scaled = of_kind(resources, "HorizontalPodAutoscaler"), of_kind(resources, "ScaledObject")
    deployments = of_kind(resources, "Deployment")
    for name in DEPLOYMENTS:
        selector = deployments[name]["spec"]["selector"]["matchLabels"]
        assert services[name]["spec"]["selector"] == selector
        assert budgets[name]["spec"]["selector"]["matchLabels"] == selector
        assert (name in hpas) != (name in scaled), f"{name}: exactly one autoscaler"
    for name in ("intake", "web"):
        assert hpas[name]["spec"]["scaleTargetRef"]["name"] == name
    for name in ("routing", "notification", "reporting"):
        spec = scaled[name]["spec"]
        assert spec["scaleTargetRef"]["name"] == name
        [queue_trigger] = [t for t in spec["triggers"] if t["type"] == "rabbitmq"]
        # scaled on the depth of the queue the service really consumes
        assert queue_trigger["metadata"]["queueName"] == CONSUMERS[name].name
        assert queue_trigger["authenticationRef"]["name"] in of_kind(
            resources, "TriggerAuthentication"
        )
        assert spec["minReplicaCount"] >= 1 and spec["maxReplicaCount"] > spec["minReplicaCount"]


@pytest.mark.parametrize("target", TARGETS)
def test_every_pod_migrates_before_it_serves_and_no_job_needs_deleting(target: str) -> None:
    """``migrate`` is idempotent, so it runs as each back-end pod's init container: a
    release is one ``kubectl apply -k``, with no Job whose pod template cannot change."""
    resources = rendered(target)
    assert not of_kind(resources, "Job"), "a Job would have to be deleted by hand each release"
    deployments = of_kind(resources, "Deployment")
    for name in SERVICES:
        pod = deployments[name]["spec"]["template"]["spec"]
        [container] = pod["containers"]
        [init] = pod["initContainers"]
        assert init["args"] == ["migrate"]
        assert init["image"] == container["image"]  # the same release, always
        assert init["envFrom"] == container["envFrom"]
        assert init["securityContext"] == container["securityContext"]
        assert {"cpu", "memory"} <= set(init["resources"]["limits"])
    assert "initContainers" not in deployments["web"]["spec"]["template"]["spec"]


@pytest.mark.parametrize("target", TARGETS)
def test_only_web_intake_and_reporting_are_reachable_from_outside(target: str) -> None:
    resources = rendered(target)
    policies = of_kind(resources, "NetworkPolicy")
    deny = policies["default-deny-ingress"]["spec"]
    assert deny["podSelector"] == {} and "ingress" not in deny
    from_ingress_controller = [
        p
        for p in policies.values()
        if any(
            peer.get("namespaceSelector", {})
            .get("matchLabels", {})
            .get("kubernetes.io/metadata.name")
            == "ingress-nginx"
            for rule in p["spec"].get("ingress", [])
            for peer in rule.get("from", [])
        )
    ]
    [public] = from_ingress_controller
    [expression] = public["spec"]["podSelector"]["matchExpressions"]
    assert set(expression["values"]) == PUBLIC
    backends = {
        path["backend"]["service"]["name"]
        for ingress in of_kind(resources, "Ingress").values()
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert backends == PUBLIC  # which paths: tests/deploy/test_ingress.py
    # web reaches the APIs it calls (intake, notification; which ports: test_web.py);
    # nothing but the four back-end services reaches the broker and the database
    web_to_apis = policies["web-to-apis"]["spec"]
    [[web]] = [rule["from"] for rule in web_to_apis["ingress"]]
    assert web["podSelector"]["matchLabels"]["app.kubernetes.io/name"] == "web"
    [reached] = web_to_apis["podSelector"]["matchExpressions"]
    assert set(reached["values"]) == {"intake", "notification"}
    for name in ("rabbitmq-clients", "mongodb-clients"):
        [clients, *_] = policies[name]["spec"]["ingress"]
        for peer in clients["from"]:
            if "podSelector" in peer:
                [expression] = peer["podSelector"]["matchExpressions"]
                assert set(expression["values"]) == set(SERVICES), name
    for service in of_kind(resources, "Service").values():
        assert service["spec"].get("type", "ClusterIP") == "ClusterIP"


@pytest.mark.parametrize("target", TARGETS)
def test_the_prometheus_operator_scrapes_every_service_and_rabbitmq(target: str) -> None:
    resources = rendered(target)
    monitors = of_kind(resources, "ServiceMonitor")
    services = of_kind(resources, "Service")

    def selected(monitor: Document) -> set[str]:
        wanted = monitor["spec"]["selector"]["matchLabels"].items()
        return {
            name
            for name, service in services.items()
            if wanted <= service["metadata"].get("labels", {}).items()
        }

    [samleng] = [m for m in monitors.values() if selected(m)]
    assert selected(samleng) == set(DEPLOYMENTS)
    for name in DEPLOYMENTS:
        ports = {p["name"] for p in services[name]["spec"]["ports"]}
        for endpoint in samleng["spec"]["endpoints"]:
            assert endpoint["port"] in ports and endpoint["path"] == "/metrics", name
    # RabbitMQ's Service is made by its operator: select it by the operator's labels
    rabbit = monitors["samleng-rabbitmq"]["spec"]
    assert rabbit["selector"]["matchLabels"]["app.kubernetes.io/name"] == "samleng-rabbitmq"
    assert {e["port"] for e in rabbit["endpoints"]} == {"prometheus"}
    # the scrapes are admitted by the network policy (from the monitoring namespace)
    scrape = of_kind(resources, "NetworkPolicy")["metrics-scrape"]["spec"]["ingress"][0]
    assert {"http", 15692} <= {p["port"] for p in scrape["ports"]}


def test_traces_go_to_the_collector_with_the_standard_otel_variables() -> None:
    config = of_kind(rendered("base"), "ConfigMap")["samleng-config"]["data"]
    standard = {name for name in dir(environment_variables) if name.startswith("OTEL_")}
    otel = {name for name in config if name.startswith("OTEL_")}
    assert {"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL"} <= otel
    assert otel <= standard, f"not read by the OpenTelemetry SDK: {otel - standard}"
    # what Samleng reads and what the standard names say agree
    assert config["OTEL_EXPORTER_OTLP_ENDPOINT"] == config["SAMLENG_OTEL_EXPORTER_OTLP_ENDPOINT"]
    assert config["OTEL_EXPORTER_OTLP_PROTOCOL"] == "http/protobuf"  # the exporter Samleng uses
    assert config["OTEL_EXPORTER_OTLP_ENDPOINT"].endswith(":4318")


def test_mongodb_is_run_by_mck_not_the_archived_community_operator() -> None:
    """The community operator (mongodb/mongodb-kubernetes-operator) was archived in
    December 2025; MongoDB Controllers for Kubernetes serves the same MongoDBCommunity."""
    root = K8S.parents[1]
    texts = {
        path: path.read_text(encoding="utf-8")
        for path in [*K8S.rglob("*.yaml"), root / "docs" / "operations.md"]
    }
    for path, text in texts.items():
        assert "mongodb-kubernetes-operator" not in text, f"{path} points at the archived operator"
    assert "github.com/mongodb/mongodb-kubernetes" in texts[root / "docs" / "operations.md"]
    assert "mongodb/mongodb-kubernetes" in texts[K8S / "base" / "mongodb.yaml"]


def test_overlays_size_the_infrastructure() -> None:
    pilot, national = rendered("overlays/pilot"), rendered("overlays/national")
    assert {r["metadata"]["namespace"] for r in pilot} == {"samleng-pilot"}
    assert {r["metadata"]["namespace"] for r in national} == {"samleng"}
    assert of_kind(pilot, "RabbitmqCluster")["samleng-rabbitmq"]["spec"]["replicas"] == 1
    assert of_kind(national, "RabbitmqCluster")["samleng-rabbitmq"]["spec"]["replicas"] == 3
    assert of_kind(national, "MongoDBCommunity")["samleng-mongodb"]["spec"]["members"] == 3
    national_intake = of_kind(national, "Deployment")["intake"]["spec"]["template"]["spec"]
    assert national_intake["containers"][0]["resources"]["limits"]["cpu"] == "2"


def test_services_that_sign_officers_in_find_the_identity_provider() -> None:
    """The issuer and JWKS URL are in each signing service's Secret (documented in
    docs/operations.md, since Secrets are made outside git), the audience in the ConfigMap."""
    config = of_kind(rendered("base"), "ConfigMap")["samleng-config"]["data"]
    assert config["SAMLENG_OIDC_AUDIENCE"] == "samleng"
    operations = (K8S.parents[1] / "docs" / "operations.md").read_text(encoding="utf-8")
    rows = {
        line.split("|")[1].strip(" `"): line.split("|")[2]
        for line in operations.splitlines()
        if line.startswith("| `samleng-")
    }
    root = K8S.parents[1] / "services"
    for name in SERVICES:
        app = (root / name / "src" / "samleng" / name / "app.py").read_text(encoding="utf-8")
        if "TokenVerifier.from_settings" in app:
            assert "SAMLENG_OIDC_ISSUER" in rows[f"samleng-{name}"], name
            assert "SAMLENG_OIDC_JWKS_URL" in rows[f"samleng-{name}"], name
    assert not any("ANALYST_TOKEN" in keys for keys in rows.values())


def _yaml_files() -> list[Path]:
    return sorted(K8S.rglob("*.yaml"))


@pytest.mark.parametrize("path", _yaml_files(), ids=lambda p: str(p.relative_to(K8S)))
def test_every_manifest_file_is_used_by_some_kustomization(path: Path) -> None:
    if path.name == "kustomization.yaml":
        return
    [kustomization] = yaml.safe_load_all((path.parent / "kustomization.yaml").read_text())
    used: list[Any] = [*kustomization.get("resources", [])]
    used += [p["path"] for p in kustomization.get("patches", [])]
    assert path.name in used, f"{path} is not listed in its kustomization.yaml"
