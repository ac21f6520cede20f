"""The claim's state machine: every state reachable, the terminal ones final, illegal moves refused."""

import pytest
from claim_submission.domain.states import MOVES, OPEN, TERMINAL, ClaimStatus, IllegalTransition, check_move


def test_every_state_is_a_target_and_every_open_state_can_be_left() -> None:
    reached = set(MOVES)
    assert reached == set(ClaimStatus)
    leaving = {source for sources in MOVES.values() for source in sources}
    assert OPEN <= leaving and ClaimStatus.REJECTED in leaving


def test_voided_and_replaced_claims_never_move_again() -> None:
    for target, sources in MOVES.items():
        assert not TERMINAL & sources, target


@pytest.mark.parametrize(
    ("current", "target"),
    [("ready", "accepted"), ("held", "submitting"), ("voided", "ready"), ("replaced", "voided"), ("ready", "rejected")],
)
def test_illegal_moves_are_refused(current: str, target: str) -> None:
    with pytest.raises(IllegalTransition):
        check_move(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [("ready", "submitting"), ("accepted", "rejected"), ("rejected", "ready"), ("submitting", "held")],
)
def test_the_moves_the_lifecycle_makes_are_allowed(current: str, target: str) -> None:
    check_move(current, target)
