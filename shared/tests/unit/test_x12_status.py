"""276 and 277 (005010X212): every public sample of the guide reads (or its envelope is refused with its segment
and reason), a 277's statuses are read at the claim, line, provider and receiver levels, our 276s and 277s read
back as written, and what cannot be read names its segment."""

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

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
from claimstream_platform.x12.eligibility_model import Party
from claimstream_platform.x12.status import IMPLEMENTATION, read_status, transaction_276, transaction_277
from claimstream_platform.x12.status_model import ClaimStatus, Line, Status
from x12_corpus import CORPUS, MISSING

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
SAMPLES = (
    sorted(p for p in CORPUS.rglob("*") if p.is_file() and re.search(r"27[67]", str(p.relative_to(CORPUS))))
    if CORPUS.is_dir()
    else []
)


def _transactions(path: Path) -> list[tuple[Transaction, Interchange]]:
    interchange = parse_interchange(path.read_text(encoding="utf-8-sig", errors="replace"))
    return [(t, interchange) for g in interchange.groups for t in g.transactions]


def _with_its_trailer_mended(path: Path) -> list[tuple[Transaction, Interchange]]:
    """A de-identified sample whose IEA02 no longer matches its ISA13 (our envelope refuses it, as it refuses any
    such interchange), its trailer mended: its transactions are still the guide's to read."""
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    isa = text[text.index("ISA") :]
    isa13 = isa.split(isa[3])[13]
    interchange = parse_interchange(re.sub(r"IEA\*(\d+)\*\d+", lambda m: f"IEA*{m.group(1)}*{isa13}", text))
    return [(t, interchange) for g in interchange.groups for t in g.transactions]


@pytest.mark.skipif(not CORPUS.is_dir(), reason=MISSING)
def test_every_public_276_and_277_of_the_guide_reads() -> None:
    read, mended, other_guides = 0, 0, set()
    for path in SAMPLES:
        try:
            found = _transactions(path)
        except X12Error as error:
            assert error.position > 0 and error.tag in ("ISA", "IEA", "HL"), path  # refused, saying where
            if (error.tag, error.element) != ("IEA", 2):
                continue
            found, mended = _with_its_trailer_mended(path), mended + 1
        for transaction, interchange in found:
            if transaction.implementation != "005010X212":
                other_guides.add(transaction.implementation)  # the 277CA is claim submission's (X214)
                continue
            claims = read_status(transaction, interchange.delimiters)
            assert claims and all(c.payer.identifier and c.trace for c in claims), path
            read += 1
    assert read >= 20 and mended >= 2 and other_guides == {"005010X214"}


def _sample(name: str) -> list[ClaimStatus]:
    [(transaction, interchange)] = _transactions(CORPUS / "LinuxForHealth-x12" / name)
    return read_status(transaction, interchange.delimiters)


@pytest.mark.skipif(not CORPUS.is_dir(), reason=MISSING)
def test_a_277_says_where_each_claim_and_line_stands_and_may_answer_above_the_claims() -> None:
    pending, paid, denied = _sample("claim-level-status.277")
    assert (pending.statuses[0].category, pending.statuses[0].code) == ("P3", "317")
    assert pending.payer_claim_number == "05347006051"
    assert (paid.statuses[0].category, paid.statuses[0].paid, paid.patient_control_number) == ("F0", 7599, "J0234567")
    assert (denied.patient and denied.patient.last_or_name, denied.statuses[0].effective) == ("MANN", date(2005, 6, 12))
    [line] = denied.lines
    assert (line.procedure, line.charge, line.paid, line.statuses[0].entity) == ("99203", 150, 0, "QC")
    assert line.service_date == date(2005, 5, 1)  # the line's own DTP*472
    claim, provider = _sample("provider-level-status.277")
    assert (claim.level, provider.level, provider.statuses[0].code) == ("claim", "provider", "24")
    assert provider.subscriber is None
    [receiver] = _sample("information-receiver-level-status.277")
    assert (receiver.level, receiver.statuses[0].category, receiver.provider) == ("receiver", "E0", None)


