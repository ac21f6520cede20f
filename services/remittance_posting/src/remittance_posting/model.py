"""The 835 as posting reads it: one payment (a transaction set) with its claim payments, their service lines
and adjustments, and its provider-level adjustments; and a claim payment as stored, to be posted later. Pure."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple
from uuid import UUID

if TYPE_CHECKING:
    from remittance_posting.known import KnownClaim


class Adjustment(NamedTuple):
    """A CAS triplet with its group (a named tuple: an 835 has one or more per line, and it is made fastest)."""

    group: str  # CO contractual, PR patient responsibility, OA other, PI payer initiated, CR correction
    reason: str  # CARC
    amount: Decimal  # positive reduces the payment
    quantity: Decimal | None = None


@dataclass
class ServicePayment:
    """Loop 2110: one service line as paid."""

    qualifier: str  # SVC01-1, HC for CPT/HCPCS
    code: str
    modifiers: tuple[str, ...]
    charge: Decimal  # SVC02
    paid: Decimal  # SVC03
    units_paid: Decimal | None  # SVC05
    billed_code: str | None  # SVC06-2: the code billed, when the payer paid another (downcoding, bundling)
    billed_modifiers: tuple[str, ...]
    position: int
    service_date: date | None = None
    adjustments: list[Adjustment] = field(default_factory=list)
    control_number: str | None = None  # REF*6R: the 837's line control number
    allowed: Decimal | None = None  # AMT*B6
    remarks: list[str] = field(default_factory=list)  # LQ*HE RARCs


@dataclass
class ClaimPayment:
    """Loop 2100: one claim as adjudicated (CLP)."""

    patient_control_number: str  # CLP01 = the 837's CLM01
    status: str  # CLP02: 1/2/3 processed, 4 denied, 19/20/21 forwarded, 22 reversal, 23, 25
    charge: Decimal  # CLP03
    paid: Decimal  # CLP04
    patient_responsibility: Decimal  # CLP05
    filing_indicator: str  # CLP06
    payer_claim_number: str  # CLP07
    frequency: str  # CLP09
    position: int
    adjustments: list[Adjustment] = field(default_factory=list)  # claim-level CAS
    member_id: str = ""  # NM1*QC / NM1*IL NM109 (PHI: never logged)
    rendering_npi: str = ""  # NM1*82
    crossover_payer: str = ""  # NM1*TT name: the payer the claim was forwarded to
    remarks: list[str] = field(default_factory=list)  # MOA / MIA RARCs
    received: date | None = None  # DTM*050
    period: tuple[date | None, date | None] = (None, None)  # DTM*232 / 233
    lines: list[ServicePayment] = field(default_factory=list)


@dataclass(frozen=True)
class ProviderAdjustment:
    """PLB: money taken or added at the provider level, outside any claim."""

    provider_id: str
    reason: str  # PLB03-1: WO recovery, FB forward balance, L6 interest, 72 return, CS, J1 ...
    reference: str  # PLB03-2: often the payer's claim number it concerns
    amount: Decimal  # positive reduces the payment
    position: int


@dataclass
class Remittance:
    """One 835 transaction set: one payment from one payer to one payee."""

    control_number: str  # ST02
    handling: str  # BPR01
    total: Decimal  # BPR02
    credit: bool  # BPR03 C (D: a debit, the payee owes)
    method: str  # BPR04: ACH, CHK, NON, BOP, FWT
    paid_on: date | None  # BPR16
    trace_number: str  # TRN02
    trace_originator: str  # TRN03
    position: int
    payer_name: str = ""
    payer_id: str = ""  # N1*PR id, else REF*2U, else TRN03
    payee_name: str = ""
    payee_npi: str = ""  # N1*PE XX
    payee_tax_id: str = ""  # N1*PE FI or REF*TJ
    claims: list[ClaimPayment] = field(default_factory=list)
    provider_adjustments: list[ProviderAdjustment] = field(default_factory=list)


@dataclass(frozen=True)
class StoredRemittance:
    """What posting keeps of one remittance: the 835's own, and what posting made of it."""

    remittance: Remittance
    payer_id: str  # its payer as posting names it (domain: payer_of)
    owner: tuple[UUID | None, UUID | None]  # tenant and practice: the uploader's, or its matched claims'
    status: str  # posted | held | duplicate
    imbalances: list[dict[str, Any]]


