"""The 276 claim status request and the 277 claim status response (005010X212) as values: what claim submission
asks of a payer about a claim it has not heard back on, and what the payer (the simulator, locally) answers. The
layouts are in docs/domain/x12.md §8; reading and writing are in status.py."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from claimstream_platform.x12.eligibility_model import Party


@dataclass(frozen=True)
class Status:
    """One STC: the payer's word on a claim or one of its lines. `category` (STC01-1, code list 507) says where it
    is (A acknowledged, P pending, F finalized, R more information asked, E error); `code` (STC01-2, list 508)
    says why; `entity` (STC01-3) whom it concerns."""

    category: str
    code: str
    entity: str = ""
    effective: date | None = None  # STC02: the day the status took effect
    charge: Decimal | None = None  # STC04: the charge it concerns
    paid: Decimal | None = None  # STC05: what was paid
    paid_on: date | None = None  # STC08: the payment's date
    check_number: str = ""  # STC09: the check or EFT trace


@dataclass(frozen=True)
class Line:
    """A service line asked about (276) or answered for (277): its procedure, charge, what was paid, its date."""

    procedure: str  # SVC01-2, with its qualifier in `qualifier` (HC: HCPCS/CPT)
    charge: Decimal
    paid: Decimal | None = None  # SVC03 (277)
    qualifier: str = "HC"
    modifiers: tuple[str, ...] = ()
    units: str = ""  # SVC07
    service_date: date | None = None  # DTP*472 of the line
    statuses: tuple[Status, ...] = ()  # its STCs (277)


@dataclass(frozen=True)
class ClaimStatus:
    """One claim of a 276 (asked about) or of a 277 (answered for): who asks whom, for which member and patient,
    which claim (the trace, our patient control number, the payer's claim number), and in a 277 the payer's
    statuses for the claim and its lines. A 277 may answer above the claims (`level`): for all the receiver asked
    (2200B) or all of one provider's claims (2200C), an error such as a provider the payer does not know."""

    payer: Party  # 2100A NM1*PR
    receiver: Party  # 2100B NM1*41: who asks (the submitter)
    trace: str  # TRN02: the claim's inquiry trace, echoed in the 277's TRN*2
    provider: Party | None = None  # 2100C NM1*1P: the billing provider (None: answered at the receiver's level)
    subscriber: Party | None = None  # 2100D NM1*IL (None: answered above the claims)
    patient: Party | None = None  # 2100E NM1*QC: a dependent who is the patient
    level: str = "claim"  # where the TRN sat: receiver, provider, or claim
    birth_date: date | None = None  # the patient's DMG (276)
    sex: str = ""
    patient_control_number: str = ""  # REF*EJ: our CLM01
    payer_claim_number: str = ""  # REF*1K: the payer's ICN
    bill_type: str = ""  # REF*BLT (institutional claims)
    charge: Decimal | None = None  # AMT*T3 (276)
    service_from: date | None = None  # DTP*472
    service_to: date | None = None
    statuses: tuple[Status, ...] = ()  # the claim's STCs (277)
    lines: tuple[Line, ...] = ()
