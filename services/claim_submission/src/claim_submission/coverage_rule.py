"""The hold for coverage the payer called inactive: its reason, and the key a claim and an eligibility answer
share (tenant, practice, the practice's patient id, payer, date of service)."""

from datetime import date
from uuid import UUID

from claimstream_platform.contracts import Reason

from claim_submission.content import ClaimContent

CoverageKey = tuple[UUID, UUID, str, str, date]

RULE = "eligibility.coverage-inactive"


def inactive_reason() -> Reason:
    return Reason(rule=RULE, field="coverage",
                  message="the payer's eligibility answer says this coverage was not active on the date of service: "
                          "confirm the coverage, then correct the encounter or release the claim")  # fmt: skip


def coverage_key(tenant_id: UUID, practice_id: UUID | None, content: ClaimContent) -> CoverageKey | None:
    """The coverage a claim is billed to, as eligibility's answers name it (none without a practice)."""
    if practice_id is None:
        return None
    return tenant_id, practice_id, content.patient.external_id, content.payer.payer_id, content.service_date