@dataclass(frozen=True)
class StoredPayment:
    """What posting keeps of one claim payment: matched to a claim (posted), or not (unmatched, with the reason)."""

    payment: ClaimPayment
    claim: "KnownClaim | None"
    owner: tuple[UUID | None, UUID | None]
    outcome: str
    posting: dict[str, Any] | None = None  # the PaymentPosted's adjustments, lines and remarks, each classified
    matched_by: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class LedgerEntry:
    """A PLB amount on the provider ledger: its remittance, the tenant and practice it belongs to (those of the claim
    its reference names, else the remittance's), and that claim when we know it."""

    remittance_id: UUID
    tenant_id: UUID | None
    practice_id: UUID | None
    adjustment: ProviderAdjustment
    claim_id: UUID | None


def payment_to_json(payment: ClaimPayment) -> dict[str, Any]:
    """A claim payment as stored (to be posted later, when its claim is known): no patient name, only its
    member id, kept for matching by hand. Written field by field: `dataclasses.asdict` deep-copies, and cost more
    than the rest of posting."""
    p = payment
    return {
        "patient_control_number": p.patient_control_number,
        "status": p.status,
        "charge": str(p.charge),
        "paid": str(p.paid),
        "patient_responsibility": str(p.patient_responsibility),
        "filing_indicator": p.filing_indicator,
        "payer_claim_number": p.payer_claim_number,
        "frequency": p.frequency,
        "position": p.position,
        "adjustments": [_adjustment_json(a) for a in p.adjustments],
        "member_id": p.member_id,
        "rendering_npi": p.rendering_npi,
        "crossover_payer": p.crossover_payer,
        "remarks": list(p.remarks),
        "received": _iso(p.received),
        "period": [_iso(d) for d in p.period],
        "lines": [_line_json(line) for line in p.lines],
    }


def _line_json(line: ServicePayment) -> dict[str, Any]:
    return {
        "qualifier": line.qualifier,
        "code": line.code,
        "modifiers": list(line.modifiers),
        "charge": str(line.charge),
        "paid": str(line.paid),
        "units_paid": _text(line.units_paid),
        "billed_code": line.billed_code,
        "billed_modifiers": list(line.billed_modifiers),
        "position": line.position,
        "service_date": _iso(line.service_date),
        "adjustments": [_adjustment_json(a) for a in line.adjustments],
        "control_number": line.control_number,
        "allowed": _text(line.allowed),
        "remarks": list(line.remarks),
    }


def _adjustment_json(a: Adjustment) -> dict[str, Any]:
    return {"group": a.group, "reason": a.reason, "amount": str(a.amount), "quantity": _text(a.quantity)}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def payment_from_json(data: dict[str, Any]) -> ClaimPayment:
    lines = [_line_from_json(line) for line in data["lines"]]
    period = tuple(date.fromisoformat(d) if d else None for d in data["period"])
    return _payment(data, lines, period)


def _payment(data: dict[str, Any], lines: list[ServicePayment], period: tuple[Any, ...]) -> ClaimPayment:
    return ClaimPayment(
        patient_control_number=data["patient_control_number"],
        status=data["status"],
        charge=Decimal(data["charge"]),
        paid=Decimal(data["paid"]),
        patient_responsibility=Decimal(data["patient_responsibility"]),
        filing_indicator=data["filing_indicator"],
        payer_claim_number=data["payer_claim_number"],
        frequency=data["frequency"],
        position=data["position"],
        adjustments=[_adjustment(a) for a in data["adjustments"]],
        member_id=data["member_id"],
        rendering_npi=data["rendering_npi"],
        crossover_payer=data["crossover_payer"],
        remarks=list(data["remarks"]),
        received=date.fromisoformat(data["received"]) if data["received"] else None,
        period=(period[0], period[1]),
        lines=lines,
    )


def _adjustment(data: dict[str, Any]) -> Adjustment:
    quantity = data.get("quantity")
    return Adjustment(data["group"], data["reason"], Decimal(data["amount"]), Decimal(quantity) if quantity else None)


def _line_from_json(data: dict[str, Any]) -> ServicePayment:
    optional = {k: Decimal(data[k]) if data.get(k) is not None else None for k in ("units_paid", "allowed")}
    return ServicePayment(
        qualifier=data["qualifier"],
        code=data["code"],
        modifiers=tuple(data["modifiers"]),
        charge=Decimal(data["charge"]),
        paid=Decimal(data["paid"]),
        billed_code=data["billed_code"],
        billed_modifiers=tuple(data["billed_modifiers"]),
        position=data["position"],
        service_date=date.fromisoformat(data["service_date"]) if data["service_date"] else None,
        adjustments=[_adjustment(a) for a in data["adjustments"]],
        control_number=data["control_number"],
        remarks=list(data["remarks"]),
        **optional,
    )
