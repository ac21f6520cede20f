"""270 and 271: every public sample reads (or is refused with its segment and reason), our 270s and 271s read
back as written, and the behavioral-health cases a 271 carries: copays, visit limits (EB and HSD), carve-outs, AAA
rejections."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from claimstream_platform.x12 import FunctionalGroup, Interchange, X12Error, parse_interchange, write_interchange
from claimstream_platform.x12.eligibility import read_270, read_271, transaction_270, transaction_271
from claimstream_platform.x12.eligibility_model import (
    MENTAL_HEALTH_TYPES,
    Benefit,
    Contact,
    Delivery,
    Inquiry,
    Party,
    Rejection,
    Response,
)
from x12_corpus import CORPUS, MISSING

SAMPLES = (
    sorted(
        p
        for p in CORPUS.rglob("*")
        if p.is_file() and re.search(r"27[01]", str(p.relative_to(CORPUS))) and p.suffix != ".csv"
    )
    if CORPUS.is_dir()
    else []
)
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def _transactions(path: Path) -> list[tuple[str, object, object]]:
    interchange = parse_interchange(path.read_text(encoding="utf-8-sig", errors="replace"))
    return [(t.set_id, t, interchange.delimiters) for g in interchange.groups for t in g.transactions]


@pytest.mark.skipif(not CORPUS.is_dir(), reason=MISSING)
def test_every_public_270_and_271_reads_or_is_refused_with_its_segment() -> None:
    read, refused = 0, []
    for path in SAMPLES:
        try:
            found = _transactions(path)
        except X12Error as error:  # the envelope itself is broken: the reason names the segment
            assert error.position > 0 and error.tag, path
            refused.append(path.name)
            continue
        for set_id, transaction, delimiters in found:
            if set_id == "270":
                assert all(
                    i.subscriber.identifier or i.subscriber.last_or_name for i in read_270(transaction, delimiters)
                )  # type: ignore[arg-type]
                read += 1
            elif set_id == "271":
                assert read_271(transaction, delimiters)  # type: ignore[arg-type]
                read += 1
    assert read == 12  # every sample but the two below, each a 270 or a 271
    assert sorted(refused) == ["x270.txt", "x271.txt"]  # IEA02 does not match ISA13 (a 4010 sample)


@pytest.mark.skipif(not CORPUS.is_dir(), reason=MISSING)
def test_a_sample_271_gives_copays_in_and_out_of_network_a_repeated_service_type_and_a_provider_entity() -> None:
    ((_, transaction, delimiters),) = _transactions(
        CORPUS / "LinuxForHealth-x12" / "subscriber-health-benefit-check.271"
    )
    (response,) = read_271(transaction, delimiters)  # type: ignore[arg-type]
    assert response.subscriber is not None
    assert (response.payer.identifier, response.subscriber.identifier) == ("841610001", "123456789")
    assert response.trace == "93175-012547"
    copays = [b for b in response.benefits if b.information == "B"]
    assert [(b.amount, b.in_network) for b in copays] == [(Decimal("10.00"), "Y"), (Decimal("30.00"), "N")]
    assert "MH" in copays[0].service_types and copays[0].period == "27"
    (pcp,) = [b for b in response.benefits if b.information == "L"]
    assert pcp.contacts[0].party.code == "P3"


@pytest.mark.skipif(not CORPUS.is_dir(), reason=MISSING)
def test_a_sample_271_that_refuses_the_provider_gives_its_aaa() -> None:
    path = CORPUS / "LinuxForHealth-x12" / "subscriber-health-benefit-check-error.271"
    ((_, transaction, delimiters),) = _transactions(path)
    (response,) = read_271(transaction, delimiters)  # type: ignore[arg-type]
    assert response.rejections == (Rejection("provider", "50", "N", "Y"),)


def inquiry(**changes: object) -> Inquiry:
    values: dict[str, object] = {
        "payer": Party("PR", "2", "SIMULATED BLUE", id_qualifier="PI", identifier="SIMBCX"),
        "provider": Party("1P", "2", "CALM MINDS THERAPY", id_qualifier="XX", identifier="1497758544"),
        "subscriber": Party("IL", "1", "NUNEZ", "ZOE", "MI", "XJH123456789"),
        "trace": "EC0000000001",
        "originator": "9CLAIMSTRM",
        "service_date": date(2026, 12, 3),
        "service_types": MENTAL_HEALTH_TYPES,
        "birth_date": date(1990, 1, 2),
    }
    values.update(changes)
    return Inquiry(**values)  # type: ignore[arg-type]


def _reread(transaction: object, kind: str) -> tuple[object, object]:
    group = FunctionalGroup(
        "HS" if kind == "270" else "HB",
        "CLAIMSTREAM",
        "SIM",
        "1",
        "005010X279A1",
        [transaction],
        date="20261201",
        time="0930",
    )  # type: ignore[list-item]
    text = write_interchange(Interchange("ZZ", "CLAIMSTREAM", "ZZ", "SIM", "000000001", [group], usage="T"), now=NOW)
    ((_, read, delimiters),) = _transactions_of(text)
    return read, delimiters


def _transactions_of(text: str) -> list[tuple[str, object, object]]:
    interchange = parse_interchange(text)
    return [(t.set_id, t, interchange.delimiters) for g in interchange.groups for t in g.transactions]


def test_our_270_reads_back_as_written_for_a_subscriber_and_for_a_dependent_without_an_id() -> None:
    mine = inquiry()
    transaction, delimiters = _reread(transaction_270(mine, "0001", created=NOW), "270")
    assert read_270(transaction, delimiters) == [mine.__class__(**{**vars(mine), "originator": ""})]  # type: ignore[arg-type]
    child = inquiry(dependent=Party("03", "1", "NUNEZ", "ALBA"), dependent_birth_date=date(2015, 6, 1))
    transaction, delimiters = _reread(transaction_270(child, "0002", created=NOW), "270")
    (read,) = read_270(transaction, delimiters)  # type: ignore[arg-type]
    assert (read.dependent, read.dependent_birth_date, read.trace) == (
        child.dependent,
        date(2015, 6, 1),
        "EC0000000001",
    )


def behavioral_health_benefits() -> tuple[Benefit, ...]:
    """Coverage, copay, coinsurance, visit limits coded and in MSG text, and a carve-out to another administrator."""
    administrator = Contact(
        Party("VN", "2", "SIMULATED BEHAVIORAL", id_qualifier="PI", identifier="SIMBHO"), phone="8005550142"
    )
    return (
        Benefit("1", "IND", ("30",), "PR", "BLUE PPO"),
        Benefit("B", "IND", ("A6",), period="27", amount=Decimal("25"), in_network="Y", authorization_required="N"),
        Benefit("A", "IND", ("A6",), percent=Decimal("0.2"), in_network="N"),
        Benefit("F", "IND", ("A6",), period="23", quantity_qualifier="VS", quantity=Decimal(20)),
        Benefit(
            "F",
            "IND",
            ("A6",),
            period="29",
            quantity_qualifier="VS",
            quantity=Decimal(12),
            messages=("OUTPATIENT PSYCHOTHERAPY LIMITED TO 20 VISITS PER CALENDAR YEAR",),
        ),
        Benefit(
            "U",
            "IND",
            ("MH",),
            messages=("BEHAVIORAL HEALTH ADMINISTERED BY SIMULATED BEHAVIORAL",),
            contacts=(administrator,),
        ),
    )


def test_our_271_reads_back_with_visit_limits_msg_text_a_carve_out_and_rejections() -> None:
    blue = Party("PR", "2", "SIMULATED BLUE", id_qualifier="PI", identifier="SIMBCX")
    benefits = behavioral_health_benefits()
    subscriber = Party("IL", "1", "NUNEZ", "ZOE", "MI", "XJH123456789")
    answered = Response(
        blue,
        Party("1P", "2", "CALM MINDS THERAPY", id_qualifier="XX", identifier="1497758544"),
        subscriber,
        trace="EC0000000001",
        benefits=benefits,
    )
    unknown = Response(
        blue,
        answered.provider,
        Party("IL", "1", "DOE", "JO", "MI", "BAD1"),
        trace="EC0000000002",
        rejections=(Rejection("subscriber", "72", "C", "Y"),),
    )
    transaction, delimiters = _reread(transaction_271([answered, unknown], "0001", created=NOW), "271")
    first, second = read_271(transaction, delimiters)  # type: ignore[arg-type]
    assert [
        (b.information, b.service_types, b.amount, b.percent, b.quantity, b.messages, b.contacts)
        for b in first.benefits
    ] == [(b.information, b.service_types, b.amount, b.percent, b.quantity, b.messages, b.contacts) for b in benefits]
    assert first.trace == "EC0000000001" and first.subscriber == subscriber
    assert second.rejections == (Rejection("subscriber", "72", "C", "Y"),) and second.benefits == ()


def test_a_benefit_amount_that_is_no_number_is_refused_with_its_segment_and_element() -> None:
    response = Response(
        Party("PR", "2", "SIMULATED BLUE", id_qualifier="PI", identifier="SIMBCX"),
        None,
        Party("IL", "1", "NUNEZ", "ZOE", "MI", "X1"),
        trace="T1",
        benefits=(Benefit("B", amount=Decimal(25)),),
    )
    answer = transaction_271([response], "0001", created=NOW)
    group = FunctionalGroup("HB", "SIM", "CLAIMSTREAM", "2", "005010X279A1", [answer], date="20261201", time="0930")
    text = write_interchange(Interchange("ZZ", "SIM", "ZZ", "CLAIMSTREAM", "000000002", [group], usage="T"), now=NOW)
    ((_, transaction, delimiters),) = _transactions_of(text.replace("*25~", "*2O~"))
    with pytest.raises(X12Error) as refused:
        read_271(transaction, delimiters)  # type: ignore[arg-type]
    assert (refused.value.tag, refused.value.element) == ("EB", 7) and "is not a number" in str(refused.value)


def test_hsd_visit_limits_are_read_with_the_eb_they_qualify_and_written_back() -> None:
    blue = Party("PR", "2", "SIMULATED BLUE", id_qualifier="PI", identifier="SIMBCX")
    limits = (
        Delivery("VS", Decimal(30), period="22"),
        Delivery("VS", Decimal(4), period="24"),
        Delivery("VS", Decimal(1), unit="WK"),
        Delivery("VS", Decimal(3), "WK", period="34", periods=Decimal(2)),
    )
    benefits = (
        Benefit("1", "IND", ("30",)),
        Benefit("F", "IND", ("MH",), deliveries=limits, messages=("PER YEAR",)),
        Benefit("B", "IND", ("MH",), period="27", amount=Decimal(20)),
    )
    answered = Response(blue, None, Party("IL", "1", "NUNEZ", "ZOE", "MI", "X1"), trace="T1", benefits=benefits)
    transaction, delimiters = _reread(transaction_271([answered], "0001", created=NOW), "271")
    assert [s.tag for s in transaction.segments if s.tag in ("EB", "HSD", "MSG")] == [  # type: ignore[attr-defined]
        "EB",
        "EB",
        "HSD",
        "HSD",
        "HSD",
        "HSD",
        "MSG",
        "EB",
    ]
    (read,) = read_271(transaction, delimiters)  # type: ignore[arg-type]
    assert [b.deliveries for b in read.benefits] == [(), limits, ()]
    assert read.benefits[1].messages == ("PER YEAR",)


def test_an_hsd_quantity_that_is_no_number_is_refused_with_its_segment_and_element() -> None:
    text = (
        "ISA*00*          *00*          *ZZ*SIM            *ZZ*CLAIMSTREAM    *261201*0930*^*00501*000000003*0*T*:~"
        "GS*HB*SIM*CLAIMSTREAM*20261201*0930*3*X*005010X279A1~ST*271*0001*005010X279A1~BHT*0022*11*T1*20261201*0930~"
        "HL*1**20*1~NM1*PR*2*BLUE*****PI*SIMBCX~HL*2*1*21*1~NM1*1P*2*CALM*****XX*1497758544~HL*3*2*22*0~TRN*2*T1*9SIM~"
        "NM1*IL*1*NUNEZ*ZOE****MI*X1~EB*F*IND*MH~HSD*VS*3O***23~SE*12*0001~GE*1*3~IEA*1*000000003~"
    )
    ((_, transaction, delimiters),) = _transactions_of(text)
    with pytest.raises(X12Error) as refused:
        read_271(transaction, delimiters)  # type: ignore[arg-type]
    assert (refused.value.tag, refused.value.element) == ("HSD", 2)
