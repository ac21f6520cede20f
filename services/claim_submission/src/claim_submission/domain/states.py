"""A claim's states and the legal moves between them: the state machine the `Claim` aggregate obeys. Pure."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from claimstream_platform.contracts import Reason
from claimstream_platform.errors import Conflict


class ClaimStatus(StrEnum):
    READY = "ready"  # scrubbed clean, waiting for the next batch
    HELD = "held"  # in the work queue with its reasons
    SUBMITTING = "submitting"  # bound to an interchange, being sent
    SUBMITTED = "submitted"  # the clearinghouse has the interchange
    ACKNOWLEDGED = "acknowledged"  # the 999 accepted its transaction set
    RECEIVED = "received"  # 277CA A1: received, not yet accepted for adjudication
    ACCEPTED = "accepted"  # 277CA A2 (or the payer's own): in adjudication
    REJECTED = "rejected"  # a 999 or 277CA rejection, at any stage: back in the work queue
    VOIDED = "voided"
    REPLACED = "replaced"


S = ClaimStatus
SENT = frozenset({S.SUBMITTING, S.SUBMITTED, S.ACKNOWLEDGED})
AT_PAYER = SENT | {S.RECEIVED, S.ACCEPTED}  # may be in the payer's system
OPEN = frozenset({S.READY, S.HELD}) | AT_PAYER
TERMINAL = frozenset({S.VOIDED, S.REPLACED})
AWAITING_ACCEPTANCE = SENT | {S.RECEIVED}  # the acknowledgment clock runs

# target -> the states a claim may come from
MOVES: dict[ClaimStatus, frozenset[ClaimStatus]] = {
    S.SUBMITTING: frozenset({S.READY}),
    S.SUBMITTED: frozenset({S.SUBMITTING}),
    S.ACKNOWLEDGED: frozenset({S.SUBMITTING, S.SUBMITTED}),
    S.RECEIVED: SENT,
    S.ACCEPTED: AT_PAYER,
    S.REJECTED: AT_PAYER,  # a later rejection wins over an earlier acceptance
    # unwritable, no submitter, an interchange refused; accepted, then not found by the payer (a 277's A4)
    S.HELD: frozenset({S.READY, S.HELD, S.SUBMITTING, S.ACCEPTED}),
    S.READY: frozenset({S.HELD, S.REJECTED}),  # released, requeued, its submitter or payer number arrived
    S.VOIDED: OPEN | {S.REJECTED},
    S.REPLACED: OPEN | {S.REJECTED},
}
AWAITING_NUMBER = "correction.awaiting-payer-claim-number"
NOT_FOUND_AT_PAYER = "claim-status.not-found"


class IllegalTransition(Conflict):
    """A claim was asked to move where its state does not allow: refused, never stored."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="status")


def check_move(current: str, target: str) -> None:
    if ClaimStatus(current) not in MOVES[ClaimStatus(target)]:
        raise IllegalTransition(f"a {current} claim cannot become {target}")


@dataclass(frozen=True)
class Move:
    source: ClaimStatus
    target: ClaimStatus
    detail: dict[str, Any]


def awaiting_number(message: str) -> Reason:
    return Reason(rule=AWAITING_NUMBER, field="payer_claim_number", message=message)
