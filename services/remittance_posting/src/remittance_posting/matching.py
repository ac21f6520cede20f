"""Which of the claim's lines each paid line stands for. Pure.

A paid line is matched by REF*6R (the 837's line control number), else by code and modifiers when the payer dropped
or reordered them, else by the code billed (SVC06) when it paid another; each claim line is used once.
"""

from collections.abc import Sequence

from remittance_posting.known import KnownClaim, KnownLine
from remittance_posting.model import ServicePayment


def match_lines(lines: Sequence[ServicePayment], claim: KnownClaim) -> list[int | None]:
    """The claim's line each paid line stands for (each used once), in order of preference: the line control
    number; the code and the same modifiers in any order; the code with the payer's modifiers a subset of ours
    (dropped ones); the billed code (SVC06) likewise; the code alone."""
    free = {line.line_number: line for line in claim.lines}
    matched: list[int | None] = [None] * len(lines)
    rules = (_by_control, _same_modifiers, _modifiers_dropped, _billed_code, _code_only)
    for rule in rules:
        for index, paid in enumerate(lines):
            if matched[index] is None:
                found = next((n for n, known in free.items() if rule(paid, known)), None)
                if found is not None:
                    matched[index] = found
                    del free[found]
    return matched


def _by_control(paid: ServicePayment, known: KnownLine) -> bool:
    return paid.control_number is not None and paid.control_number == known.control_number


def _same_modifiers(paid: ServicePayment, known: KnownLine) -> bool:
    return paid.code == known.code and sorted(paid.modifiers) == sorted(known.modifiers)


def _modifiers_dropped(paid: ServicePayment, known: KnownLine) -> bool:
    return paid.code == known.code and set(paid.modifiers) <= set(known.modifiers)


def _billed_code(paid: ServicePayment, known: KnownLine) -> bool:
    return paid.billed_code == known.code and set(paid.billed_modifiers) <= set(known.modifiers)


def _code_only(paid: ServicePayment, known: KnownLine) -> bool:
    return paid.code == known.code or paid.billed_code == known.code
