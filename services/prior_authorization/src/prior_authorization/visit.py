"""A captured visit as prior authorization sees it, pure: its patient, payer and date, its rendering provider, its
codes (each with the number the EHR gave it, if any), and the patient's other visits with the payer this year
before it. Whether it needs an authorization none on file covers is decided here and recorded
(AuthorizationRequired); the handler takes the event (`take_events`) and publishes it in the same transaction.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts import prior_authorization as contract

from prior_authorization.domain import Authorization
from prior_authorization.rules import Rule


@dataclass(frozen=True)
class VisitLine:
    code: str
    prior_authorization_number: str = ""  # 2400 REF*G1 from the EHR: this line's own authorization


@dataclass
class Visit:
    tenant_id: UUID
    practice_id: UUID
    encounter_id: UUID
    version: int
    patient_ref: str
    payer_id: str
    service_date: date
    provider_npi: str  # the rendering provider
    lines: tuple[VisitLine, ...]
    visits_this_year: int  # the patient's other visits with the payer this year up to its date
    prior_authorization_number: str = ""  # 2300 REF*G1 from the EHR: the whole visit's authorization
    events: list[IntegrationEvent] = field(default_factory=list, repr=False, compare=False)

    def take_events(self) -> list[IntegrationEvent]:
        taken, self.events = self.events, []
        return taken

    def needing(self, rule: Rule, covering: Sequence[Authorization]) -> list[str]:
        """The codes the rule wants authorized (by code, or after the year's visits) that no authorization on file
        covers with some left and the EHR gave no number for on their line."""
        day, npi = self.service_date, self.provider_npi
        return sorted(
            {
                line.code
                for line in self.lines
                if rule.needs_authorization(line.code, self.visits_this_year)
                and not line.prior_authorization_number
                and not any(a.has_left(line.code, day, npi) for a in covering)
            }
        )

    def require(self, rule: Rule, covering: Sequence[Authorization]) -> None:
        """AuthorizationRequired when some code needs one (`needing`) and the EHR gave none for the whole visit."""
        codes = self.needing(rule, covering)
        if not codes or self.prior_authorization_number:
            return
        self.events.append(
            contract.AuthorizationRequired(
                tenant_id=self.tenant_id,
                practice_id=self.practice_id,
                encounter_id=self.encounter_id,
                version=self.version,
                patient_ref=self.patient_ref,
                payer_id=self.payer_id,
                service_date=self.service_date,
                codes=codes,
                visits_this_year=self.visits_this_year,
            )
        )
