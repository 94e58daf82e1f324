"""The Kubernetes manifests: overlays render, every resource validates against the
Kubernetes schemas, and the rules of docs/operations.md hold (probes, limits, secrets by
reference, autoscaling on queue depth, only intake and reporting public)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from samleng.common.topology import CONSUMERS
from tests.deploy.render import Document, key, render

pytestmark = pytest.mark.unit

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
TARGETS = ["base", "overlays/pilot", "overlays/national"]
#: Kubernetes versions the manifests must be valid for (oldest supported .. newest bundled).
KUBERNETES_VERSIONS = ["1.30.0", "1.37.0"]
SERVICES = ("intake", "routing", "notification", "reporting")
PUBLIC = {"intake", "reporting"}
PORTS = {"intake": 8000, "routing": 8001, "notification": 8002, "reporting": 8003}
#: Custom resources of the operators we rely on: their API and the spec fields we set.
CUSTOM = {
    "ScaledObject": ("keda.sh/v1alpha1", {"scaleTargetRef", "triggers"}),
    "TriggerAuthentication": ("keda.sh/v1alpha1", {"secretTargetRef"}),
    "RabbitmqCluster": ("rabbitmq.com/v1beta1", {"replicas"}),
    "MongoDBCommunity": ("mongodbcommunity.mongodb.com/v1", {"type", "members", "version"}),
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


@pytest.mark.parametrize("target", TARGETS)
def test_the_renderer_agrees_with_kustomize(target: str) -> None:
    tool = shutil.which("kustomize") or shutil.which("kubectl")
    if tool is None:
        pytest.skip("no kustomize or kubectl binary; the manifests are rendered in Python")
    command = [tool, "build"] if tool.endswith("kustomize") else [tool, "kustomize"]
    output = subprocess.run(
        [*command, str(K8S / target)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    theirs = {key(d): d for d in yaml.safe_load_all(output) if d}
    mine = {key(d): d for d in rendered(target)}
    assert mine == theirs


@pytest.mark.parametrize("target", TARGETS)
def test_each_service_is_probed_limited_and_runs_unprivileged(target: str) -> None:
    resources = rendered(target)
    deployments = of_kind(resources, "Deployment")
    assert set(deployments) == set(SERVICES)
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
def test_each_service_has_a_service_a_budget_a_migrate_job_and_an_autoscaler(
    target: str,
) -> None:
    resources = rendered(target)
    services, budgets = of_kind(resources, "Service"), of_kind(resources, "PodDisruptionBudget")
    jobs, hpas = of_kind(resources, "Job"), of_kind(resources, "HorizontalPodAutoscaler")
    scaled = of_kind(resources, "ScaledObject")
    deployments = of_kind(resources, "Deployment")
    for name in SERVICES:
        selector = deployments[name]["spec"]["selector"]["matchLabels"]
        assert services[name]["spec"]["selector"] == selector
        assert budgets[name]["spec"]["selector"]["matchLabels"] == selector
        [container] = jobs[f"{name}-migrate"]["spec"]["template"]["spec"]["containers"]
        assert container["args"] == ["migrate"]
        assert (
            container["image"]
            == deployments[name]["spec"]["template"]["spec"]["containers"][0]["image"]
        )
        assert (name in hpas) != (name in scaled), f"{name}: exactly one autoscaler"
    assert hpas["intake"]["spec"]["scaleTargetRef"]["name"] == "intake"
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
def test_only_intake_and_reporting_are_reachable_from_outside(target: str) -> None:
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
        (path["path"], path["backend"]["service"]["name"])
        for ingress in of_kind(resources, "Ingress").values()
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert {service for _, service in backends} == PUBLIC
    assert {path for path, _ in backends} == {"/v1"}  # never /metrics, /healthz, /readyz
    for service in of_kind(resources, "Service").values():
        assert service["spec"].get("type", "ClusterIP") == "ClusterIP"


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
