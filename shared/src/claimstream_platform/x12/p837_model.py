"""What the 837P reader gives: claims, their lines and people, and the structural errors a 999 reports."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel


class Person(BaseModel):
    last_name: str
    first_name: str = ""
    birth_date: date | None = None
    sex: str = ""


class LineAdjudication(BaseModel):
    """2430: what another payer paid on the line (SVD02) and left the patient to pay (its PR CAS)."""

    payer_id: str
    paid: Decimal
    patient_responsibility: Decimal = Decimal(0)


class OtherPayer(BaseModel):
    """2320/2330B: another payer of the patient, and what it paid on the claim when it has (AMT*D)."""

    responsibility: str  # SBR01: P, S, T
    payer_id: str = ""
    member_id: str = ""  # 2330A NM109: the patient's id with that payer
    paid: Decimal | None = None
    patient_responsibility: Decimal | None = None  # AMT*EAF


class Line(BaseModel):
    number: int
    code: str
    modifiers: list[str]
    charge: Decimal
    units: Decimal
    place_of_service: str | None = None
    pointers: list[int]
    service_date: date | None = None
    control_number: str | None = None  # REF*6R
    prior_authorization: str = ""  # 2400 REF*G1, when the line has its own
    adjudications: list[LineAdjudication] = []  # 2430, on a claim to a later payer


class Claim(BaseModel):
    transaction_control: str
    patient_control_number: str  # CLM01
    total_charge: Decimal  # CLM02
    place_of_service: str  # CLM05-1
    frequency: str  # CLM05-3: 1 original, 7 replacement, 8 void
    billing_name: str
    billing_npi: str
    billing_taxonomy: str = ""
    billing_tin: str = ""
    payer_id: str
    payer_name: str
    filing_indicator: str = ""  # SBR09
    member_id: str
    group_number: str = ""
    subscriber: Person
    patient: Person | None = None  # when the patient is not the subscriber
    relationship: str = "18"  # SBR02 18 self, else PAT01
    rendering_npi: str = ""
    rendering_taxonomy: str = ""
    supervising_npi: str = ""  # 2310D
    diagnoses: list[str]  # without the dot, principal first
    prior_authorization: str = ""  # REF*G1
    original_reference: str = ""  # REF*F8: the payer's claim number, for frequency 7 and 8
    responsibility: str = "P"  # 2000B SBR01: the billed payer is primary, secondary (S) or tertiary (T)
    other_payers: list[OtherPayer] = []
    lines: list[Line]

    @property
    def first_service_date(self) -> date | None:
        dates = [line.service_date for line in self.lines if line.service_date]
        return min(dates) if dates else None

    @property
    def patient_person(self) -> Person:
        return self.patient or self.subscriber


@dataclass(frozen=True)
class ElementError:
    position: str  # "2" or "1:2" (element:component)
    reference: str  # the data element reference number
    code: str  # IK403


@dataclass
class SegmentError:
    """One IK3 with its IK4s: `position` counts segments from ST (ST is 1)."""

    tag: str
    position: int
    loop: str
    code: str  # IK304: 3 required segment missing, 8 data element errors, 1 unrecognized segment
    elements: list[ElementError] = field(default_factory=list)


@dataclass
class TransactionReading:
    claims: list[Claim]
    errors: list[SegmentError]


def assemble_claim(
    claim: dict[str, Any],
    lines: list[dict[str, Any]],
    parties: tuple[dict[str, str], dict[str, str], dict[str, str] | None],
    control: str,
) -> Claim:
    """A claim as read: its CLM values, its lines, and the billing provider, subscriber and patient it sits under."""
    billing, subscriber, patient = parties
    return Claim(
        transaction_control=control,
        patient_control_number=str(claim["patient_control_number"]),
        total_charge=claim["total_charge"],
        place_of_service=str(claim["place_of_service"]),
        frequency=str(claim["frequency"]),
        billing_name=billing.get("name", ""),
        billing_npi=billing.get("npi", ""),
        billing_taxonomy=billing.get("taxonomy", ""),
        billing_tin=billing.get("tin", ""),
        payer_id=subscriber.get("payer_id", ""),
        payer_name=subscriber.get("payer_name", ""),
        filing_indicator=subscriber.get("filing", ""),
        member_id=subscriber.get("member", ""),
        group_number=subscriber.get("group", ""),
        subscriber=_person(subscriber),
        patient=_person(patient) if patient else None,
        relationship=(patient or {}).get("relationship") or subscriber.get("relationship", "18"),
        rendering_npi=str(claim.get("rendering_npi", "")),
        rendering_taxonomy=str(claim.get("rendering_taxonomy", "")),
        supervising_npi=str(claim.get("supervising_npi", "")),
        diagnoses=claim["diagnoses"],
        prior_authorization=str(claim.get("prior_authorization", "")),
        original_reference=str(claim.get("original_reference", "")),
        responsibility=subscriber.get("responsibility") or "P",
        other_payers=[OtherPayer.model_validate(other) for other in claim.get("other_payers", [])],
        lines=[Line.model_validate(line) for line in lines],
    )


def _person(values: dict[str, str]) -> Person:
    return Person(
        last_name=values.get("last", ""),
        first_name=values.get("first", ""),
        birth_date=parse_date(values.get("dob", "")),
        sex=values.get("sex", ""),
    )


def parse_date(value: str) -> date | None:
    if len(value) != 8 or not value.isdigit():
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


def parse_decimal(value: str) -> Decimal | None:
    try:
        return Decimal(value) if value else None
    except InvalidOperation:
        return None
