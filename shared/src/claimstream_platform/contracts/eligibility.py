"""Events eligibility publishes on `eligibility.v1`: what a payer's 271 said about one patient's coverage for a
date of service, summarized for behavioral health.

A check is one question to one payer (a 270) and its answer (the 271). The events name the practice's patient
(`patient_ref`, its id in the practice's records) and the payer, never a name, birth date or member id.
Consumers: claim submission (hold a claim for inactive coverage, bill the administrator of a carve-out),
prior authorization (the authorization-required flags), the projection.
"""

from datetime import date
from decimal import Decimal
from typing import ClassVar
from uuid import UUID

from claimstream_platform.contracts.base import IntegrationEvent

TOPIC = "eligibility.v1"


class _CheckEvent(IntegrationEvent):
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "check_id"

    check_id: UUID
    patient_ref: str
    payer_id: str
    service_date: date


class EligibilityVerified(_CheckEvent):
    """The coverage is active on the date: the mental-health benefits the 271 stated (None: it did not say)."""

    event_type: ClassVar[str] = "claimstream.eligibility.verified.v1"

    bill_payer_id: str  # whom to bill for mental health: the administrator of a carve-out, else the payer; empty
    # when the 271 names an administrator by no payer id we can route to (see carve_out_to_route)
    copay: Decimal | None
    coinsurance: Decimal | None  # a share: 0.2 is 20 %
    deductible_remaining: Decimal | None  # what is left to meet: the smaller of the individual's and the family's
    out_of_pocket_remaining: Decimal | None  # likewise
    visits_allowed: int | None  # per benefit year
    visits_remaining: int | None
    visit_limit_from_text: bool  # the limit was stated only in MSG free text
    authorization_required: bool | None
    in_network: bool | None
    next_visit_cost: Decimal | None  # what the patient pays for the next psychotherapy visit, estimated
    # Added later (optional: absent from earlier events). Each level's remainder as the 271 states it.
    deductible_individual_remaining: Decimal | None = None
    deductible_family_remaining: Decimal | None = None
    out_of_pocket_individual_remaining: Decimal | None = None
    out_of_pocket_family_remaining: Decimal | None = None
    visits_used: int | None = None  # this benefit year, as the payer counts them
    # A carve-out whose administrator the 271 names without a payer id we can route to (an NPI, a name): its words,
    # for a person to route; no CoverageCarvedOut follows, and bill_payer_id is empty.
    carve_out_to_route: str | None = None


class CoverageInactive(_CheckEvent):
    """The payer says the coverage is not active on the date of service."""

    event_type: ClassVar[str] = "claimstream.coverage.inactive.v1"


class CoverageCarvedOut(_CheckEvent):
    """The plan's mental-health benefits are administered by another payer (EB U or R with a 2120C entity)."""

    event_type: ClassVar[str] = "claimstream.coverage.carved-out.v1"

    administered_by: str  # that payer's id: 2120C NM109 when NM108 is PI, or from eligibility's payer-id map (a
    # carve-out named only by an NPI or a name is not published: EligibilityVerified.carve_out_to_route)
    administrator_name: str


class EligibilityCheckFailed(_CheckEvent):
    """The payer could not answer (AAA): the reason code and what to do next."""

    event_type: ClassVar[str] = "claimstream.eligibility.check-failed.v1"

    reason: str  # AAA03: 42 unable to respond now, 72 invalid member id, 75 subscriber not found...
    follow_up: str  # AAA04 as the payer gave it: C correct and resubmit, N do not, R resubmit, Y do not
    retry: bool  # the same question may be asked again later unchanged (AAA03 42, or follow-up R)


class GoodFaithEstimateExceeded(IntegrationEvent):
    """A self-pay or uninsured patient's billed charges exceed their Good Faith Estimate by $400 or more: the
    amount from which the patient may dispute the bill (the No Surprises Act's patient-provider dispute
    resolution). The comparison is per provider or facility (45 CFR 149.620(a)): `estimated` and `billed` are that
    provider's part of the estimate and its charges. Published once per part."""

    event_type: ClassVar[str] = "claimstream.good-faith-estimate.exceeded.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "estimate_id"

    estimate_id: UUID
    patient_ref: str
    estimated: Decimal
    billed: Decimal
    excess: Decimal
    provider_npi: str | None = None  # the provider or facility whose part was exceeded (absent from older events)
