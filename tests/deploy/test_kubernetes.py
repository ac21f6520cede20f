"""Issue 29: the Kubernetes manifests, checked without a cluster. The per-service files are what the services'
declarations give (`python -m claimstream_devtools.manifests`); every overlay renders with `kubectl kustomize`; and
what it renders holds what a cluster's reviewer checks: each service's API and worker with probes, resources and a
locked-down security context, its Service, account, disruption budgets, autoscaler, migration Job and network
policy; secrets named, never held (docs/deploy.md, "Kubernetes")."""

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from claimstream_devtools.manifests import rendered
from claimstream_platform.kit import discover

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
SERVICES = list(discover(ROOT / "services"))
OURS = [s for s in SERVICES if not s.stand_in]
KUBERNETES = "1.32.0"  # the API the manifests are written for (kubectl 1.32 renders them here)
OPERATORS = ("kafka.strimzi.io/", "postgresql.cnpg.io/", "keda.sh/")  # their resources: test_operators.py
SECRETS = re.compile(r"^(claimstream-auth|claimstream-cluster-ca-cert|claimstream-db-ca|[a-z-]+(-files)?)$")


def deployed(overlay: str) -> list[Any]:
    """The services an overlay deploys: the dev overlay's demo adds the clearinghouse simulator (k8s_demo.py)."""
    return SERVICES if overlay.endswith("dev") else OURS


