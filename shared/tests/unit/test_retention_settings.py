"""Retention settings: every table and topic has a default, and no combination is accepted in which a redelivered
event could outlive the inbox row that says it was applied (it would be applied twice)."""

from pathlib import Path

import pytest
from claimstream_platform.contracts import registered_events
from claimstream_platform.messaging.kafka import dead_letter_topic, topic_config
from claimstream_platform.messaging.letters import REDRIVEN_CONFIG, REDRIVEN_TOPIC
from claimstream_platform.settings import REDELIVERY_MARGIN_DAYS, RetentionSettings
from pydantic import ValidationError

DAY_MS = 86_400_000
ROOT = Path(__file__).resolve().parents[3]


def test_the_defaults_keep_the_inbox_past_every_redelivery() -> None:
    settings = RetentionSettings()
    assert (settings.outbox_retention_days, settings.topic_retention_days) == (7, 14)
    assert settings.dead_letter_topic_retention_days == 30
    # a letter redriven on its last day (30 + margin) is on its topic again for 14 days (+ margin)
    assert settings.inbox_retention_days >= 30 + 14 + 2 * REDELIVERY_MARGIN_DAYS


@pytest.mark.parametrize(
    "changes",
    [
        {"inbox_retention_days": 47},  # a letter redriven late would outlive it on its topic
        {"topic_retention_days": 30},  # a redriven letter now outlives the default inbox on its topic
        {"dead_letter_topic_retention_days": -1},  # letters kept forever, the inbox not
        {"topic_retention_days": -1},  # topics kept forever, the inbox not
        {"outbox_retention_days": 0},
    ],
)
def test_an_inbox_shorter_than_a_redelivery_or_a_retention_of_zero_is_refused(changes: dict[str, int]) -> None:
    with pytest.raises(ValidationError):
        RetentionSettings(**changes)  # type: ignore[arg-type]


def test_everything_may_be_kept_forever() -> None:
    forever = RetentionSettings(topic_retention_days=-1, dead_letter_topic_retention_days=-1, inbox_retention_days=-1)
    assert topic_config("claims.v1", forever)["retention.ms"] == "-1"


def test_a_dead_letter_topic_keeps_its_records_for_its_own_retention() -> None:
    settings = RetentionSettings(topic_retention_days=5, dead_letter_topic_retention_days=9, inbox_retention_days=18)
    assert topic_config("claims.v1", settings) == {
        "cleanup.policy": "delete",
        "retention.ms": str(5 * DAY_MS),
        "segment.ms": str(DAY_MS),
    }
    assert topic_config("claims.v1.dlq", settings)["retention.ms"] == str(9 * DAY_MS)


def test_the_kubernetes_topics_are_configured_as_ensure_topics_configures_them() -> None:
    """The Strimzi topics (deploy/k8s/components/topics) are how a cluster gets its topics: they keep the defaults."""
    topics = (ROOT / "deploy/k8s/components/topics/topics.yaml").read_text().split("\n---\n")[1:]
    [marks] = [block for block in topics if _value(block, "topicName") == REDRIVEN_TOPIC]  # as redrive makes it
    assert _value(marks, "cleanup.policy") == REDRIVEN_CONFIG["cleanup.policy"]
    configured = {
        _value(block, "topicName"): (_value(block, "retention.ms"), _value(block, "segment.ms"))
        for block in topics
        if block is not marks
    }
    contracts = [
        event for event in registered_events().values() if event.__module__.startswith("claimstream_platform.")
    ]
    published = {event.topic for event in contracts}  # not the tests' own example
    assert set(configured) == published | {dead_letter_topic(topic) for topic in published}
    defaults = RetentionSettings()
    for name, settings in configured.items():
        wanted = topic_config(name, defaults)
        assert settings == (wanted["retention.ms"], wanted["segment.ms"]), name


def _value(block: str, key: str) -> str:
    [line] = [line for line in block.splitlines() if line.strip().startswith(f"{key}:")]
    return line.split(":", 1)[1].strip().strip('"')
