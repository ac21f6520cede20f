"""The 270 inquiry and the 271 response (005010X279A1) as values: what eligibility sends and reads, and what the
simulator reads and answers. The layouts are in docs/domain/x12.md §2; reading and writing are in eligibility.py."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

# Service types a behavioral-health inquiry asks for (EQ01/EB03): 30 the plan, MH mental health, A4 psychiatric,
# A6 psychotherapy, A7 psychiatric inpatient, A8 psychiatric outpatient. ("CF" is no service type code.)
MENTAL_HEALTH_TYPES = ("30", "MH", "A4", "A6", "A7", "A8")


@dataclass(frozen=True)
class Party:
    """An NM1: its entity (PR payer, 1P provider, IL subscriber, 03 dependent, P3, VN...), a person (1) or not (2),
    its names and its identifier."""

    code: str
    kind: str  # 1 person, 2 organization
    last_or_name: str
    first: str = ""
    id_qualifier: str = ""  # PI payer id, XX NPI, MI member id, SV service provider number
    identifier: str = ""


@dataclass(frozen=True)
class Inquiry:
    """One 270 subscriber (and dependent) loop: who asks whom, for which member, date and service types."""

    payer: Party
    provider: Party
    subscriber: Party
    trace: str  # TRN02: echoed by the payer in the 271's TRN*2
    originator: str  # TRN03: "1" + the submitter's 9-digit id, or its 10-character code
    service_date: date | None  # DTP*291; None: the payer answers for today
    service_types: tuple[str, ...] = ("30",)
    birth_date: date | None = None
    dependent: Party | None = None  # only when the dependent has no member id of their own
    dependent_birth_date: date | None = None


@dataclass(frozen=True)
class Contact:
    """A 2120C loop: another entity the payer names for a benefit (the administrator of a carve-out)."""

    party: Party
    phone: str = ""  # PER*IC ... TE


@dataclass(frozen=True)
class Delivery:
    """An HSD after an EB: how much of the service, per what, over which period. `HSD*VS*20***23` is 20 visits per
    calendar year; `HSD*VS*12***29` 12 visits remaining; `HSD*VS*1*WK` one visit a week."""

    quantity_qualifier: str  # HSD01: VS visits, DY days, FL units...
    quantity: Decimal | None = None  # HSD02
    unit: str = ""  # HSD03, the basis of the quantity: DA days, WK week, MO months, YR years...
    sample: Decimal | None = None  # HSD04, the sample selection modulus (every n units)
    period: str = ""  # HSD05, the EB06 codes: 22 service year, 23 calendar year, 24 year to date, 29 remaining...
    periods: Decimal | None = None  # HSD06, how many of those periods


@dataclass(frozen=True)
class Benefit:
    """One EB segment with what qualifies it: its HSD limits, its MSG texts and its 2120C entities."""

    information: str  # EB01: 1 active, 6 inactive, A coinsurance, B copay, C deductible, F limitation, G out of
    # pocket, I non-covered, R other payer, U contact entity...
    coverage_level: str = ""  # EB02: IND, FAM...
    service_types: tuple[str, ...] = ()  # EB03, repeated
    insurance_type: str = ""  # EB04
    plan: str = ""  # EB05
    period: str = ""  # EB06: 23 calendar year, 24 year to date (used), 29 remaining, 27 visit, 32 lifetime, 33
    # lifetime remaining...
    amount: Decimal | None = None  # EB07
    percent: Decimal | None = None  # EB08, a decimal: 0.2 is 20 %
    quantity_qualifier: str = ""  # EB09: VS visits, DY days...
    quantity: Decimal | None = None  # EB10
    authorization_required: str = ""  # EB11: Y, N, U
    in_network: str = ""  # EB12: Y, N, U, W (not applicable)
    procedure: str = ""  # EB13-2: the procedure code, when the benefit is for one
    messages: tuple[str, ...] = ()
    contacts: tuple[Contact, ...] = ()
    deliveries: tuple[Delivery, ...] = ()  # its HSD segments
    position: int = 0  # of the EB, for error messages


@dataclass(frozen=True)
class Rejection:
    """An AAA: the request could not be answered. AAA03 says why, AAA04 what to do (C correct and resubmit, N do
    not resubmit, R resubmit, Y do not resubmit: these are the payer's words, mapped by the caller)."""

    loop: str  # payer, provider, subscriber or dependent
    reason: str  # AAA03: 15, 42, 43, 58, 72, 73, 75...
    follow_up: str  # AAA04
    valid_request: str = ""  # AAA01


@dataclass(frozen=True)
class Response:
    """One 271 subscriber (or dependent) loop, with the payer's and receiver's rejections that apply to it."""

    payer: Party
    provider: Party | None
    subscriber: Party | None
    trace: str = ""  # TRN*2 TRN02: the inquiry's trace
    dependent: Party | None = None
    benefits: tuple[Benefit, ...] = ()
    rejections: tuple[Rejection, ...] = ()
    eligibility_dates: tuple[tuple[str, str], ...] = field(default=())  # DTP qualifier, value (346 plan begin...)
