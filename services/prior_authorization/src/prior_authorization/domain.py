"""The authorization aggregate, pure: one request to one payer for one patient's services, the payer's decision on
each service (its lines, lines.py), and the units or visits the captured charges use of them.

An authorization is `requested` until sent and answered; `pended` while the payer has not decided a line (it is
asked again); then `approved` when it approved some line (in total or in part: `partial`), `contact` when what it
said needs a person (HCR CT, or certified without saying how much), `denied`, `cancelled` or `not_required`. One
entered by hand from a phone call or portal is `approved` from the start. Every change records the events it causes;
the handler takes them (`take_events`) and publishes them in the same transaction.
"""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Literal
from uuid import UUID, uuid4

from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts import prior_authorization as contract
from claimstream_platform.x12.review_model import ReviewDecision

from prior_authorization.lines import OPEN, Draw, Line, Unit, decide_lines
from prior_authorization.rules import Rule

# The authorization's status from its lines' once the payer answered: the first found in this order.
SETTLED = ("requested", "pended", "approved", "contact", "denied", "cancelled", "not_required")


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
    reason: str = ""
    warned: tuple[str, ...] = ()  # expiry causes already announced: used, ending
    reviews: tuple[int, ...] = ()  # review points already asked for
    lines: list[Line] = field(default_factory=list)  # none given: every code shares `requested`
    events: list[IntegrationEvent] = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.lines:
            self.lines = [Line(self.codes, self.requested, self.unit, self.start, self.end)]

    @property
    def trace(self) -> str:
        """TRN02 of our 278: the authorization's id without dashes, which the payer echoes."""
        return self.id.hex[:30].upper()

    @property
    def approved(self) -> int:
        return sum(line.approved for line in self._approved_lines())

    @property
    def used(self) -> int:
        return sum(line.used for line in self.lines)

    @property
    def over(self) -> int:
        """Units or visits charged beyond what was approved (no line takes them)."""
        return sum(line.over for line in self.lines)

    @property
    def remaining(self) -> int:
        return sum(line.remaining for line in self.lines)

    @property
    def partial(self) -> bool:
        """Fewer than asked or a shorter span on a line, or a line not approved."""
        approved = self._approved_lines()
        return bool(approved) and (len(approved) < len(self.lines) or any(line.partial for line in approved))

    @property
    def approved_codes(self) -> list[str]:
        return list(dict.fromkeys(code for line in self._approved_lines() for code in line.codes))

    def _approved_lines(self) -> list[Line]:
        return [line for line in self.lines if line.status == "approved"]

    def _ids(self) -> dict[str, Any]:
        return {
            "tenant_id": self.tenant_id,
            "practice_id": self.practice_id,
            "authorization_id": self.id,
            "patient_ref": self.patient.external_id,
            "payer_id": self.payer_id,
        }

    def take_events(self) -> list[IntegrationEvent]:
        taken, self.events = self.events, []
        return taken

    def decided(self, decision: ReviewDecision) -> None:
        """Record the payer's 278 response, each open line by its service's decision, and the event it gives once
        no line is left open (approved with the approved lines' codes, pended, denied...)."""
        if not any(line.status in OPEN for line in self.lines):
            raise ValueError(f"a {self.status} authorization has its decision")
        if decision.rejections and not decision.action:  # the payer could not decide (AAA)
            reason = decision.rejections[0].reason
            self.lines = [replace(x, status="denied", reason=reason) if x.status in OPEN else x for x in self.lines]
        else:
            self.lines = decide_lines(self.lines, decision)
        self.status = next(status for status in SETTLED if any(line.status == status for line in self.lines))
        if self.status == "approved":
            self._approve()
            return
        self.reason = next(line.reason for line in self.lines if line.status == self.status)
        if self.status in ("pended", "contact"):
            needs_person = self.status == "contact"
            self.events.append(
                contract.AuthorizationPended(**self._ids(), reason=self.reason, needs_person=needs_person)
            )
        elif self.status != "not_required":
            self.events.append(contract.AuthorizationDenied(**self._ids(), reason=self.reason))

    def entered(self, number: str, approved: int) -> None:
        """Obtained by phone or portal: approved as entered, one line for all its codes."""
        self.source = "manual"
        self.lines = [
            Line(
                self.codes,
                self.requested,
                self.unit,
                self.start,
                self.end,
                status="approved",
                number=number,
                approved=approved,
                partial=approved < self.requested,
            )
        ]
        self.status = "approved"
        self._approve()

    def _approve(self) -> None:
        """Announced with the approved lines' codes and sum, and every line as decided."""
        approved = self._approved_lines()
        self.status, self.reason = "approved", ""
        self.number = next((line.number for line in approved if line.number), self.number)
        self.start, self.end = min(line.start for line in approved), max(line.end for line in approved)
        self.events.append(
            contract.AuthorizationApproved(
                **self._ids(),
                authorization_number=self.number,
                provider_npi=self.provider_npi,
                codes=self.approved_codes,
                approved=self.approved,
                unit=approved[0].unit,
                start=self.start,
                end=self.end,
                partial=self.partial,
                source=self.source,
                services=[self._service(x) for x in self.lines],
            )
        )

    def _service(self, line: Line) -> contract.AuthorizedService:
        return contract.AuthorizedService(
            codes=list(line.codes),
            status=line.status,
            action=line.action,
            authorization_number=line.number,
            requested=line.requested,
            approved=line.approved,
            unit=line.unit,
            start=line.start,
            end=line.end,
        )

    def serves(self, provider_npi: str) -> bool:
        """Asked for this rendering provider (or for none)."""
        return self.provider_npi in ("", provider_npi)

    def covers(self, code: str, day: date, provider_npi: str) -> bool:
        return self.serves(provider_npi) and any(line.covers(code, day) for line in self.lines)

    def has_left(self, code: str, day: date, provider_npi: str) -> bool:
        """A line covering the code on that day has some left."""
        return self.serves(provider_npi) and any(line.covers(code, day) and line.remaining for line in self.lines)

    def consume(self, encounter_id: UUID, version: int, day: date, draw: Draw, rule: Rule) -> None:
        """A captured charge drew on a line: `used` within what it approved, `over` beyond (AuthorizationExceeded:
        its claim should not go out with the number). The line running out, the warning share of the whole, and
        review points are announced."""
        line, before = self.lines[draw.line], self.used
        line.used, line.over = line.used + draw.used, line.over + draw.over
        ids = {**self._ids(), "authorization_number": self.number}
        if draw.used:
            self.events.append(
                contract.AuthorizationUnitsConsumed(
                    **ids, encounter_id=encounter_id, used=draw.used, total_used=self.used, remaining=self.remaining
                )
            )
        if draw.over:
            self.events.append(
                contract.AuthorizationExceeded(
                    **ids,
                    encounter_id=encounter_id,
                    version=version,
                    service_date=day,
                    codes=list(draw.over_codes),
                    used=draw.used,
                    over=draw.over,
                    unit=line.unit,
                )
            )
        if draw.used and line.remaining == 0:
            self.events.append(contract.AuthorizationExhausted(**ids, approved=line.approved, codes=list(line.codes)))
        elif self.approved and self.used >= rule.warn_share * self.approved:
            self._warn("used")
        for point in rule.reviews_between(before, self.used) if self.unit == "visits" else []:
            if point not in self.reviews:
                self.reviews = (*self.reviews, point)
                self.events.append(contract.ConcurrentReviewDue(**ids, visits_used=self.used))

    def give_back(self, encounter_id: UUID, line_number: int, used: int, over: int) -> None:
        """A voided charge's use of a line no longer stands: what it used, and what it went over, come back."""
        line = self.lines[line_number]
        line.used, line.over = max(line.used - used, 0), max(line.over - over, 0)
        self.events.append(
            contract.AuthorizationUnitsReturned(
                **self._ids(),
                authorization_number=self.number,
                encounter_id=encounter_id,
                returned=used,
                remaining=self.remaining,
            )
        )

    def ending(self, today: date, rule: Rule) -> None:
        """AuthorizationExpiring once its end is `warn_days` away (while units remain)."""
        if self.status == "approved" and self.remaining != 0 and self.end - today <= timedelta(days=rule.warn_days):
            self._warn("ending")

    def _warn(self, cause: Literal["used", "ending"]) -> None:
        if cause in self.warned:
            return
        self.warned = (*self.warned, cause)
        self.events.append(
            contract.AuthorizationExpiring(
                **self._ids(), authorization_number=self.number, cause=cause, remaining=self.remaining, end=self.end
            )
        )

    def renewal(self, start: date, visits: int, *, days: int = 90) -> "Authorization":
        """The next request continuing this one (a concurrent review, a renewal or an extension): a 278 citing
        its number (REF*BB)."""
        return replace(
            self,
            id=uuid4(),
            status="requested",
            source="278",
            number="",
            reason="",
            warned=(),
            reviews=(),
            certification="R",
            previous_number=self.number,
            codes=tuple(self.approved_codes) or self.codes,
            requested=visits,
            start=start,
            end=start + timedelta(days=days),
            lines=[],
            events=[],
        )
