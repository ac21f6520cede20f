"""Which letters a redrive sends (messaging/redrive.py `plan`), without a broker: an event dead-lettered by several
groups goes once, a letter marked goes again only with `again`, a mark of another letter at the same address does
not count, a letter that is no event is not sent, and the selection narrows by group, kind and event."""

from uuid import uuid4

from claimstream_platform.messaging.letters import Letter, Mark
from claimstream_platform.messaging.redrive import Selection, plan


def letter(offset: int, event_id: str | None, *, consumer: str = "ledger", kind: str = "decode") -> Letter:
    headers = [("dlq_consumer", consumer), ("dlq_kind", kind), ("dlq_topic", "ledger.v1"), ("dlq_partition", "2")]
    if event_id is not None:
        headers.append(("ce_id", event_id))
    encoded = tuple((name, value.encode()) for name, value in headers)
    return Letter("ledger.v1.dlq", 0, offset, 1_000 + offset, encoded, b"key", b"{}")


def test_an_event_dead_lettered_by_several_groups_is_sent_once_and_each_letter_marked() -> None:
    event = str(uuid4())
    letters = [letter(0, event, consumer="ledger"), letter(1, event, consumer="projection"), letter(2, str(uuid4()))]
    chosen = plan(letters, {}, Selection())
    assert [[each.offset for each in outgoing.letters] for outgoing in chosen.events] == [[0, 1], [2]]
    assert (chosen.events[0].letter.origin_topic, chosen.events[0].letter.origin_partition) == ("ledger.v1", 2)


def test_a_letter_redriven_before_goes_again_only_when_asked() -> None:
    first, second = letter(0, str(uuid4())), letter(1, str(uuid4()))
    marks = {first.address: Mark(first.timestamp_ms, "2026-01-01T00:00:00+00:00", "ledger.v1:2:9")}
    once = plan([first, second], marks, Selection())
    assert ([o.letter.offset for o in once.events], once.redriven_before) == ([1], 1)
    again = plan([first, second], marks, Selection(again=True))
    assert ([o.letter.offset for o in again.events], again.redriven_before) == ([0, 1], 0)


def test_a_mark_of_another_letter_at_the_same_address_does_not_count() -> None:
    """A dead-letter topic deleted and created again reuses offsets: the mark's letter time tells them apart."""
    new = letter(0, str(uuid4()))
    marks = {new.address: Mark(new.timestamp_ms - 500, "2026-01-01T00:00:00+00:00", "ledger.v1:2:9")}
    assert [o.letter.offset for o in plan([new], marks, Selection()).events] == [0]


def test_a_letter_without_an_event_id_is_not_sent() -> None:
    chosen = plan([letter(0, None), letter(1, str(uuid4()))], {}, Selection())
    assert [o.letter.offset for o in chosen.events] == [1]
    assert [each.offset for each in chosen.not_events] == [0]


def test_the_selection_narrows_by_group_kind_and_event() -> None:
    wanted = str(uuid4())
    letters = [
        letter(0, wanted, consumer="ledger", kind="handler"),
        letter(1, str(uuid4()), consumer="ledger", kind="handler"),
        letter(2, wanted, consumer="projection", kind="handler"),
        letter(3, wanted, consumer="ledger", kind="practice"),
    ]
    selection = Selection(consumer="ledger", kind="handler", event_ids=frozenset({wanted}))
    assert [[each.offset for each in o.letters] for o in plan(letters, {}, selection).events] == [[0]]
