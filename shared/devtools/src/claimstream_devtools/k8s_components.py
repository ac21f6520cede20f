"""The operators' resources of each service, from its kit declaration: its Kafka user and ACLs (Strimzi), its three
database roles (CloudNativePG) and its worker's scaling on its consumer group's lag (KEDA). Written into
deploy/k8s/components by `claimstream_devtools.manifests` (docs/deploy.md, "Operators")."""

import math
from typing import Any

from claimstream_platform.contracts import registered_events
from claimstream_platform.kit import Service
from claimstream_platform.messaging.kafka import TOPIC_PARTITIONS, dead_letter_topic
from claimstream_platform.messaging.letters import REDRIVEN_TOPIC
from claimstream_platform.messaging.partitions import COMMIT_SECONDS, GATHER_SECONDS

from claimstream_devtools.k8s_objects import DATABASE, certificate_only, labels, locked_down

KAFKA_CLUSTER, DATABASE_CLUSTER = "claimstream", "claimstream-db"
ACCESS_TOPIC = "access.v1"  # every service that reads PHI records it there
ROLES = ("owner", "app", "across")


def contracts() -> list[type[Any]]:
    """The events claimstream ships (claimstream_platform.contracts), not those a process registered besides (a
    test's own): the manifests are the same whatever ran before."""
    return [cls for cls in registered_events().values() if cls.__module__.startswith("claimstream_platform.contracts.")]


def consumed_topics(service: Service[Any]) -> list[str]:
    shipped = {cls.topic for cls in contracts()}
    return [topic for topic in service.consumed_topics() if topic in shipped]


def produced_topics(service: Service[Any]) -> list[str]:
    """Its own events' topic (its contracts module), and the access records every publishing service writes."""
    if not service.publishes:
        return []
    own = {cls.topic for cls in contracts() if cls.__module__.endswith(f".{service.package}")}
    return sorted(own | {ACCESS_TOPIC})


def kafka_user(service: Service[Any]) -> dict[str, Any]:
    """Its SCRAM-SHA-512 login (Strimzi keeps the password in the Secret of the user's name) and what it may do:
    write its topics; read what it consumes, as its own group; write the dead letters of what it consumes."""

    def allow(kind: str, name: str, *operations: str) -> dict[str, Any]:
        return {"resource": {"type": kind, "name": name, "patternType": "literal"}, "operations": list(operations)}

    acls = [allow("topic", topic, "Write", "Describe") for topic in produced_topics(service)]
    for topic in consumed_topics(service):
        acls += [
            allow("topic", topic, "Read", "Describe"),
            allow("topic", dead_letter_topic(topic), "Write", "Describe"),
        ]
    if consumed_topics(service):
        acls.append(allow("group", service.name, "Read", "Describe"))
    if service.package == "projection":
        acls += operators_stream(allow)
    return {
        "apiVersion": "kafka.strimzi.io/v1beta2",
        "kind": "KafkaUser",
        "metadata": {"name": service.name, "labels": {"strimzi.io/cluster": KAFKA_CLUSTER}},
        "spec": {"authentication": {"type": "scram-sha-512"}, "authorization": {"type": "simple", "acls": acls}},
    }


def operators_stream(allow: Any) -> list[dict[str, Any]]:
    """The projection's stream health reads every dead-letter topic and every group's lag; an operator's redrive
    from it (the console's stream page) sends letters back to their topics and marks them redriven."""
    topics = sorted({cls.topic for cls in contracts()})
    acls = [allow("topic", dead_letter_topic(t), "Read", "Describe") for t in topics]
    acls.append(allow("group", "*", "Describe"))
    acls += [allow("topic", t, "Write", "Describe") for t in topics]
    acls.append(allow("topic", REDRIVEN_TOPIC, "Read", "Write", "Describe"))
    return acls


def database_roles(every: list[Service[Any]]) -> list[dict[str, Any]]:
    """Each service's owner, app and across roles, made by CloudNativePG with a password from their Secret (a
    `kubernetes.io/basic-auth` Secret `<service>-db-<role>` you create); the grants are the Job's."""
    return [
        {
            "name": f"{service.package}_{role}",
            "ensure": "present",
            "login": True,
            "superuser": False,
            "createdb": False,
            "createrole": False,
            "inherit": False,
            "replication": False,
            "bypassrls": False,
            "connectionLimit": -1,
            "passwordSecret": {"name": f"{service.name}-db-{role}"},
        }
        for service in every
        for role in ROLES
    ]


