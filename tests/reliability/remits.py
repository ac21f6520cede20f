"""835s for the document scenarios: a payer's ERA for claims the services made (valid for pyx12, balanced unless
told otherwise); scenario 12's malformed corpus, each file a good one with one defect; and scenario 15's claim whose
posting is larger than Kafka takes."""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from claimstream_platform.x12 import FunctionalGroup, Interchange, Segment, Transaction, write_interchange

PAYEE_NPI, NOW = "1497758544", datetime(2026, 11, 20, 9, 30)
CONTROL = "000000101"


@dataclass(frozen=True)
class Line:
    code: str
    modifiers: tuple[str, ...]
    charge: Decimal
    paid: Decimal
    control_number: str | None = None


@dataclass(frozen=True)
class Paid:
    """One claim payment (CLP) with its service lines; whatever is not paid is adjusted CO `carc`."""

    pcn: str
    lines: tuple[Line, ...]
    payer_claim_number: str
    status: str = "1"  # CLP02: 1 processed as primary, 22 a reversal (its amounts negative)
    carc: str = "45"
    rarc: str | None = None
    adjusted: tuple[tuple[str, str, Decimal], ...] = ()  # each line's adjustments instead (group, CARC, amount)

    @property
    def charge(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal(0))

    @property
    def paid(self) -> Decimal:
        return sum((line.paid for line in self.lines), Decimal(0))

    def reversed(self) -> "Paid":
        lines = tuple(replace(line, charge=-line.charge, paid=-line.paid) for line in self.lines)
        return replace(self, lines=lines, status="22")


def paid_in_full_less_a_fifth(known: Any, payer_claim_number: str) -> Paid:
    """A payment of a claim remittance posting knows (a `known_claims` row): 80 % of each line."""
    lines = json.loads(known["lines"]) if isinstance(known["lines"], str) else known["lines"]
    return Paid(
        known["patient_control_number"],
        tuple(
            Line(
                line["code"],
                tuple(line["modifiers"]),
                Decimal(str(line["amount"])),
                (Decimal(str(line["amount"])) * Decimal("0.8")).quantize(Decimal("0.01")),
                line.get("control_number"),
            )
            for line in lines
        ),
        payer_claim_number,
    )


@dataclass(frozen=True)
class Era:
    payments: Sequence[Paid]
    trace: str
    plb: Sequence[tuple[str, str, Decimal]] = field(default_factory=tuple)  # reason, reference, amount
    total_delta: Decimal = Decimal(0)  # a BPR02 off by this much
    sender: str = "CLEARINGHOUSE"  # ISA06

    @property
    def total(self) -> Decimal:
        return sum((p.paid for p in self.payments), Decimal(0)) - sum((a for *_, a in self.plb), Decimal(0))

    def text(self) -> str:
        body = [*_header(self.total + self.total_delta, self.trace)]
        for number, payment in enumerate(self.payments, start=1):
            body += [Segment.of("LX", number), *_claim(payment)]
        if self.plb:
            pairs: list[Any] = []
            for reason, reference, amount in self.plb:
                pairs += [(reason, reference), _amount(amount)]
            body.append(Segment.of("PLB", PAYEE_NPI, "20261231", *pairs))
        group = FunctionalGroup(
            "HP", "CLEARINGHOUSE", "CLAIMSTREAM", "7", "005010X221A1", [Transaction("835", "0001", "", body)]
        )
        interchange = Interchange("ZZ", self.sender, "ZZ", "CLAIMSTREAM", CONTROL, [group])
        return write_interchange(interchange, now=NOW)


def _header(total: Decimal, trace: str) -> list[Segment]:
    bank = ("CCP", "01", "999999992", "DA", "1234567890", "1123456789", "", "01", "999988880", "DA", "9876543210")
    return [
        Segment.of("BPR", "I", _amount(total), "C", "ACH", *bank, "20261120"),
        Segment.of("TRN", "1", trace, "1123456789"),
        Segment.of("DTM", "405", "20261120"),
        Segment.of("N1", "PR", "SIMULATED STATE MEDICAID"),
        Segment.of("N3", "1 PAYER PLAZA"),
        Segment.of("N4", "SALEM", "OR", "97301"),
        Segment.of("REF", "2U", "SIMMCD"),
        Segment.of("PER", "BL", "PROVIDER SERVICES", "TE", "8005550199"),
        Segment.of("N1", "PE", "PRACTICE BEHAVIORAL HEALTH", "XX", PAYEE_NPI),
    ]


def _claim(p: Paid) -> list[Segment]:
    clp = ("CLP", p.pcn, p.status, _amount(p.charge), _amount(p.paid), "", "MC", p.payer_claim_number, "11", "1")
    segments = [Segment.of(*clp), Segment.of("NM1", "QC", "1", "PARK", "LEE", "", "", "", "MI", "M12345")]
    segments.append(Segment.of("DTM", "050", "20261115"))
    for line in p.lines:
        segments += [
            Segment.of("SVC", ("HC", line.code, *line.modifiers), _amount(line.charge), _amount(line.paid), "", "1"),
            Segment.of("DTM", "472", "20261110"),
        ]
        adjusted = p.adjusted or ((("CO", p.carc, line.charge - line.paid),) if line.charge != line.paid else ())
        for group in dict.fromkeys(g for g, *_ in adjusted):  # one CAS a group, its reasons in it
            reasons = [(carc, _amount(amount), "") for g, carc, amount in adjusted if g == group]
            segments.append(Segment.of("CAS", group, *(e for reason in reasons for e in reason)))
        if line.control_number:
            segments.append(Segment.of("REF", "6R", line.control_number))
        segments += [Segment.of("LQ", "HE", p.rarc)] if p.rarc else []
    return segments


