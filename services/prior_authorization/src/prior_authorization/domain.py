"""The authorization aggregate, pure: one request to one payer for one patient's services, the payer's decision,
and the units or visits the captured charges use of it.

An authorization is `requested` until sent and answered; `pended` while the payer has not decided (it is asked
again); then `approved` (in total or in part), `denied` or `not_required`. One entered by hand from a phone call or
portal is `approved` from the start. Every change returns the events it causes.
"""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Literal
from uuid import UUID, uuid4

from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts import prior_authorization as events
from claimstream_platform.x12.review_model import ReviewDecision

from prior_authorization.rules import Rule

Unit = Literal["visits", "units"]
OPEN = ("requested", "pended")  # asked by the loop


@dataclass(frozen=True)
class Patient:
    external_id: str  # the practice's patient id: what events name (patient_ref)
    first_name: str
    last_name: str
    birth_date: date


@dataclass
class Authorization:
    tenant_id: UUID
    practice_id: UUID
    patient: Patient
    payer_id: str
    member_id: str
    provider_npi: str
    provider_name: str
    codes: tuple[str, ...]
    requested: int
    unit: Unit
    start: date
    end: date
    diagnoses: tuple[str, ...] = ()
    certification: str = "I"  # UM02: I initial, R renewal or concurrent review
    previous_number: str = ""  # REF*BB: the authorization a renewal continues
    id: UUID = field(default_factory=uuid4)
    status: str = "requested"
    source: Literal["278", "manual"] = "278"
    number: str = ""
    approved: int = 0
    used: int = 0
    partial: bool = False
    reason: str = ""
    warned: tuple[str, ...] = ()  # expiry causes already announced: used, ending
    reviews: tuple[int, ...] = ()  # review points already asked for

    @property
    def trace(self) -> str:
        """TRN02 of our 278: the authorization's id without dashes, which the payer echoes."""
        return self.id.hex[:30].upper()

    @property
    def remaining(self) -> int:
        return max(self.approved - self.used, 0)

    def _ids(self) -> dict[str, Any]:
        return {"tenant_id": self.tenant_id, "practice_id": self.practice_id, "authorization_id": self.id,
                "patient_ref": self.patient.external_id, "payer_id": self.payer_id}  # fmt: skip

    def decided(self, decision: ReviewDecision) -> list[IntegrationEvent]:
        """Record the payer's 278 response; the event it gives."""
        if self.status not in OPEN:
            raise ValueError(f"a {self.status} authorization has its decision")
        if decision.certified:
            return self._approve(decision.authorization_number, decision.quantity or self.requested,
                                 decision.start or self.start, decision.end or self.end,
                                 partial=decision.action != "A1")  # fmt: skip
        if decision.action == "A4":
            self.status, self.reason = "pended", decision.reason
            return [events.AuthorizationPended(**self._ids(), reason=decision.reason)]
        if decision.action == "NA":
            self.status = "not_required"
            return []
        rejected = decision.rejections[0].reason if decision.rejections else ""
        self.status, self.reason = "denied", decision.reason or rejected or decision.action
        return [events.AuthorizationDenied(**self._ids(), reason=self.reason)]

    def entered(self, number: str, approved: int) -> list[IntegrationEvent]:
        """Obtained by phone or portal: approved as entered."""
        self.source = "manual"
        return self._approve(number, approved, self.start, self.end, partial=approved < self.requested)

    def _approve(self, number: str, approved: int, start: date, end: date, *, partial: bool) -> list[IntegrationEvent]:
        self.status, self.number, self.approved, self.start, self.end = "approved", number, approved, start, end
        self.partial = partial or approved < self.requested
        return [events.AuthorizationApproved(
            **self._ids(), authorization_number=number, provider_npi=self.provider_npi, codes=list(self.codes),
            approved=approved, unit=self.unit, start=start, end=end, partial=self.partial, source=self.source,
        )]  # fmt: skip

    def covers(self, code: str, day: date, provider_npi: str) -> bool:
        return (self.status == "approved" and code in self.codes and self.start <= day <= self.end
                and self.provider_npi in ("", provider_npi))  # fmt: skip

    def consume(self, encounter_id: UUID, used: int, rule: Rule) -> list[IntegrationEvent]:
        """A captured charge used `used` units or visits (never more than remain: the rest is over the limit)."""
        before = self.used
        self.used += used
        found: list[IntegrationEvent] = [events.AuthorizationUnitsConsumed(
            **self._ids(), authorization_number=self.number, encounter_id=encounter_id, used=used,
            total_used=self.used, remaining=self.remaining,
        )]  # fmt: skip
        if self.remaining == 0:
            found.append(events.AuthorizationExhausted(**self._ids(), authorization_number=self.number,
                                                       approved=self.approved))  # fmt: skip
        elif self.approved and self.used >= rule.warn_share * self.approved:
            found += self._warn("used")
        for point in rule.reviews_between(before, self.used) if self.unit == "visits" else []:
            if point not in self.reviews:
                self.reviews = (*self.reviews, point)
                found.append(events.ConcurrentReviewDue(**self._ids(), authorization_number=self.number,
                                                        visits_used=self.used))  # fmt: skip
        return found

    def give_back(self, encounter_id: UUID, returned: int) -> list[IntegrationEvent]:
        self.used = max(self.used - returned, 0)
        return [events.AuthorizationUnitsReturned(**self._ids(), authorization_number=self.number,
                                                  encounter_id=encounter_id, returned=returned,
                                                  remaining=self.remaining)]  # fmt: skip

    def ending(self, today: date, rule: Rule) -> list[IntegrationEvent]:
        """AuthorizationExpiring once its end is `warn_days` away (while units remain)."""
        if self.status != "approved" or self.remaining == 0 or self.end - today > timedelta(days=rule.warn_days):
            return []
        return self._warn("ending")

    def _warn(self, cause: Literal["used", "ending"]) -> list[IntegrationEvent]:
        if cause in self.warned:
            return []
        self.warned = (*self.warned, cause)
        return [events.AuthorizationExpiring(**self._ids(), authorization_number=self.number, cause=cause,
                                             remaining=self.remaining, end=self.end)]  # fmt: skip

    def renewal(self, start: date, visits: int, *, days: int = 90) -> "Authorization":
        """The next request continuing this one (a concurrent review, a renewal or an extension): a 278 citing
        its number (REF*BB)."""
        return replace(self, id=uuid4(), status="requested", source="278", number="", approved=0, used=0,
                       partial=False, reason="", warned=(), reviews=(), certification="R",
                       previous_number=self.number, requested=visits, start=start,
                       end=start + timedelta(days=days))  # fmt: skip
