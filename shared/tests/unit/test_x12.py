"""The X12 envelope layer: round trips, delimiters from the ISA, trailer errors kept, unreadable input named."""

from datetime import datetime

import pytest
from claimstream_platform.x12 import (
    Delimiters,
    FunctionalGroup,
    Interchange,
    Segment,
    Transaction,
    X12Error,
    parse_interchange,
    write_interchange,
)
from x12_corpus import CORPUS, MISSING

DEFAULT = Delimiters()


def sample(delimiters: Delimiters = DEFAULT) -> Interchange:
    body = [Segment.of("BHT", "0019", "00", "B1", "20260302", "1200", "CH"), Segment.of("NM1", "41", "2", "ACME", "")]
    return Interchange(
        sender_qualifier="ZZ",
        sender_id="SUBMITTER",
        receiver_qualifier="ZZ",
        receiver_id="CLEARINGHOUSE",
        control_number="17",
        groups=[
            FunctionalGroup("HC", "SUB", "CH", "42", "005010X222A1", [Transaction("837", "0001", "005010X222A1", body)])
        ],
        usage="T",
        delimiters=delimiters,
    )


def test_write_then_read_gives_the_same_content() -> None:
    text = write_interchange(sample(), now=datetime(2026, 3, 2, 12, 0))
    isa = text.splitlines()[0]
    assert len(isa) == 106 and isa.endswith("~")
    assert "SE*4*0001~" in text and "GE*1*42~" in text and "IEA*1*000000017~" in text
    read = parse_interchange(text)
    assert (read.sender_id, read.receiver_id, read.control_number, read.usage) == (
        "SUBMITTER",
        "CLEARINGHOUSE",
        "000000017",
        "T",
    )
    (group,) = read.groups
    (transaction,) = group.transactions
    assert (group.control_number, transaction.set_id, transaction.implementation) == ("42", "837", "005010X222A1")
    assert [s.tag for s in transaction.segments] == ["BHT", "NM1"]
    assert transaction.segments[1].elements == ("41", "2", "ACME")  # trailing empty elements dropped
    assert transaction.trailer_errors == [] and group.trailer_errors == []


def test_delimiters_come_from_the_isa() -> None:
    text = write_interchange(sample(Delimiters(element="|", component=">", repetition="!", segment="\n")))
    read = parse_interchange(text)
    assert read.delimiters == Delimiters(element="|", component=">", repetition="!", segment="\n")
    assert read.groups[0].transactions[0].segments[0].get(3) == "B1"


def test_wrong_trailer_counts_are_kept_as_999_codes() -> None:
    text = write_interchange(sample()).replace("SE*4*0001~", "SE*9*0002~").replace("GE*1*42~", "GE*2*43~")
    group = parse_interchange(text).groups[0]
    assert group.transactions[0].trailer_errors == ["3", "4"]
    assert group.trailer_errors == ["4", "5"]


@pytest.mark.parametrize(
    ("mangle", "reason", "position"),
    [
        (lambda t: t[3:], "an interchange starts with a 106-character ISA segment", 1),
        (lambda t: t.replace("IEA*1*000000017~\n", ""), "the interchange has no IEA trailer", 7),
        (lambda t: t.replace("IEA*1*000000017", "IEA*1*000000018"), "IEA02 does not match ISA13", 8),
        (lambda t: t.replace("SE*4*0001~\n", ""), "transaction set not closed by SE", 6),
        (lambda t: t.replace("GS*", "XX*"), "segment outside a transaction set", 2),
        (lambda t: t.replace("BHT*", "B@T*"), "'B@T' is not a segment tag", 4),
    ],
)
def test_unreadable_input_says_where(mangle, reason: str, position: int) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(X12Error) as caught:
        parse_interchange(mangle(write_interchange(sample())))
    assert (caught.value.reason, caught.value.position) == (reason, position)


def test_component_access() -> None:
    segment = Segment.of("SV1", ("HC", "90837", "95", "HO"), "140")
    assert segment.component(1, 2, Delimiters()) == "90837"
    assert segment.component(1, 5, Delimiters(), "none") == "none"
    assert segment.get(7) == ""


@pytest.mark.skipif(not CORPUS.is_dir(), reason=MISSING)
def test_corpus_files_read_or_fail_with_a_position() -> None:
    """137 of the 148 corpus interchanges read; the rest are broken on purpose or by their authors (IEA02 not
    matching ISA13, a bad segment identifier) and must fail with a located X12Error, never anything else."""
    read, refused = 0, 0
    for path in sorted(CORPUS.rglob("*")):
        text = path.read_text(encoding="utf-8-sig", errors="replace") if path.is_file() else ""
        if not text.lstrip().startswith("ISA"):
            continue
        try:
            assert parse_interchange(text).groups, path.name
            read += 1
        except X12Error as error:
            assert error.position >= 1 and error.tag
            refused += 1
    assert read >= 130 and refused <= 15
