"""Issue 29: the custom resources each overlay renders (Strimzi's, CloudNativePG's, KEDA's) use only the fields and
types their operators document for the pinned versions (operator_fields.py), and say what claimstream relies on:
Kafka replicated three ways with min ISR 2 in production, each service's Kafka user limited to its own topics and
group, its database roles without powers, and its worker scaled no further than its topics' partitions."""

from typing import Any

import pytest
from claimstream_devtools.k8s_components import consumed_topics, produced_topics
from claimstream_platform.messaging.kafka import TOPIC_PARTITIONS
from claimstream_platform.messaging.letters import REDRIVEN_TOPIC
from operator_fields import API_VERSIONS, KINDS, problems
from test_kubernetes import deployed, render


@pytest.fixture(scope="module", params=["overlays/dev", "overlays/prod"])
def resources(request: pytest.FixtureRequest) -> tuple[str, list[dict[str, Any]]]:
    return request.param, [item for item in render(request.param) if item["kind"] in KINDS]


def test_every_custom_resource_uses_only_documented_fields_and_types(
    resources: tuple[str, list[dict[str, Any]]],
) -> None:
    overlay, items = resources
    assert {item["kind"] for item in items} == set(KINDS), f"{overlay} lacks some operator's resources"
    found = []
    for item in items:
        where = f"{overlay} {item['kind']} {item['metadata']['name']}"
        assert item["apiVersion"] == API_VERSIONS[item["kind"]], where
        assert set(item) == {"apiVersion", "kind", "metadata", "spec"}, where
        found += problems(item["spec"], KINDS[item["kind"]], where)
    assert found == []


def test_production_replicates_kafka_three_ways_and_every_service_has_a_narrow_login(
    resources: tuple[str, list[dict[str, Any]]],
) -> None:
    overlay, items = resources
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_kind.setdefault(item["kind"], []).append(item)
    replicas = {topic["spec"]["replicas"] for topic in by_kind["KafkaTopic"]}
    assert replicas == ({3} if overlay.endswith("prod") else {1})
    if overlay.endswith("prod"):
        assert {t["spec"]["config"]["min.insync.replicas"] for t in by_kind["KafkaTopic"]} == {"2"}
        assert by_kind["KafkaNodePool"][0]["spec"]["replicas"] == 3
    users = {user["metadata"]["name"]: user["spec"]["authorization"]["acls"] for user in by_kind["KafkaUser"]}
    assert set(users) == {s.name for s in deployed(overlay)}
    for service in deployed(overlay):
        acls = users[service.name]
        reads = {(a["resource"]["type"], a["resource"]["name"]) for a in acls if "Read" in a["operations"]}
        assert {name for kind, name in reads if kind == "group"} <= {service.name}, f"{service.name}: another group"
        topics = {name for kind, name in reads if kind == "topic" and not name.endswith(".dlq")}
        marks = {REDRIVEN_TOPIC} if service.package == "projection" else set()  # which letters went back
        assert topics == set(consumed_topics(service)) | marks, service.name  # dead letters: the health page
        assert not any(a["resource"]["type"] == "cluster" or "All" in a["operations"] for a in acls), service.name
        writes = {a["resource"]["name"] for a in acls if "Write" in a["operations"]}
        own = set(produced_topics(service)) | {f"{topic}.dlq" for topic in consumed_topics(service)}
        if service.package == "projection":  # an operator's redrive from the stream page: letters back, marked
            own |= set(consumed_topics(service)) | {REDRIVEN_TOPIC}
        assert writes == own, f"{service.name} may write beyond its own topics and its dead letters"
    [cluster] = by_kind["Cluster"]
    roles = cluster["spec"]["managed"]["roles"]
    assert len(roles) == 3 * len(deployed(overlay))
    assert not any(r["superuser"] or r["bypassrls"] or r["createrole"] for r in roles)
    for scaled in by_kind["ScaledObject"]:
        assert 1 <= scaled["spec"]["minReplicaCount"] <= scaled["spec"]["maxReplicaCount"] <= TOPIC_PARTITIONS


def test_a_worker_that_rests_longer_after_a_batch_scales_out_only_past_a_lag_as_much_longer(
    resources: tuple[str, list[dict[str, Any]]],
) -> None:
    triggers = [item["spec"]["triggers"][0]["metadata"] for item in resources[1] if item["kind"] == "ScaledObject"]
    lags = {trigger["consumerGroup"]: int(trigger["lagThreshold"]) for trigger in triggers}
    # the projection rests a second after a batch (the default is 0.2 s): its committed offsets trail by that too
    assert lags["projection"] == 2 * lags["claim-submission"] == 2000, lags


def test_the_field_check_reports_a_misspelt_field_a_wrong_type_and_a_value_outside_the_list() -> None:
    acl = {"resource": {"type": "topic", "name": "x", "patternType": "literal"}, "operation": ["Read"]}
    user = {"authentication": {"type": "scram-sha-512"}, "authorization": {"type": "simple", "acls": [acl]}}
    assert problems(user, KINDS["KafkaUser"], "u") == ["u.authorization.acls[0].operation: not a field"]
    scaled = {"minReplicaCount": True, "triggers": [{"type": "kafka", "metadata": {"lagThreshold": 200}}]}
    assert problems(scaled, KINDS["ScaledObject"], "s") == [
        "s.minReplicaCount: bool for (<class 'int'>,)",
        "s.triggers[0].metadata.lagThreshold: int for (<class 'str'>,)",
    ]
    assert problems({"roles": ["leader"]}, KINDS["KafkaNodePool"], "n") == [
        "n.roles[0]: 'leader' is not one of ('controller', 'broker')"
    ]
