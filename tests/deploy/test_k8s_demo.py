"""Issue 29: the demo on a cluster (deploy/k8s/components/demo, in the dev overlay alone). What `kubectl apply -k
deploy/k8s/overlays/dev` renders runs the demo `make run` runs: the simulator deployed as a service is and reached as
the partners, a mail sink, the demo's tenant made once, the workload with tokens identity issues; and every Secret it
names that no operator makes is made by `claimstream_devtools.k8s_secrets`, with the keys the pods read
(docs/deploy.md, "The demo on a cluster")."""

import os
import re
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from claimstream_devtools.k8s_demo import DEMO_TENANT_ID, SIMULATOR
from claimstream_devtools.k8s_secrets import demo_secrets
from claimstream_platform import single_host
from claimstream_platform.auth import CLEARINGHOUSE_AUDIENCE, CLEARINGHOUSE_ISSUER
from claimstream_platform.authority import make_server_tls
from claimstream_platform.kit import discover
from test_kubernetes import ROOT, render

SERVICES = list(discover(ROOT / "services"))
# Made by the operators: Strimzi (a KafkaUser's password under its name, the cluster's CA) and CloudNativePG.
BY_OPERATORS = {"claimstream-cluster-ca-cert", "claimstream-db-ca", "claimstream-db-superuser"}


@pytest.fixture(scope="module")
def dev() -> dict[tuple[str, str], dict[str, Any]]:
    return {(item["kind"], item["metadata"]["name"]): item for item in render("overlays/dev")}


def _pod(item: dict[str, Any]) -> dict[str, Any]:
    pod: dict[str, Any] = item["spec"]["template"]["spec"]
    return pod


