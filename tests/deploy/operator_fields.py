"""The fields and types our custom resources may use, as each operator's documentation states them for the version
the manifests are written for. No registry carries these operators' CRDs as files (Strimzi's Maven Central `api`
artifact holds the classes the CRDs are generated from, not the CRDs), so the test checks our resources against
these, field by field: an unknown field (a typo the operator would drop without a word) or a wrong type fails.

Only the fields claimstream's manifests use are listed; a new field joins here with the version's documentation.
- Strimzi 0.48 (`kafka.strimzi.io/v1beta2`): Kafka, KafkaNodePool, KafkaTopic, KafkaUser.
- CloudNativePG 1.27 (`postgresql.cnpg.io/v1`): Cluster.
- KEDA 2.18 (`keda.sh/v1alpha1`): ScaledObject, TriggerAuthentication; the Kafka scaler's metadata and parameters.
"""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class OneOf:
    values: tuple[Any, ...]


@dataclass(frozen=True)
class ListOf:
    item: Any


@dataclass(frozen=True)
class MapOf:
    value: Any


STRING_MAP = MapOf(str)
LABELS = {"name": str, "labels": STRING_MAP, "annotations": STRING_MAP, "namespace": str}
ACL_OPERATIONS = ("Read", "Write", "Create", "Delete", "Alter", "Describe", "ClusterAction", "AlterConfigs")
ACL_OPERATIONS += ("DescribeConfigs", "IdempotentWrite", "All")
RESOURCES = {"requests": MapOf((str, int)), "limits": MapOf((str, int))}
KAFKA_SCALER = ("bootstrapServers", "consumerGroup", "topic", "lagThreshold", "activationLagThreshold")
KAFKA_SCALER += ("offsetResetPolicy", "allowIdleConsumers", "excludePersistentLag", "sasl", "tls", "version")
KAFKA_AUTH = ("sasl", "username", "password", "tls", "ca", "cert", "key", "keyPassword", "unsafeSsl")

KINDS: dict[str, dict[str, Any]] = {
    "KafkaNodePool": {
        "replicas": int,
        "roles": ListOf(OneOf(("controller", "broker"))),
        "storage": {
            "type": OneOf(("jbod", "persistent-claim", "ephemeral")),
            "volumes": ListOf(
                {
                    "id": int,
                    "type": OneOf(("persistent-claim", "ephemeral")),
                    "size": str,
                    "deleteClaim": bool,
                    "kraftMetadata": OneOf(("shared",)),
                }
            ),
        },
        "resources": RESOURCES,
        "template": {"pod": {"affinity": dict}},
    },
    "Kafka": {
        "kafka": {
            "listeners": ListOf(
                {
                    "name": str,
                    "port": int,
                    "type": OneOf(("internal", "route", "loadbalancer", "nodeport", "ingress", "cluster-ip")),
                    "tls": bool,
                    "authentication": {"type": OneOf(("tls", "scram-sha-512", "oauth", "custom"))},
                }
            ),
            "authorization": {"type": OneOf(("simple", "opa", "keycloak", "custom"))},
            "config": MapOf((str, int, bool)),
        },
        "entityOperator": {"topicOperator": dict, "userOperator": dict},
    },
    "KafkaTopic": {"topicName": str, "partitions": int, "replicas": int, "config": MapOf((str, int, bool))},
    "KafkaUser": {
        "authentication": {"type": OneOf(("tls", "tls-external", "scram-sha-512"))},
        "authorization": {
            "type": OneOf(("simple",)),
            "acls": ListOf(
                {
                    "resource": {
                        "type": OneOf(("topic", "group", "cluster", "transactionalId")),
                        "name": str,
                        "patternType": OneOf(("literal", "prefix")),
                    },
                    "operations": ListOf(OneOf(ACL_OPERATIONS)),
                    "host": str,
                }
            ),
        },
    },
    "Cluster": {
        "instances": int,
        "enableSuperuserAccess": bool,
        "bootstrap": {"initdb": {"database": str, "owner": str}},
        "postgresql": {"parameters": STRING_MAP},
        "storage": {"size": str},
        "affinity": {"enablePodAntiAffinity": bool, "topologyKey": str, "podAntiAffinityType": str},
        "managed": {
            "roles": ListOf(
                {
                    "name": str,
                    "ensure": OneOf(("present", "absent")),
                    "login": bool,
                    "superuser": bool,
                    "createdb": bool,
                    "createrole": bool,
                    "inherit": bool,
                    "replication": bool,
                    "bypassrls": bool,
                    "connectionLimit": int,
                    "passwordSecret": {"name": str},
                }
            )
        },
    },
    "ScaledObject": {
        "scaleTargetRef": {"name": str, "kind": str, "apiVersion": str},
        "minReplicaCount": int,
        "maxReplicaCount": int,
        "pollingInterval": int,
        "cooldownPeriod": int,
        "triggers": ListOf(
            {
                "type": OneOf(("kafka",)),
                "metadata": dict.fromkeys(KAFKA_SCALER, str),  # KEDA's metadata is strings, always
                "authenticationRef": {"name": str},
            }
        ),
    },
    "TriggerAuthentication": {
        "secretTargetRef": ListOf({"parameter": OneOf(KAFKA_AUTH), "name": str, "key": str}),
        "env": ListOf({"parameter": OneOf(KAFKA_AUTH), "name": str, "containerName": str}),
    },
}
API_VERSIONS = {
    "KafkaNodePool": "kafka.strimzi.io/v1beta2",
    "Kafka": "kafka.strimzi.io/v1beta2",
    "KafkaTopic": "kafka.strimzi.io/v1beta2",
    "KafkaUser": "kafka.strimzi.io/v1beta2",
    "Cluster": "postgresql.cnpg.io/v1",
    "ScaledObject": "keda.sh/v1alpha1",
    "TriggerAuthentication": "keda.sh/v1alpha1",
}


def problems(value: Any, schema: Any, where: str) -> list[str]:
    """What in `value` the schema does not allow: unknown fields, wrong types, values outside a list."""
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            return [f"{where}: an object expected"]
        unknown = [f"{where}.{key}: not a field" for key in value if key not in schema]
        return unknown + [
            p for key, item in value.items() if key in schema for p in problems(item, schema[key], f"{where}.{key}")
        ]
    if isinstance(schema, ListOf):
        if not isinstance(value, list):
            return [f"{where}: a list expected"]
        return [p for index, item in enumerate(value) for p in problems(item, schema.item, f"{where}[{index}]")]
    if isinstance(schema, MapOf):
        if not isinstance(value, dict):
            return [f"{where}: a map expected"]
        return [p for key, item in value.items() for p in problems(item, schema.value, f"{where}.{key}")]
    if isinstance(schema, OneOf):
        return [] if value in schema.values else [f"{where}: {value!r} is not one of {schema.values}"]
    kinds = schema if isinstance(schema, tuple) else (schema,)
    wrong = isinstance(value, bool) and bool not in kinds  # a bool is an int to Python, never to the operator
    return [] if isinstance(value, kinds) and not wrong else [f"{where}: {type(value).__name__} for {kinds}"]
