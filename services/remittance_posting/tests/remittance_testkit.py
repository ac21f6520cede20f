"""835s written for remittance posting's tests: a claim payment with its lines, adjustments and a PLB, built
with the platform's X12 writer (so delimiters and trailers are right), and balanced unless told otherwise."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.x12 import FunctionalGroup, Interchange, Segment, Transaction, write_interchange

TENANT = UUID("00000000-0000-0000-0000-0000000e1a00")
PRACTICE = UUID("00000000-0000-0000-0000-0000000e1a01")
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


@dataclass
class Line:
    code: str = "90837"
    modifiers: tuple[str, ...] = ("95",)
    charge: Decimal = Decimal("180.00")
    adjustments: list[tuple[str, str, Decimal]] = field(default_factory=lambda: [("CO", "45", Decimal("40.00"))])
    control_number: str | None = None
    billed: tuple[str, ...] | None = None  # SVC06: the code (and modifiers) billed when another was paid
    remarks: tuple[str, ...] = ()
    paid_delta: Decimal = Decimal(0)  # a wrong SVC03, for balancing tests

    @property
    def paid(self) -> Decimal:
        return self.charge - sum((amount for _, _, amount in self.adjustments), Decimal(0))


@dataclass
class Payment:
    pcn: str
    lines: list[Line] = field(default_factory=lambda: [Line()])
    status: str = "1"
    payer_claim_number: str = "SIMCOM000123"
    claim_adjustments: list[tuple[str, str, Decimal]] = field(default_factory=list)
    paid_delta: Decimal = Decimal(0)  # a wrong CLP04, for balancing tests

    @property
    def charge(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal(0))

    @property
    def paid(self) -> Decimal:
        claim_level = sum((amount for _, _, amount in self.claim_adjustments), Decimal(0))
        return sum((line.paid for line in self.lines), Decimal(0)) - claim_level + self.paid_delta


def era(
    *payments: Payment,
    trace: str = "TRACE0001",
    plb: tuple[tuple[str, str, Decimal], ...] = (),
    total_delta: Decimal = Decimal(0),
    control: str = "000000001",
    payer_id: str = "SIMCOM",
    payee: str = "1497758544",
) -> str:
    total = sum((p.paid for p in payments), Decimal(0)) - sum((a for _, _, a in plb), Decimal(0)) + total_delta
    body = [
        Segment.of(
            "BPR", "I" if total else "H", _amount(total), "C", "ACH" if total else "NON", *[""] * 11, "20261120"
        ),
        Segment.of("TRN", "1", trace, f"1{payer_id}"),
        Segment.of("N1", "PR", "SIMULATED COMMERCIAL", "XV", payer_id),
        Segment.of("N1", "PE", "BAYVIEW THERAPY", "XX", payee),
    ]
    for number, payment in enumerate(payments, start=1):
        body += [Segment.of("LX", number), *_claim(payment)]
    if plb:
        pairs: list[Any] = []
        for reason, reference, amount in plb:
            pairs += [(reason, reference), _amount(amount)]
        body.append(Segment.of("PLB", "1497758544", "20261231", *pairs))
    group = FunctionalGroup(
        "HP",
        "CLEARINGHOUSE",
        "CLAIMSTREAM",
        "1",
        "005010X221A1",
        [Transaction("835", "0001", "", body)],
        date="20261120",
        time="0930",
    )
    return write_interchange(
        Interchange("ZZ", "CLEARINGHOUSE", "ZZ", "CLAIMSTREAM", control, [group], usage="P"), now=NOW
    )


def _claim(p: Payment) -> list[Segment]:
    segments = [
        Segment.of(
            "CLP", p.pcn, p.status, _amount(p.charge), _amount(p.paid), "", "12", p.payer_claim_number, "11", "1"
        ),
        Segment.of("NM1", "QC", "1", "PARK", "LEE", "", "", "", "MI", "M12345"),
        *_cas(p.claim_adjustments),
    ]
    for line in p.lines:
        billed = ("HC", *line.billed) if line.billed else ""
        segments += [
            Segment.of(
                "SVC",
                ("HC", line.code, *line.modifiers),
                _amount(line.charge),
                _amount(line.paid + line.paid_delta),
                "",
                "1",
                billed,
            ),
            Segment.of("DTM", "472", "20261110"),
            *_cas(line.adjustments),
        ]
        if line.control_number:
            segments.append(Segment.of("REF", "6R", line.control_number))
        segments.append(Segment.of("AMT", "B6", _amount(line.charge - _contractual(line))))
        segments += [Segment.of("LQ", "HE", remark) for remark in line.remarks]
    return segments


def _contractual(line: Line) -> Decimal:
    return sum((a for g, _, a in line.adjustments if g == "CO"), Decimal(0))


def _cas(adjustments: list[tuple[str, str, Decimal]]) -> list[Segment]:
    return [Segment.of("CAS", group, reason, _amount(amount)) for group, reason, amount in adjustments]


def _amount(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")).normalize(), "f")


def claim_created(
    pcn: str,
    *,
    lines: tuple[tuple[str, tuple[str, ...]], ...] = (("90837", ("95",)),),
    tenant: UUID = TENANT,
    claim_id: UUID | None = None,
    practice: UUID = PRACTICE,
) -> Any:
    """A ClaimCreated as claim submission publishes it."""
    from claimstream_platform.contracts.claim_submission import ClaimCreated, ClaimLine

    return ClaimCreated(
        tenant_id=tenant,
        practice_id=practice,
        claim_id=claim_id or uuid4(),
        encounter_id=uuid4(),
        patient_control_number=pcn,
        payer_id="SIMCOM",
        frequency="1",
        total_charge=Decimal("180.00"),
        service_date=NOW.date(),
        lines=[
            ClaimLine(
                line_number=n,
                code=code,
                modifiers=list(mods),
                units=1,
                amount=Decimal("180.00"),
                control_number=f"{pcn}-{n}",
            )
            for n, (code, mods) in enumerate(lines, start=1)
        ],
    )
