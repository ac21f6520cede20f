"""The 835 ERA (005010X221A1): one payment from one payer to one payee, for the claims of one cycle.

Balancing holds by construction, to the cent: each service line's charge minus its adjustments is its payment;
each claim's charge minus all its adjustments is its payment (CLP04); the payment (BPR02) is the sum of the
claim payments minus the provider-level adjustments (PLB).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import groupby

from claimstream_platform.x12 import Segment, amount
from claimstream_platform.x12.p837 import Claim

from clearinghouse_simulator.outbound import Envelope, interchange
from clearinghouse_simulator.payers import PayerProfile
from clearinghouse_simulator.results import Adjudication, Adjustment, LineResult

PAYER_ROUTING, PAYER_ACCOUNT = "999999992", "1234567890"
PAYEE_ROUTING, PAYEE_ACCOUNT = "999988880", "9876543210"


@dataclass(frozen=True)
class ClaimPayment:
    claim: Claim
    result: Adjudication
    payer_claim_number: str
    received: date


@dataclass(frozen=True)
class ProviderAdjustment:
    reason: str  # PLB03-1: L6 interest, WO overpayment recovery, FB forwarding balance
    reference: str  # PLB03-2: the payer's claim number it concerns
    amount: Decimal  # positive reduces the payment, negative (interest) increases it


def payment_total(payments: Sequence[ClaimPayment], adjustments: Sequence[ProviderAdjustment]) -> Decimal:
    return sum((p.result.paid for p in payments), Decimal(0)) - sum((a.amount for a in adjustments), Decimal(0))


def build_835(
    payments: Sequence[ClaimPayment],
    *,
    payer: PayerProfile,
    payee_name: str,
    payee_npi: str,
    trace_number: str,
    paid_on: date,
    adjustments: Sequence[ProviderAdjustment] = (),
    envelope: Envelope,
) -> str:
    total = payment_total(payments, adjustments)
    if total < 0:
        raise ValueError("an 835 cannot pay a negative amount: carry the balance forward instead")
    body = _header(total, payer, payee_name, payee_npi, trace_number, paid_on)
    for number, payment in enumerate(payments, start=1):
        body.append(Segment.of("LX", number))
        body.extend(_claim(payment, payer))
    for start in range(0, len(adjustments), 6):  # one PLB holds six adjustments
        pairs = [
            (a.reason, a.reference) if i % 2 == 0 else amount(a.amount)
            for a in adjustments[start : start + 6]
            for i in range(2)
        ]
        body.append(Segment.of("PLB", payee_npi, f"{paid_on.year}1231", *pairs))
    return interchange("HP", "835", "005010X221A1", body, envelope, implementation_in_st=False)


def _header(
    total: Decimal, payer: PayerProfile, payee_name: str, payee_npi: str, trace_number: str, paid_on: date
) -> list[Segment]:
    """BPR, TRN, the payer (1000A) and the payee (1000B)."""
    day = f"{paid_on:%Y%m%d}"
    return [
        _payment(total, payer, paid_on),
        Segment.of("TRN", "1", trace_number, f"1{payer.tin}"),
        Segment.of("DTM", "405", day),
        Segment.of("N1", "PR", payer.name.upper()),
        Segment.of("N3", "1 PAYER PLAZA"),
        Segment.of("N4", "BALTIMORE", "MD", "21244"),
        Segment.of("REF", "2U", payer.payer_id),  # the payer's id, as the provider's payer list names it
        Segment.of("PER", "BL", "PROVIDER SERVICES", "TE", "8005550199"),
        Segment.of("N1", "PE", payee_name, "XX", payee_npi),
    ]


def _payment(total: Decimal, payer: PayerProfile, paid_on: date) -> Segment:
    """BPR: an ACH payment, a paper check (no bank details; TRN02 is its number), or a notice when nothing is paid."""
    day = f"{paid_on:%Y%m%d}"
    if total > 0 and payer.payment_method == "CHK":
        return Segment.of("BPR", "C", amount(total), "C", "CHK", *[""] * 11, day)
    if total > 0:
        return Segment.of(
            "BPR",
            "I",
            amount(total),
            "C",
            "ACH",
            "CCP",
            "01",
            PAYER_ROUTING,
            "DA",
            PAYER_ACCOUNT,
            f"1{payer.tin}",
            "",
            "01",
            PAYEE_ROUTING,
            "DA",
            PAYEE_ACCOUNT,
            day,
        )
    return Segment.of("BPR", "H", "0", "C", "NON", "", "", "", "", "", "", "", "", "", "", "", day)


def _claim(payment: ClaimPayment, payer: PayerProfile) -> list[Segment]:
    claim, result = payment.claim, payment.result
    person = claim.patient_person
    segments = [
        Segment.of(
            "CLP",
            claim.patient_control_number,
            result.status,
            amount(result.charge),
            amount(result.paid),
            amount(result.patient_responsibility) if result.patient_responsibility else "",
            payer.era_filing_indicator,
            payment.payer_claim_number,
            claim.place_of_service,
            claim.frequency,
        ),
        Segment.of("NM1", "QC", "1", person.last_name, person.first_name, "", "", "", "MI", claim.member_id),
    ]
    if claim.rendering_npi:
        segments.append(Segment.of("NM1", "82", "1", "RENDERING", "", "", "", "", "XX", claim.rendering_npi))
    if result.crossover:  # forwarded to the secondary (COBA): who, and the remark that says so
        payer_id, name = result.crossover
        segments.append(Segment.of("NM1", "TT", "2", name.upper(), "", "", "", "", "PI", payer_id))
        segments.append(Segment.of("MOA", "", "", "MA18"))
    segments.append(Segment.of("DTM", "050", f"{payment.received:%Y%m%d}"))
    for line in result.lines:
        segments.extend(_service_line(line, echo_modifiers=payer.era_echoes_modifiers))
    return segments


def _service_line(result: LineResult, *, echo_modifiers: bool = True) -> list[Segment]:
    line = result.line
    procedure = ("HC", result.paid_code or line.code, *(line.modifiers if echo_modifiers else ()))
    billed = ("HC", line.code, *line.modifiers) if result.paid_code else ""  # SVC06: what was billed
    segments = [
        Segment.of("SVC", procedure, amount(line.charge), amount(result.paid), "", _units(line.units), billed),
    ]
    if line.service_date:
        segments.append(Segment.of("DTM", "472", f"{line.service_date:%Y%m%d}"))
    segments.extend(_cas(result.adjustments))
    if line.control_number:
        segments.append(Segment.of("REF", "6R", line.control_number))
    if result.allowed:
        segments.append(Segment.of("AMT", "B6", amount(result.allowed)))
    segments.extend(Segment.of("LQ", "HE", remark) for remark in result.remarks)
    return segments


def _cas(adjustments: Sequence[Adjustment]) -> list[Segment]:
    """One CAS per group code, up to six reason/amount pairs each (quantity left empty)."""
    segments = []
    for group, items in groupby(sorted(adjustments, key=lambda a: a.group), key=lambda a: a.group):
        pairs = list(items)
        for start in range(0, len(pairs), 6):
            elements: list[str] = []
            for adjustment in pairs[start : start + 6]:
                elements += [adjustment.reason, amount(adjustment.amount), ""]
            segments.append(Segment.of("CAS", group, *elements))
    return segments


def _units(units: Decimal) -> str:
    return str(int(units)) if units == units.to_integral_value() else str(units.normalize())