def test_the_services_reach_the_simulator_and_the_mail_sink_as_their_partners(dev: dict[Any, Any]) -> None:
    settings = dev[("ConfigMap", "claimstream-platform")]["data"]
    assert settings["CLEARINGHOUSE_URL"] == settings["PROCESSOR_URL"] == f"http://{SIMULATOR}"
    assert ("Service", SIMULATOR) in dev and ("Service", "mail") in dev and settings["SMTP_HOST"] == "mail"
    assert settings["PROCESSOR_WEBHOOK_URL"] == "http://patient-billing/v1/processor/webhooks"
    for kind in ("api", "worker"):
        [container] = _pod(dev[("Deployment", f"{SIMULATOR}-{kind}")])["containers"]
        env = {variable["name"]: variable.get("value") for variable in container["env"]}
        assert env["SIMULATOR_PUBLIC_KEY_FILE"] == "/var/run/claimstream/files/simulator_public_key"
        # its own issuer's tokens, over the platform ConfigMap's claimstream ones
        assert (env["AUTH_ISSUER"], env["AUTH_AUDIENCE"]) == (CLEARINGHOUSE_ISSUER, CLEARINGHOUSE_AUDIENCE)
    for name, selected, reaches in (
        ("demo-partners", {s.name for s in SERVICES if not s.stand_in}, {SIMULATOR, "mail"}),
        ("demo-simulator", {SIMULATOR}, {"patient-billing"}),  # the processor's webhooks
    ):
        policy = dev[("NetworkPolicy", name)]["spec"]
        assert _selected(policy["podSelector"]) == selected, name
        reached = {rule["to"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/name"] for rule in policy["egress"]}
        assert reached == reaches and policy["ingress"] == [], f"{name} opens what it should not, or too little"


def _selected(selector: dict[str, Any]) -> set[str]:
    if "matchLabels" in selector:
        return {selector["matchLabels"]["app.kubernetes.io/name"]}
    [expression] = selector["matchExpressions"]
    assert expression["key"] == "app.kubernetes.io/name" and expression["operator"] == "In"
    return set(expression["values"])


def test_the_simulator_has_its_roles_its_grants_and_its_login(dev: dict[Any, Any]) -> None:
    roles = {role["name"] for role in dev[("Cluster", "claimstream-db")]["spec"]["managed"]["roles"]}
    assert {f"clearinghouse_simulator_{role}" for role in ("owner", "app", "across")} <= roles
    assert "clearinghouse_simulator" in _pod(dev[("Job", "database-grants")])["containers"][0]["args"]
    assert ("KafkaUser", SIMULATOR) in dev and ("Job", f"{SIMULATOR}-migrate") in dev


def test_the_demo_tenant_is_made_once_and_the_workload_s_tokens_are_issued_for_it_by_identity(
    dev: dict[Any, Any],
) -> None:
    [made] = _pod(dev[("Job", "demo-tenant")])["containers"]
    assert made["args"][-2:] == ["--id", DEMO_TENANT_ID] and made["args"][1:3] == ["admin", "create-tenant"]
    pod = _pod(dev[("Deployment", "demo-workload")])
    [tokens], [workload] = pod["initContainers"], pod["containers"]
    script = tokens["command"][-1]
    assert script.count(f"issue-integration --tenant {DEMO_TENANT_ID}") == 3
    assert "clearinghouse_simulator.demo_people --identity http://identity" in script  # the console's people
    assert any(v["name"] == "IDENTITY_SIGNING_KEY_FILE" for v in tokens["env"]), "issued as identity"
    assert {m["name"] for m in workload["volumeMounts"]} == {"tmp", "workload", "demo"}, "no identity Secret"
    env = {variable["name"]: variable["value"] for variable in workload["env"]}
    assert env["CHARGE_CAPTURE_URL"] == "http://charge-capture" and env["SIMULATOR_URL"] == f"http://{SIMULATOR}"
    assert workload["args"][0] == "clearinghouse_simulator.workload"


def test_the_production_overlay_holds_no_demo() -> None:
    names = {item["metadata"]["name"] for item in render("overlays/prod")}
    assert not {n for n in names if n.startswith((SIMULATOR, "demo-", "mail"))}
    settings = next(i for i in render("overlays/prod") if i["kind"] == "ConfigMap")["data"]
    assert settings["CLEARINGHOUSE_URL"].endswith(".invalid")


def _referenced(items: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Each Secret the pods name, with the keys they read (a whole mounted Secret: the files its env points to)."""
    wanted: dict[str, set[str]] = {}
    [config] = [i["data"] for i in items if (i["kind"], i["metadata"]["name"]) == ("ConfigMap", "claimstream-platform")]
    for item in items:
        if item["kind"] not in ("Deployment", "Job"):
            continue
        pod = _pod(item)
        mounted = {v["name"]: v["secret"]["secretName"] for v in pod["volumes"] if "secret" in v}
        for container in pod["containers"] + pod.get("initContainers", []):
            for variable in container.get("env", []):
                ref = variable.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    wanted.setdefault(ref["name"], set()).add(ref["key"])
            paths = {m["mountPath"]: mounted[m["name"]] for m in container["volumeMounts"] if m["name"] in mounted}
            values = [str(v.get("value", "")) for v in container.get("env", [])]
            values += list(config.values()) if container.get("envFrom") else []  # the platform's settings
            for value in values:
                for path, secret in paths.items():
                    if value.startswith(f"{path}/"):
                        wanted.setdefault(secret, set()).add(value.removeprefix(f"{path}/"))
            for secret in paths.values():
                wanted.setdefault(secret, set())
    return wanted


def test_every_secret_the_demo_names_is_made_by_the_command_with_the_keys_its_pods_read() -> None:
    items = render("overlays/dev")
    users = {item["metadata"]["name"] for item in items if item["kind"] == "KafkaUser"}
    with tempfile.TemporaryDirectory() as folder:
        made = {s["metadata"]["name"]: s for s in demo_secrets(SERVICES, single_host.make_keys(Path(folder)))}
    wanted = {name: keys for name, keys in _referenced(items).items() if name not in BY_OPERATORS | users}
    assert wanted and "identity-files" in wanted and "claimstream-demo" in wanted
    for name, keys in wanted.items():
        assert name in made, f"the dev overlay names Secret {name}, which nothing makes"
        assert keys <= set(made[name]["stringData"]), f"{name} lacks {keys - set(made[name]['stringData'])}"
    logins = [s for s in made.values() if s.get("type") == "kubernetes.io/basic-auth"]
    assert len(logins) == 3 * len(SERVICES) and len({s["stringData"]["password"] for s in logins}) == len(logins)
    assert all(s["metadata"]["namespace"] == "claimstream" for s in made.values() if s["kind"] == "Secret")


def _pod_environment(container: dict[str, Any], config: dict[str, str], root: Path, ca: bytes) -> dict[str, str]:
    """What Kubernetes gives the container (the ConfigMap, then its own variables, a Secret's value as a made-up
    one, `$(NAME)` expanded), with the files its paths name made under `root`: the authority a real certificate."""
    env = dict(config) if container.get("envFrom") else {}
    for variable in container.get("env", []):
        value = variable.get("value", f"secret-{os.urandom(8).hex()}")
        env[variable["name"]] = re.sub(r"\$\((\w+)\)", lambda match: env[match.group(1)], value)
    env = {name: value.replace("/var/run/claimstream", str(root)) for name, value in env.items()}
    for path in {Path(p) for value in env.values() for p in re.findall(rf"{re.escape(str(root))}[\w/.-]+", value)}:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(ca if path.name == "ca.crt" else b"made up\n")
    return env


def test_every_service_pod_s_settings_validate_from_what_the_dev_overlay_gives_it(tmp_path: Path) -> None:
    items = render("overlays/dev")
    [config] = [i["data"] for i in items if (i["kind"], i["metadata"]["name"]) == ("ConfigMap", "claimstream-platform")]
    ca = make_server_tls(tmp_path / "authority").ca_file.read_bytes()
    by_package = {service.package: service for service in SERVICES}
    checked = set()
    for item in (i for i in items if i["kind"] in ("Deployment", "Job")):
        for container in _pod(item)["containers"]:
            package, kind = (container.get("args") or ["", ""])[:2]
            if package not in by_package or kind not in ("api", "worker", "migrate"):
                continue
            env = _pod_environment(container, config, tmp_path / item["metadata"]["name"], ca)
            with mock.patch.dict(os.environ, env, clear=True):
                settings = by_package[package].settings()
            assert settings.database_schema == package and settings.kafka_transport().protocol == "SASL_SSL"
            if package == "clearinghouse_simulator":
                assert (settings.auth_issuer, settings.auth_audience) == (CLEARINGHOUSE_ISSUER, CLEARINGHOUSE_AUDIENCE)
            checked.add((package, kind))
    assert checked == {(s.package, kind) for s in SERVICES for kind in ("api", "worker", "migrate")}
