"""The denial case aggregate: its states, the legal moves, and every transition in one place. Pure.

A case is one denial event for one claim: a claim-level denial, one denied line of a paid claim, or a 999/277CA
rejection. It opens triaged (root cause, recommended action, recoverable amount, deadline, priority) and is then
worked: assigned, noted, corrected (a replacement claim is requested), appealed, resolved. Each transition
refuses an illegal move (`IllegalTransition`, a 409), and records its history entry and the events it causes;
the repository stores them and the handler publishes the events in the same transaction.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal
from uuid import UUID, uuid4

from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts import denial_management as case_events
from claimstream_platform.errors import Conflict

from denial_management.deadlines import Deadline
from denial_management.triage import Triage


class CaseStatus(StrEnum):
    OPEN = "open"  # in the work queue: a person decides
    CORRECTING = "correcting"  # a corrected claim was requested: waits for its payment
    APPEALED = "appealed"  # an appeal was filed: waits for the payer's answer
    RESOLVED = "resolved"


S = CaseStatus
WORKING = frozenset({S.OPEN, S.CORRECTING, S.APPEALED})
MOVES: dict[CaseStatus, frozenset[CaseStatus]] = {  # target -> the states a case may come from
    S.CORRECTING: frozenset({S.OPEN}),
    S.APPEALED: frozenset({S.OPEN, S.CORRECTING}),
    S.RESOLVED: WORKING,
    S.OPEN: frozenset({S.CORRECTING, S.APPEALED}),  # the corrected claim was denied again, or the appeal lost
}


class IllegalTransition(Conflict):
    def __init__(self, message: str) -> None:
        super().__init__(message, field="status")


@dataclass(frozen=True)
class Entry:
    """One line of the case's history: who did what (a user's subject, or `system` for automatic actions)."""

    actor: str
    action: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class Opening:
    """What a denial event says, mapped at the edge: enough to open and triage a case."""

    tenant_id: UUID
    practice_id: UUID | None
    claim_id: UUID
    payer_id: str
    kind: str  # denial | rejection
    level: str  # claim | line
    line_number: int | None
    procedure_code: str | None
    amount: Decimal  # the charge denied
    denied_on: date
    service_date: date
    source_key: str  # the denial event's own identity: a redelivery opens nothing new
    # the claim's payer's kind (ClaimCreated.payer_kind), by which a payer our facts do not name is judged; read
    # when the case opens (its deadline and fixes), not kept with the case. None: the claim did not say it.
    payer_kind: str | None = None


@dataclass(eq=False)
class Case:
    id: UUID
    opening: Opening
    triage: Triage
    deadline: date | None
    priority: int
    status: CaseStatus = S.OPEN
    deadline_basis: str | None = None  # what the deadline counts from (deadlines.Deadline.basis)
    automatic: bool = False
    resolution: str | None = None
    assignee: str | None = None
    recovered: Decimal = Decimal(0)
    written_off: Decimal = Decimal(0)
    stored_status: CaseStatus | None = None  # None: new, not stored yet
    history: list[Entry] = field(default_factory=list)
    events: list[IntegrationEvent] = field(default_factory=list)

    @classmethod
    def open(
        cls, opening: Opening, triage: Triage, *, deadline: Deadline | None, priority: int, automatic: bool
    ) -> "Case":
        day, basis = (deadline.day, deadline.basis) if deadline else (None, None)
        case = cls(uuid4(), opening, triage, day, priority, automatic=automatic, deadline_basis=basis)
        case._record("system", "triaged", {"category": triage.category, "codes": list(triage.codes)})
        triaged = case_events.DenialTriaged(
            **case._ids(),
            kind=opening.kind,
            level=opening.level,
            line_number=opening.line_number,
            codes=list(triage.codes),
            category=triage.category,
            action=triage.action,
            automatic=automatic,
            recoverable=opening.amount,
            deadline=day,
            priority=priority,
            deadline_basis=basis,
        )
        case.events.append(triaged)
        return case

    def assign(self, assignee: str, actor: str) -> None:
        self._require_working("assigned")
        self.assignee = assignee
        self._record(actor, "assigned", {"assignee": assignee})

    def note(self, text: str, actor: str) -> None:
        self._record(actor, "noted", {"text": text})

    def request_correction(
        self,
        actor: str,
        *,
        resubmit_as: Literal["replacement", "new_original"],
        reason: str,
        changes: case_events.CorrectionChanges,
        prior_authorization_number: str | None = None,
    ) -> None:
        """Ask claim submission to correct the claim (a replacement or a new original) with `changes`."""
        self._move(S.CORRECTING)
        summary = {"resubmit_as": resubmit_as, "reason": reason, "changes": changes.model_dump() if changes else None}
        self._record(actor, "correction_requested", summary)
        o = self.opening
        self.events.append(
            case_events.CorrectionRequested(
                tenant_id=o.tenant_id,
                practice_id=o.practice_id,
                claim_id=o.claim_id,
                resubmit_as=resubmit_as,
                reason=reason,
                changes=changes,
                prior_authorization_number=prior_authorization_number,
                case_id=self.id,
            )
        )

    def appealed(self, actor: str, appeal_id: UUID) -> None:
        self._move(S.APPEALED)
        self._record(actor, "appeal_filed", {"appeal_id": str(appeal_id)})
        self.events.append(case_events.AppealFiled(**self._ids(), deadline=self.deadline, automatic=actor == "system"))

    def resolve(
        self,
        resolution: case_events.Resolution,
        actor: str,
        *,
        recovered: Decimal = Decimal(0),
        written_off: Decimal = Decimal(0),
    ) -> None:
        self._move(S.RESOLVED)
        self.resolution, self.recovered, self.written_off = resolution, recovered, written_off
        self._record(
            actor, "resolved", {"resolution": resolution, "recovered": str(recovered), "written_off": str(written_off)}
        )
        self.events.append(
            case_events.DenialResolved(
                **self._ids(),
                resolution=resolution,
                recovered=recovered,
                written_off=written_off,
                automatic=actor == "system",
            )
        )

    def reopen(self, why: str, actor: str = "system") -> None:
        """Back in the work queue: the payer upheld its denial after the appeal."""
        self._move(S.OPEN)
        self._record(actor, "reopened", {"why": why})
        self.events.append(case_events.DenialReopened(**self._ids(), why=why))

    def deadline_near(self, today: date) -> None:
        assert self.deadline is not None
        days_left = (self.deadline - today).days
        self._record("system", "deadline_approaching", {"deadline": self.deadline.isoformat()})
        self.events.append(
            case_events.DenialDeadlineApproaching(
                **self._ids(), deadline=self.deadline, days_left=days_left, recoverable=self.opening.amount
            )
        )

    def take_events(self) -> list[IntegrationEvent]:
        taken, self.events = self.events, []
        return taken

    def _require_working(self, what: str) -> None:
        if self.status not in WORKING:
            raise IllegalTransition(f"a {self.status} case cannot be {what}")

    def _move(self, target: CaseStatus) -> None:
        if self.status not in MOVES[target]:
            raise IllegalTransition(f"a {self.status} case cannot become {target}")
        self.status = target

    def _record(self, actor: str, action: str, detail: dict[str, Any]) -> None:
        self.history.append(Entry(actor, action, detail))

    def _ids(self) -> dict[str, Any]:
        o = self.opening
        return {
            "tenant_id": o.tenant_id,
            "practice_id": o.practice_id,
            "case_id": self.id,
            "claim_id": o.claim_id,
            "payer_id": o.payer_id,
        }
