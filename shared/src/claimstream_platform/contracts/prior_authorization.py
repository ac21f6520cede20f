"""Events prior authorization publishes on `prior-authorization.v1`: what a payer authorized for one patient (by
X12 278, or entered by hand from a phone call or portal), and how its units or visits are used by the charges
captured against it.

They name the practice's patient (`patient_ref`) and the payer, never a name, birth date or member id.
An authorization holds a line per service the payer decided (a 278 decides each service, 2000F, on its own), or
one line for codes that share one quantity; each line is burned down on its own.

Consumers: claim submission (attach the number, REF*G1, and release claims held for a missing authorization; it
should hold a claim whose charge went over its authorization: AuthorizationExceeded), denial management (fix
CO-197 and CO-15 with a known number), the projection.
"""

from datetime import date
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from claimstream_platform.contracts.base import IntegrationEvent

TOPIC = "prior-authorization.v1"
Unit = Literal["visits", "units"]
LineStatus = Literal["requested", "pended", "approved", "denied", "contact", "cancelled", "not_required"]


class AuthorizedService(BaseModel):
    """One line of an authorization as the payer decided it: its codes, its decision (HCR01 `action`; `status`
    approved, denied, contact: a person must call the payer, ...), what it approved and in what."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    codes: list[str]
    status: LineStatus
    action: str  # HCR01 (empty when entered by hand)
    authorization_number: str
    requested: int
    approved: int
    unit: Unit
    start: date
    end: date


class _AuthorizationEvent(IntegrationEvent):
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "authorization_id"

    authorization_id: UUID
    patient_ref: str
    payer_id: str


class AuthorizationApproved(_AuthorizationEvent):
    """Certified in total or in part (or entered by hand): the number to bill with, what it covers and for how
    long. A renewal or extension is approved as an authorization of its own."""

    event_type: ClassVar[str] = "claimstream.authorization.approved.v1"

    authorization_number: str
    provider_npi: str  # the rendering provider it was requested for
    codes: list[str]
    approved: int
    unit: Unit
    start: date
    end: date
    partial: bool  # fewer than asked, a shorter span, or some services not approved (HCR A2 or A6)
    source: Literal["278", "manual"]
    # Each line as decided, the ones not approved too (`codes` above names only the approved lines' codes, and
    # `approved` is their sum). Empty from producers before per-service decisions.
    services: list[AuthorizedService] = []


class AuthorizationDenied(_AuthorizationEvent):
    """Not certified (HCR A3), or the payer could not decide (AAA): its reason code."""

    event_type: ClassVar[str] = "claimstream.authorization.denied.v1"

    reason: str


class AuthorizationPended(_AuthorizationEvent):
    """The payer will decide later (HCR A4): the request is followed until it does. With `needs_person`, nothing
    will come by itself: the payer asked to be contacted (HCR CT), or certified without saying how much; a person
    takes it up (the request is not asked again)."""

    event_type: ClassVar[str] = "claimstream.authorization.pended.v1"

    reason: str
    needs_person: bool = False


class AuthorizationUnitsConsumed(_AuthorizationEvent):
    """A captured charge used units or visits of the authorization (`used`: this encounter's)."""

    event_type: ClassVar[str] = "claimstream.authorization.units-consumed.v1"

    authorization_number: str
    encounter_id: UUID
    used: int
    total_used: int
    remaining: int


class AuthorizationUnitsReturned(_AuthorizationEvent):
    """A voided or corrected charge gave back what it had used."""

    event_type: ClassVar[str] = "claimstream.authorization.units-returned.v1"

    authorization_number: str
    encounter_id: UUID
    returned: int
    remaining: int


class AuthorizationExhausted(_AuthorizationEvent):
    """Every approved unit or visit of a line is used: the next visit with its codes needs a new authorization.
    `codes` names the line (all of the authorization's codes when it has one line)."""

    event_type: ClassVar[str] = "claimstream.authorization.exhausted.v1"

    authorization_number: str
    approved: int
    codes: list[str] = []


class AuthorizationExceeded(_AuthorizationEvent):
    """A captured charge used more than its authorization had left for its codes: `over` units or visits are not
    covered (the payer would deny them, CO-198). Claim submission should hold that encounter version's claim
    instead of sending it with the number, until a person asks for more (a revised or extended 278) or decides
    otherwise. A voided charge gives its excess back with what it used (AuthorizationUnitsReturned)."""

    event_type: ClassVar[str] = "claimstream.authorization.exceeded.v1"

    authorization_number: str
    encounter_id: UUID
    version: int
    service_date: date
    codes: list[str]  # the charge's codes that went over
    used: int  # what the charge used within the authorization
    over: int  # what it used beyond it
    unit: Unit


class AuthorizationExpiring(_AuthorizationEvent):
    """The authorization will soon run out: most of it used (the payer's share), or its end near. Once per cause."""

    event_type: ClassVar[str] = "claimstream.authorization.expiring.v1"

    authorization_number: str
    cause: Literal["used", "ending"]
    remaining: int
    end: date


class ConcurrentReviewDue(_AuthorizationEvent):
    """The visit count reached one of the payer's review points: a continued-stay (concurrent) review request goes
    out as a new 278."""

    event_type: ClassVar[str] = "claimstream.authorization.review-due.v1"

    authorization_number: str
    visits_used: int


class AuthorizationRequired(IntegrationEvent):
    """A captured visit needs an authorization that none on file covers: by the payer's rules for its codes, or
    because the patient has had the visits a year after which the payer wants one. Claim submission holds its
    claims until one arrives."""

    event_type: ClassVar[str] = "claimstream.authorization.required.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "encounter_id"

    encounter_id: UUID
    version: int
    patient_ref: str
    payer_id: str
    service_date: date
    codes: list[str]
    visits_this_year: int  # the patient's earlier visits with the payer this calendar year
