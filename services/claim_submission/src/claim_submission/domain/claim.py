"""The claim aggregate: every transition in one place (the states and legal moves are `states.py`). Pure.

A `Claim` is one version of one encounter's charges to one payer. Each transition (hold, release, bind,
submit, acknowledge, receive, accept, reject, replace, void) is a method that refuses an illegal move
(`IllegalTransition`, a 409) and records what it changed: the move for the claim's history and the events
it causes. The repository stores the moves (guarded by the state the claim was read in, so a race is refused
too) and the handler publishes the events in the same transaction.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.contracts import IntegrationEvent, Reason
from claimstream_platform.contracts import claim_submission as events
from claimstream_platform.contracts.claim_submission import ClaimLine
from claimstream_platform.dates import business_date

from claim_submission.domain.content import ClaimContent, line_control_number
from claim_submission.domain.states import (
    AWAITING_NUMBER,
    NOT_FOUND_AT_PAYER,
    ClaimStatus,
    IllegalTransition,
    Move,
    awaiting_number,
    check_move,
)

S = ClaimStatus


@dataclass(eq=False)
class Claim:
    id: UUID
    tenant_id: UUID
    practice_id: UUID | None
    encounter_id: UUID
    encounter_version: int
    payer_id: str
    status: ClaimStatus
    frequency: str  # 1 original, 7 replacement, 8 void
    stored_content: dict[str, Any]  # as stored: read into ClaimContent only when needed
    total_charge: Decimal
    service_date: date
    patient_control_number: str = ""  # numbered by the database when first stored
    payer_claim_number: str | None = None
    replaces_claim_id: UUID | None = None
    reasons: list[Reason] = field(default_factory=list)
    acknowledged_rules: list[str] = field(default_factory=list)
    interchange_number: int | None = None
    transaction_control: str | None = None
    correction_note: str | None = None
    updated_at: datetime | None = None
    overdue_at: datetime | None = None
    # what changed since it was read, for the repository and the publisher
    stored_status: ClaimStatus | None = None  # None: a new claim, not stored yet
    moves: list[Move] = field(default_factory=list)
    events: list[IntegrationEvent] = field(default_factory=list)
    dirty: bool = False  # a field beside the status changed

    @classmethod
    def new(
        cls,
        tenant_id: UUID,
        practice_id: UUID | None,
        encounter_id: UUID,
        encounter_version: int,
        content: ClaimContent,
        reasons: list[Reason],
        *,
        replaces: "Claim | None" = None,
        frequency: str = "1",
        note: str | None = None,
        supersedes: "Claim | None" = None,
    ) -> "Claim":
        """A new claim version: held when any reason stands, else ready. A replacement (frequency 7 or 8)
        carries the payer's number of the claim it replaces and a note (NTE*ADD) saying why; a new original
        names the claim it `supersedes` too, so that downstream it ends there."""
        replaced = replaces or supersedes
        claim = cls(
            id=uuid4(),
            tenant_id=tenant_id,
            practice_id=practice_id,
            encounter_id=encounter_id,
            encounter_version=encounter_version,
            payer_id=content.payer.payer_id,
            status=S.HELD if reasons else S.READY,
            frequency=frequency,
            stored_content=content.model_dump(mode="json"),
            total_charge=content.total,
            service_date=content.service_date,
            reasons=list(reasons),
            payer_claim_number=replaces.payer_claim_number if replaces else None,
            replaces_claim_id=replaced.id if replaced else None,
            correction_note=(note or ("corrected claim" if frequency == "7" else "void")) if replaces else None,
        )
        claim.__dict__["content"] = content
        return claim

    @cached_property
    def content(self) -> ClaimContent:
        return ClaimContent.model_validate(self.stored_content)

    def _ids(self) -> dict[str, Any]:
        return {
            "tenant_id": self.tenant_id,
            "practice_id": self.practice_id,
            "claim_id": self.id,
            "encounter_id": self.encounter_id,
            "patient_control_number": self.patient_control_number,
        }

    def _move(self, target: ClaimStatus, **detail: Any) -> None:
        check_move(self.status, target)
        self.moves.append(Move(self.status, target, detail))
        self.status = target

    def _set_reasons(self, reasons: list[Reason]) -> None:
        self.reasons = list(reasons)
        self.dirty = True

    def numbered(self, patient_control_number: str) -> None:
        """Stored and numbered (CLM01): the claim exists, and says so."""
        self.patient_control_number = patient_control_number
        self.events.append(
            events.ClaimCreated(
                **self._ids(),
                payer_id=self.payer_id,
                frequency=self.frequency,
                total_charge=self.total_charge,
                service_date=self.service_date,
                replaces_claim_id=self.replaces_claim_id,
                lines=self._lines(),
                responsibility=self.content.responsibility,
                place_of_service=self.content.place_of_service,
                patient_ref=self.content.patient.external_id,
                prior_authorization_number=self.content.prior_authorization_number,
                prior_payer_paid_on=self.content.prior_payer_paid_on,
                payer_kind=self.content.payer.kind,
            )
        )
        if self.replaces_claim_id is not None:
            self.events.append(
                events.ClaimResubmitted(
                    **self._ids(), replaces_claim_id=self.replaces_claim_id, frequency=self.frequency
                )
            )
        if self.reasons:
            self.events.append(events.ClaimHeld(**self._ids(), reasons=self.reasons))

    def _lines(self) -> list[ClaimLine]:
        return [
            ClaimLine(
                line_number=line.line_number,
                code=line.code,
                modifiers=line.modifiers,
                units=line.units,
                amount=line.amount,
                control_number=line_control_number(self.patient_control_number, line.line_number),
            )
            for line in self.content.lines
        ]

    def hold(self, reasons: list[Reason]) -> None:
        """Back to the work queue with the reasons (it could not be written or sent)."""
        self._set_reasons(reasons)
        self._move(S.HELD, reasons=[r.rule for r in reasons])
        self.events.append(events.ClaimHeld(**self._ids(), reasons=self.reasons))

    def release(self, found: list[Reason], acknowledged: list[str]) -> list[Reason]:
        """Scrubbed again (`found`): ready when nothing is left but reasons the caller acknowledges. Returns what
        still holds it; the missing payer number of a correction cannot be acknowledged away."""
        if self.status not in (S.HELD, S.REJECTED):
            raise IllegalTransition(f"a {self.status} claim cannot be released")
        if self.frequency in ("7", "8") and not self.payer_claim_number:
            found = [*found, awaiting_number("the payer's number is not known yet")]
        remaining = [r for r in found if r.rule not in acknowledged or r.rule == AWAITING_NUMBER]
        if not remaining:
            self.acknowledged_rules = list(acknowledged)
            self._set_reasons([])
            self._move(S.READY, released=True, acknowledged=acknowledged)
        return remaining

    def requeue(self, **detail: Any) -> None:
        """Ready again without a new scrub: its interchange is requeued, or its submitter was set."""
        self._set_reasons([])
        self._move(S.READY, **detail)

    def bind(self, interchange_number: int, transaction_control: str) -> None:
        self.interchange_number, self.transaction_control = interchange_number, transaction_control
        self._move(S.SUBMITTING, interchange=interchange_number)

    def submitted(self, *, acknowledgment_received: bool) -> None:
        detail = {} if acknowledgment_received else {"acknowledgment": "not received"}
        self._move(S.SUBMITTED, interchange=self.interchange_number, **detail)
        self.events.append(
            events.ClaimSubmitted(
                **self._ids(),
                interchange_control_number=str(self.interchange_number),
                submitted_on=business_date(self.content.time_zone),
            )
        )

    def acknowledge(self) -> None:
        """The 999 accepted its transaction set."""
        self._move(S.ACKNOWLEDGED)
        self.events.append(events.ClaimAcknowledged(**self._ids()))

    def receive(self, status: str) -> None:
        """The 277CA says received (A1), not yet accepted for adjudication."""
        self._move(S.RECEIVED, **{"277CA": status})

    def accept(self, payer_claim_number: str | None) -> None:
        self.payer_claim_number = payer_claim_number or self.payer_claim_number
        self._set_reasons([])
        self._move(S.ACCEPTED, payer_claim_number=payer_claim_number)
        self.events.append(events.ClaimAccepted(**self._ids(), payer_claim_number=payer_claim_number))

    def reject(self, source: str, reasons: list[Reason]) -> None:
        """A 999 or 277CA rejection: back in the work queue with the payer's reasons."""
        self._set_reasons(reasons)
        self._move(S.REJECTED, source=source, reasons=[r.rule for r in reasons])
        self.events.append(events.ClaimRejected(**self._ids(), source=source, reasons=self.reasons))

    def replace(self, **detail: Any) -> None:
        """Superseded: by a new version before the payer had it, or by a correction the payer accepted."""
        self._move(S.REPLACED, **detail)

    def void(self, reason: str) -> None:
        """Voided before the payer had it."""
        self._move(S.VOIDED, reason=reason)
        self.announce_void(reason)

    def announce_void(self, reason: str) -> None:
        """Voided, at the payer by a frequency 8 claim (which settles this one when the payer accepts it)."""
        self.events.append(events.ClaimVoided(**self._ids(), reason=reason))

    def settled_by_correction(self, frequency: str) -> None:
        """The payer accepted the correction (7) or void (8) of this claim."""
        self._move(S.REPLACED if frequency == "7" else S.VOIDED)

    def number_arrived(self, payer_claim_number: str) -> None:
        """A correction that waited for the payer's number of the claim it replaces: it can go when nothing else
        holds it."""
        self.payer_claim_number = payer_claim_number
        self._set_reasons([r for r in self.reasons if r.rule != AWAITING_NUMBER])
        if not self.reasons:
            self._move(S.READY, payer_claim_number=payer_claim_number)

    def status_reported(self, answer: Any) -> None:
        """The payer's answer to our status inquiry (a 277), on the claim's timeline; a claim the payer says it
        cannot find goes back to the work queue, to be sent again."""
        detail = {"status": f"{answer.category}:{answer.code}", "finding": answer.finding, "said": answer.words}
        if answer.finding == "not_found":
            message = "the payer's claim status answer says it has no record of this claim: send it again"
            self._set_reasons([Reason(rule=NOT_FOUND_AT_PAYER, field="claim", message=message)])
            self._move(S.HELD, **detail)
            self.events.append(events.ClaimHeld(**self._ids(), reasons=self.reasons))
        else:
            self._move(self.status, **detail)
        reported = {name: getattr(answer, name) for name in ("category", "code", "effective", "paid", "paid_on")}
        self.events.append(
            events.ClaimStatusReported(
                **self._ids(),
                payer_id=self.payer_id,
                **reported,
                check_number=answer.check_number,
                finding=answer.finding,
            )
        )

    def renumbered(self, payer_claim_number: str) -> None:
        """The payer's claim control number as its latest 835 gives it (CLP07): corrections name it in REF*F8."""
        self.payer_claim_number = payer_claim_number
        self.dirty = True

    def flag_overdue(self, now: datetime) -> None:
        """No 277CA within the configured time: raised once."""
        self.overdue_at = now
        self.dirty = True
        self.events.append(
            events.ClaimAcknowledgmentOverdue(**self._ids(), status=self.status, waiting_since=self.updated_at)
        )

    def take_events(self) -> list[IntegrationEvent]:
        taken, self.events = self.events, []
        return taken