def render(overlay: str) -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl renders the overlays (the machine's, or a pinned one on the PATH)"
    done = subprocess.run([kubectl, "kustomize", str(K8S / overlay)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return [item for item in yaml.safe_load_all(done.stdout) if item]


@pytest.fixture(scope="module", params=["overlays/dev", "overlays/prod"])
def objects(request: pytest.FixtureRequest) -> tuple[str, list[dict[str, Any]]]:
    return request.param, render(request.param)


def test_the_per_service_files_are_what_the_declarations_give_and_the_base_lists_them() -> None:
    for path, content in rendered(ROOT).items():
        assert path.read_text() == content, f"{path.name} is stale: run python -m claimstream_devtools.manifests"
    listed = yaml.safe_load((K8S / "base" / "kustomization.yaml").read_text())["resources"]
    assert sorted(f"services/{s.name}.yaml" for s in OURS) == sorted(r for r in listed if r.startswith("services/"))


def test_every_kubernetes_object_validates_against_the_apis_schema(objects: tuple[str, list[dict[str, Any]]]) -> None:
    """Strict: a field the API does not know (a typo it would drop without a word) fails, as a wrong type does."""
    overlay, items = objects
    checked = [item for item in items if not item["apiVersion"].startswith(OPERATORS)]
    assert len(checked) > 100
    for item in checked:
        try:
            kubernetes_validate.validate(item, KUBERNETES, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{overlay} {item['kind']} {item['metadata']['name']}: {error.message} at {list(error.path)}")


def test_every_service_has_its_api_worker_and_the_objects_around_them(
    objects: tuple[str, list[dict[str, Any]]],
) -> None:
    overlay, items = objects
    found = {(item["kind"], item["metadata"]["name"]) for item in items}
    for service in deployed(overlay):
        n = service.name
        for kind, name in [
            ("ServiceAccount", n),
            ("Deployment", f"{n}-api"),
            ("Deployment", f"{n}-worker"),
            ("Service", n),
            ("PodDisruptionBudget", f"{n}-api"),
            ("PodDisruptionBudget", f"{n}-worker"),
            ("HorizontalPodAutoscaler", f"{n}-api"),
            ("Job", f"{n}-migrate"),
            ("NetworkPolicy", n),
        ]:
            assert (kind, name) in found, f"{overlay}: no {kind} {name}"
    if overlay.endswith("prod"):  # a production cluster talks to the real partners; the dev overlay runs the demo
        stand_ins = [s for s in SERVICES if s.stand_in]
        assert not any(n.startswith(s.name) for s in stand_ins for _, n in found), f"the simulator is in {overlay}"
        assert not any(n.startswith(("demo-", "mail")) for _, n in found), f"the demo is in {overlay}"
    assert all(item["metadata"].get("namespace") == "claimstream" for item in items if item["kind"] != "Namespace")


def test_every_pod_runs_locked_down_with_resources_probes_and_secrets_by_reference(
    objects: tuple[str, list[dict[str, Any]]],
) -> None:
    overlay, items = objects
    assert not [i for i in items if i["kind"] == "Secret"], f"{overlay} holds a Secret's value"
    for item, pod in _pods(items):
        where = f"{overlay} {item['kind']} {item['metadata']['name']}"
        context = pod["securityContext"]
        assert context["runAsNonRoot"] and context["runAsUser"] != 0 and context["seccompProfile"]["type"]
        assert pod["automountServiceAccountToken"] is False, where
        for container in pod["containers"] + pod.get("initContainers", []):
            locked = container["securityContext"]
            assert locked == {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, **_no_caps()}, where
            assert {"cpu", "memory"} <= set(container["resources"]["requests"]) & set(container["resources"]["limits"])
            if container in pod["containers"] and item["kind"] != "Job":
                assert {"livenessProbe", "readinessProbe"} <= set(container), where
            for variable in container.get("env", []):
                assert _by_reference(variable), f"{where}: {variable['name']} holds what grants access"
        for volume in pod["volumes"]:
            assert "secret" not in volume or SECRETS.match(volume["secret"]["secretName"]), where


def test_workers_listen_on_metrics_only_and_apis_scale_between_bounds(
    objects: tuple[str, list[dict[str, Any]]],
) -> None:
    overlay, items = objects
    for scaler in (i for i in items if i["kind"] == "HorizontalPodAutoscaler"):
        spec = scaler["spec"]
        assert 1 <= spec["minReplicas"] <= spec["maxReplicas"], overlay
        assert spec["scaleTargetRef"]["name"].endswith("-api")
    for item, pod in _pods(items):
        if item["metadata"]["name"].endswith("-worker"):
            [container] = pod["containers"]
            assert [p["name"] for p in container["ports"]] == ["metrics"]
            assert container["args"][1:] == ["worker"]


def test_network_policies_deny_by_default_and_open_what_each_service_calls(
    objects: tuple[str, list[dict[str, Any]]],
) -> None:
    overlay, items = objects
    policies = {i["metadata"]["name"]: i["spec"] for i in items if i["kind"] == "NetworkPolicy"}
    for name, spec in policies.items():
        assert spec["policyTypes"] == ["Ingress", "Egress"], f"{overlay} {name}"
    console_calls = {
        rule["to"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
        for rule in policies["console"]["egress"]
        if "podSelector" in rule["to"][0] and "app.kubernetes.io/name" in rule["to"][0]["podSelector"]["matchLabels"]
    }
    assert console_calls == {s.name for s in OURS} - {"console"}, "the console calls every service's API"
    assert not any("ipBlock" in rule["to"][0] for rule in policies["projection"]["egress"]), "nothing outside"


def _by_reference(variable: dict[str, Any]) -> bool:
    """What grants access comes from a Secret: a password by reference, a URL built from one (Kubernetes expands
    `$(...)`), a file mounted from one."""
    name, value = variable["name"], str(variable.get("value", ""))
    if name.endswith("_FILE"):
        return value.startswith("/var/run/claimstream/")
    if name.endswith("DATABASE_URL"):
        return (
            re.fullmatch(r"postgresql\+asyncpg://\w+:\$\(DATABASE_\w+_PASSWORD\)@[^?]+\?sslmode=verify-full&.+", value)
            is not None
        )
    if re.search(r"PASSWORD|SECRET|TOKEN|KEY", name):
        return "secretKeyRef" in variable.get("valueFrom", {})
    return True


def _pods(items: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for item in items:
        if item["kind"] in ("Deployment", "Job"):
            yield item, item["spec"]["template"]["spec"]


def _no_caps() -> dict[str, Any]:
    return {"capabilities": {"drop": ["ALL"]}}
