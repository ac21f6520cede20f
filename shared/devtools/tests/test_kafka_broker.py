"""The local broker's own choices: a cluster id made as Kafka's tool makes one, and the JVM each profile runs (a
test's broker light, `make run`'s and the benches' as Kafka's start script runs it)."""

import base64
import re
from pathlib import Path

import pytest
from claimstream_devtools.devstack import stack
from claimstream_devtools.devstack.kafka import LIGHT_JVM, SERVER_JVM, KafkaBroker, cluster_id


def test_a_cluster_id_is_sixteen_random_bytes_in_url_safe_base64_never_starting_with_a_dash() -> None:
    ids = {cluster_id() for _ in range(2000)}
    assert len(ids) == 2000
    for found in ids:
        assert re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_-]{21}", found), found
        assert len(base64.urlsafe_b64decode(found + "==")) == 16


def test_the_test_profiles_run_a_light_broker_unless_asked_for_make_runs_and_the_others_kafkas_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TEST_STACK_PORT_BASE", raising=False)
    monkeypatch.delenv("TEST_STACK_BROKER", raising=False)
    assert stack.test_profile().broker_jvm == LIGHT_JVM
    monkeypatch.setenv("TEST_STACK_PORT_BASE", "24000")
    assert stack.test_profile().broker_jvm == LIGHT_JVM
    monkeypatch.setenv("TEST_STACK_BROKER", "server")  # the sustained bench's
    assert stack.test_profile().broker_jvm == SERVER_JVM
    monkeypatch.delenv("TEST_STACK_PORT_BASE")
    assert stack.test_profile().broker_jvm == SERVER_JVM
    assert stack.PROFILES["run"].broker_jvm == stack.PROFILES["bench"].broker_jvm == SERVER_JVM


@pytest.mark.parametrize("jvm", [LIGHT_JVM, SERVER_JVM])
def test_a_stack_starts_its_broker_with_its_profiles_jvm(jvm: tuple[str, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[KafkaBroker] = []

    def start(broker: KafkaBroker) -> float:
        started.append(broker)
        return 1.0

    monkeypatch.setattr(KafkaBroker, "start", start)
    profile = stack.Profile("wired", kafka_port=1, controller_port=2, postgres_port=3, smtp_port=4, broker_jvm=jvm)
    stack.LocalStack(profile)._start_kafka()
    assert [broker.jvm for broker in started] == [jvm]


def test_the_brokers_java_command_carries_its_jvm_settings(tmp_path: Path) -> None:
    broker = KafkaBroker(data_dir=tmp_path, cache_dir=tmp_path, port=1, controller_port=2, jvm=LIGHT_JVM)
    command = broker._java_command("libs/*")
    assert command[0] == "java" and all(option in command for option in LIGHT_JVM)
    assert "-XX:+UseG1GC" not in command
