"""A claim's states and the moves between them: the one place that says which transition is legal. Pure.

The lifecycle, the submission loop and the acknowledgment readers move claims; every move is checked against
this table where it is written (`moves.transition_many`), so an illegal one is refused, never stored.
"""

from enum import StrEnum


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
AT_PAYER = frozenset({S.SUBMITTING, S.SUBMITTED, S.ACKNOWLEDGED, S.RECEIVED, S.ACCEPTED})  # may be at the payer
OPEN = frozenset({S.READY, S.HELD}) | AT_PAYER
TERMINAL = frozenset({S.VOIDED, S.REPLACED})

# target -> the states a claim may come from
MOVES: dict[ClaimStatus, frozenset[ClaimStatus]] = {
    S.SUBMITTING: frozenset({S.READY}),
    S.SUBMITTED: frozenset({S.SUBMITTING}),
    S.ACKNOWLEDGED: frozenset({S.SUBMITTING, S.SUBMITTED}),
    S.RECEIVED: frozenset({S.SUBMITTING, S.SUBMITTED, S.ACKNOWLEDGED}),
    S.ACCEPTED: frozenset({S.SUBMITTING, S.SUBMITTED, S.ACKNOWLEDGED, S.RECEIVED, S.ACCEPTED}),
    S.REJECTED: AT_PAYER,  # a later rejection wins over an earlier acceptance
    S.HELD: frozenset({S.READY, S.HELD, S.SUBMITTING}),  # unwritable, no submitter, an interchange refused
    S.READY: frozenset({S.HELD, S.REJECTED}),  # released, requeued, its submitter or payer number arrived
    S.VOIDED: OPEN | {S.REJECTED},
    S.REPLACED: OPEN | {S.REJECTED},
}


class IllegalTransition(Exception):
    """A claim was asked to move where its state does not allow: a defect or a race, refused, never stored."""


def sources(target: str) -> frozenset[ClaimStatus]:
    """The states a claim may move to `target` from."""
    return MOVES[ClaimStatus(target)]


def check_move(current: str, target: str) -> None:
    if ClaimStatus(current) not in sources(target):
        raise IllegalTransition(f"a {current} claim cannot become {target}")