def _amount(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")).normalize(), "f")


# --- the malformed corpus: each entry is a defect made from a good file -------------------------------------------


def _cut_in_a_claim(text: str) -> str:
    return text[: text.index("SVC*") + 7]


def _elements_by_another_separator(text: str) -> str:
    return text[:106] + text[106:].replace("*", "|")  # the ISA says '*'


def _segments_by_another_terminator(text: str) -> str:
    return text[:106] + text[106:].replace("~", "!")  # the ISA says '~'


def _separators_alike(text: str) -> str:
    return text[:104] + "*" + text[105:]  # ISA16, the component separator, the same as the element separator


def _element(tag: str, index: int, value: str) -> Callable[[str], str]:
    """The first `tag` segment with its element `index` replaced."""

    def mangle(text: str) -> str:
        start = text.index(f"\n{tag}*") + 1
        end = text.index("~", start)
        elements = text[start:end].split("*")
        elements[index] = value
        return text[:start] + "*".join(elements) + text[end:]

    return mangle


STRUCTURAL: dict[str, Callable[[str], str]] = {
    "truncated in a claim": _cut_in_a_claim,
    "truncated in the ISA": lambda text: text[:60],
    "elements split by another separator than the ISA's": _elements_by_another_separator,
    "segments ended by another terminator than the ISA's": _segments_by_another_terminator,
    "element and component separators alike": _separators_alike,
    "SE01 miscounts the segments": _element("SE", 1, "99"),
    "GE01 miscounts the transaction sets": _element("GE", 1, "2"),
    "GE02 is not the GS06": _element("GE", 2, "8"),
    "IEA01 miscounts the groups": _element("IEA", 1, "3"),
    "CLP04 is no number": _element("CLP", 4, "1.2.3"),
}


def malformed_corpus(known: Sequence[Any], run: str) -> dict[str, str]:
    """Scenario 12's files for four claims the services made (`known_claims` rows): the content defects, and the
    structural ones, each made from a good file. Each file has its own payer trace and payer claim numbers (`run`
    makes them this run's), and what it reverses or recoups is its own, so its outcome is its alone."""
    paid = [paid_in_full_less_a_fifth(row, f"{run}{n}") for n, row in enumerate(known[:4])]
    plb = replace(paid[0], payer_claim_number=f"{run}P")
    reissued = replace(paid[1], payer_claim_number=f"{run}R")
    corrected = replace(reissued, lines=tuple(replace(x, paid=x.charge * Decimal("0.9")) for x in reissued.lines))
    lines = tuple(replace(line, control_number=None) for line in paid[3].lines)
    nobodys = replace(paid[3], pcn=f"NOCLAIM{run}", payer_claim_number=f"{run}X", lines=lines)
    content = {
        "balanced": Era([paid[0]], f"{run}-1"),
        "an unknown CARC and RARC": Era([replace(paid[1], carc="Z99", rarc="ZZ999")], f"{run}-2"),
        "BPR02 is not the sum of the CLP04s": Era([paid[2]], f"{run}-3", total_delta=Decimal("5.00")),
        "a CLP for a claim nobody made": Era([paid[3], nobodys], f"{run}-4"),
        "PLB interest and a recoupment": Era(
            [plb],
            f"{run}-5",
            plb=[("L6", plb.payer_claim_number, Decimal("-2.50")), ("WO", plb.payer_claim_number, Decimal("10"))],
        ),
        "negative amounts: a reversal and its correction": Era([reissued.reversed(), corrected], f"{run}-6"),
    }
    content[TOO_MANY_LINES] = Era([replace(paid[2], lines=paid[2].lines[:1] * 1000)], f"{run}-8")
    files = {name: era.text() for name, era in content.items()}
    for n, (name, defect) in enumerate(STRUCTURAL.items()):  # each from a good file of its own: its own trace
        files[name] = defect(Era([paid[2]], f"{run}-7{n}", sender=f"CH{run}").text())  # the ISA's 60 too: this run's
    return files


TOO_MANY_LINES = "a claim of 1,000 service lines (the guide allows 999)"
REFUSED = [*STRUCTURAL, TOO_MANY_LINES]  # the corpus's files that must be refused
SIX_WAYS = (("CO", "45", Decimal(10)), ("CO", "253", Decimal(10)), ("CO", "94", Decimal(10)),
            ("PR", "1", Decimal(10)), ("PR", "2", Decimal(10)), ("PR", "3", Decimal(10)))  # fmt: skip


def crowded(known: Any, run: str) -> str:
    """An 835 of 100 KB paying one claim in as many lines as the guide allows, each adjusted six ways: its
    PaymentPosted is larger than Kafka takes."""
    paid = paid_in_full_less_a_fifth(known, f"C{run}")
    line = replace(paid.lines[0], charge=Decimal(100), paid=Decimal(40), control_number=None)
    return Era([replace(paid, lines=(line,) * 999, adjusted=SIX_WAYS)], f"C{run}").text()
