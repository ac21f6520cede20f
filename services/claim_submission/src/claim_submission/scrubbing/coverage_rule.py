"""Eligibility's answers applied to a claim, pure: the hold for coverage the payer called inactive (keyed by
tenant, practice, the practice's patient id, payer and date of service), and the claim of a carved-out plan
billed to the company that administers its mental-health benefits (keyed by the plan: a carve-out is how the
plan is run, not a fact of one visit)."""

from datetime import date
from uuid import UUID

from claimstream_platform.contracts import Reason

from claim_submission.domain.content import ClaimContent

CoverageKey = tuple[UUID, UUID, str, str, date]
PlanKey = tuple[UUID, UUID, str, str]  # tenant, practice, patient, payer
Administrator = tuple[str, str]  # its payer id and name

RULE = "eligibility.coverage-inactive"


def inactive_reason() -> Reason:
    return Reason(
        rule=RULE,
        field="coverage",
        message="the payer's eligibility answer says this coverage was not active on the date of service: "
        "confirm the coverage, then correct the encounter or release the claim",
    )


UNROUTED = "coverage.carve_out_unrouted"


def unrouted_reason(administrator: str) -> Reason:
    message = (
        f"the plan's eligibility answer says another company administers mental health ({administrator[:80]}) and "
        "names no payer id to bill it under: route the claim to that payer, then release it"
    )
    return Reason(rule=UNROUTED, field="payer", message=message)


def coverage_key(tenant_id: UUID, practice_id: UUID | None, content: ClaimContent) -> CoverageKey | None:
    """The coverage a claim is billed to, as eligibility's answers name it (none without a practice)."""
    if practice_id is None:
        return None
    return tenant_id, practice_id, content.patient.external_id, content.payer.payer_id, content.service_date


def plan_key(tenant_id: UUID, practice_id: UUID | None, content: ClaimContent) -> PlanKey | None:
    if practice_id is None:
        return None
    return tenant_id, practice_id, content.patient.external_id, content.payer.payer_id


def routed(content: ClaimContent, administrator: Administrator) -> ClaimContent:
    """The claim billed to the administrator of the plan's mental-health benefits: the same member and plan type
    (its claim filing indicator and kind stay the plan's), the administrator as the payer (2010BB)."""
    payer_id, name = administrator
    payer = content.payer.model_copy(update={"payer_id": payer_id, "name": name or payer_id})
    coverage = content.coverage.model_copy(update={"payer_id": payer_id})
    return content.model_copy(update={"payer": payer, "coverage": coverage})