def grants_job(every: list[Service[Any]]) -> dict[str, Any]:
    """`database_roles --existing` for every schema, as the cluster's superuser: the schema to its owner, the app
    and across roles their use of it. The migration Jobs retry until it has run."""
    arguments = ["claimstream_platform.database_roles", "--existing", *(s.package for s in every)]
    return superuser_job("database-grants", "grants", arguments)


def superuser_job(name: str, label: str, arguments: list[str]) -> dict[str, Any]:
    """A command of the platform's run as the database cluster's superuser (its Secret is these Jobs' alone)."""
    password = {"secretKeyRef": {"name": f"{DATABASE_CLUSTER}-superuser", "key": "password"}}
    where = (
        f"{DATABASE_CLUSTER}-rw:5432/{DATABASE}?sslmode=verify-full&sslrootcert=/var/run/claimstream/postgres-ca/ca.crt"
    )
    main = {
        "name": label,
        "image": "claimstream",
        "args": arguments,
        "env": [
            {"name": "DATABASE_SUPERUSER_PASSWORD", "valueFrom": password},
            {"name": "DATABASE_URL", "value": f"postgresql+asyncpg://postgres:$(DATABASE_SUPERUSER_PASSWORD)@{where}"},
        ],
        "volumeMounts": [{"name": "postgres-ca", "mountPath": "/var/run/claimstream/postgres-ca", "readOnly": True}],
        "resources": {"requests": {"cpu": "50m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}},
        "securityContext": locked_down(),
    }
    pod = {
        "automountServiceAccountToken": False,
        "restartPolicy": "OnFailure",
        "securityContext": {"runAsNonRoot": True, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [main],
        "volumes": [{"name": "postgres-ca", **certificate_only(f"{DATABASE_CLUSTER}-ca")}],
    }
    spec = {
        "backoffLimit": 10,
        "ttlSecondsAfterFinished": 600,
        "template": {"metadata": {"labels": {"app.kubernetes.io/name": label}}, "spec": pod},
    }
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name}, "spec": spec}


def scaling(service: Service[Any]) -> list[dict[str, Any]]:
    """Its worker follows its consumer group's lag (KEDA's Kafka scaler), one replica at least, at most one per
    partition; logged in as the service's own Kafka user."""
    authentication = kafka_login(service)
    auth_name = authentication["metadata"]["name"]
    trigger = {
        "type": "kafka",
        "metadata": {
            # KEDA connects from its own namespace: the name in full (docs/deploy.md: the namespace is claimstream)
            "bootstrapServers": f"{KAFKA_CLUSTER}-kafka-bootstrap.claimstream.svc:9093",
            "consumerGroup": service.name,
            "lagThreshold": lag_threshold(service),
            "sasl": "scram_sha512",
            "tls": "enable",
        },
        "authenticationRef": {"name": auth_name},
    }
    scaled = {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": {"name": f"{service.name}-worker", "labels": labels(service, "worker")},
        "spec": {
            "scaleTargetRef": {"name": f"{service.name}-worker"},
            "minReplicaCount": 1,
            "maxReplicaCount": TOPIC_PARTITIONS,
            "pollingInterval": 15,
            "cooldownPeriod": 300,
            "triggers": [trigger],
        },
    }
    return [authentication, scaled]


def lag_threshold(service: Service[Any]) -> str:
    """Committed offsets trail what a worker applied by a second or two (docs/platform.md, Inbox): at 200 the
    projection's applied second at 50 encounters/s (about 600 events) alone read as lag to scale out for. So 1,000
    for a worker that rests the default after a batch, and for one that rests longer its offsets trail by its rest
    too: 1,000 times the trail's proportion to the default's, rounded up (2,000 for a second's rest)."""
    trail = (COMMIT_SECONDS + service.gather_seconds) / (COMMIT_SECONDS + GATHER_SECONDS)
    return str(1000 * math.ceil(round(trail, 3)))


def kafka_login(service: Service[Any]) -> dict[str, Any]:
    """KEDA's login to Kafka for the service's group: the service's own user (its name, as the worker's env says it;
    its password from Strimzi's Secret) and the cluster's authority."""
    return {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "TriggerAuthentication",
        "metadata": {"name": f"{service.name}-kafka"},
        "spec": {
            "secretTargetRef": [
                {"parameter": "password", "name": service.name, "key": "password"},
                {"parameter": "ca", "name": f"{KAFKA_CLUSTER}-cluster-ca-cert", "key": "ca.crt"},
            ],
            "env": [{"parameter": "username", "name": "KAFKA_SASL_USERNAME", "containerName": "worker"}],
        },
    }