def _party(code: str, kind: str, name: str, qualifier: str, identifier: str, first: str = "") -> Party:
    return Party(code, kind, name, first, qualifier, identifier)


PAYER, RECEIVER = _party("PR", "2", "SIM HEALTH PLAN", "PI", "SIMAHP"), _party("41", "2", "CLAIMSTREAM", "46", "CS01")
PROVIDER = _party("1P", "2", "CALM MINDS THERAPY", "XX", "1234567893")
ASKED = [
    ClaimStatus(
        PAYER,
        RECEIVER,
        "CS0000000001",
        PROVIDER,
        _party("IL", "1", "DOE", "MI", "W123456789", "JANE"),
        birth_date=date(1990, 4, 2),
        sex="F",
        patient_control_number="CS0000000001",
        payer_claim_number="ICN-77",
        charge=Decimal("180.00"),
        service_from=date(2026, 11, 2),
        service_to=date(2026, 11, 2),
        lines=(Line("90837", Decimal("180.00"), modifiers=("95",), units="1", service_date=date(2026, 11, 2)),),
    ),
    ClaimStatus(
        PAYER,
        RECEIVER,
        "CS0000000002",
        PROVIDER,
        _party("IL", "1", "ROE", "MI", "W987654321", "RICK"),
        patient=_party("QC", "1", "ROE", "", "", "SAM"),
        birth_date=date(2012, 1, 9),
        sex="M",
        patient_control_number="CS0000000002",
        charge=Decimal("150.00"),
        service_from=date(2026, 10, 1),
        service_to=date(2026, 10, 29),
    ),
]


def _round_trip(transaction: Transaction) -> list[ClaimStatus]:
    group = FunctionalGroup("HR" if transaction.set_id == "276" else "HN", "CS01", "SIMAHP", "1", "005010X212", [])
    group.transactions.append(transaction)
    interchange = Interchange("ZZ", "CS01", "ZZ", "SIMAHP", "000000001", [group], usage="T")
    parsed = parse_interchange(write_interchange(interchange, now=NOW))
    [read] = [t for g in parsed.groups for t in g.transactions]
    return read_status(read, parsed.delimiters)


def test_our_276_and_277_read_back_as_written() -> None:
    assert _round_trip(transaction_276(ASKED, "0001", created=NOW)) == ASKED
    paid = Status("F1", "65", effective=date(2026, 11, 20), charge=Decimal(180), paid=Decimal(112))
    paid = replace(paid, paid_on=date(2026, 11, 21), check_number="EFT-5531")
    denied = Status("F2", "88", "QC", effective=date(2026, 11, 20))
    line = Line("90837", Decimal(180), Decimal(112), modifiers=("95",), units="1", statuses=(paid,))
    unasked = {"birth_date": None, "sex": "", "charge": None}  # a 277 carries no DMG and no AMT*T3
    answered = [
        replace(ASKED[0], **unasked, statuses=(paid,), lines=(line,)),
        replace(ASKED[1], **unasked, statuses=(denied,)),
    ]
    assert _round_trip(transaction_277(answered, "0002", created=NOW)) == answered


def test_what_cannot_be_read_names_its_segment() -> None:
    asked = transaction_276(ASKED[:1], "0001", created=NOW).segments
    early = Transaction("277", "1", IMPLEMENTATION, [*asked[:3], Segment.of("STC", ("A1", "20"))])
    with pytest.raises(X12Error, match=r"\(STC\): a status \(STC\) before its claim's TRN"):
        read_status(early, Delimiters())
    no_subscriber = [s for s in asked if not (s.tag == "NM1" and s.get(1) == "IL")]
    with pytest.raises(X12Error, match="has no subscriber above it"):
        read_status(Transaction("276", "1", IMPLEMENTATION, no_subscriber), Delimiters())
    bad_date = [s if s.tag != "DTP" else Segment.of("DTP", "472", "D8", "20261341") for s in asked]
    with pytest.raises(X12Error, match="element 3: '20261341' is not a CCYYMMDD date"):
        read_status(Transaction("276", "1", IMPLEMENTATION, bad_date), Delimiters())
