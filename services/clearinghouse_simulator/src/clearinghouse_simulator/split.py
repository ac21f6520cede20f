"""Split claims: a payer that pays part of a claim now and the rest in a later 835. Pure.

Payers split a claim when some of its lines need more review: the first 835 pays a claim (CLP) holding only some
lines, under the provider's CLM01, and a later one pays the rest under another claim number. A share of
original multi-line claims is split, chosen by claim number so a run is repeatable. An add-on stays with the
service it is billed with (a split never leaves an add-on without its primary).
"""

import hashlib

from claimstream_platform.x12.p837 import Claim, Line

from clearinghouse_simulator.edits import ADD_ON_PRIMARIES

SPLIT_PERCENT = 5


def split(claim: Claim) -> tuple[Claim, Claim] | None:
    """The part paid now and the part paid later, or None when this claim is not split."""
    if claim.frequency != "1" or claim.responsibility != "P" or len(claim.lines) < 2:
        return None
    if int(hashlib.sha256(f"split|{claim.patient_control_number}".encode()).hexdigest()[:8], 16) % 100 >= SPLIT_PERCENT:
        return None
    now, later = _parts(claim.lines)
    if not now or not later:
        return None
    return _part(claim, now), _part(claim, later)


def _parts(lines: list[Line]) -> tuple[list[Line], list[Line]]:
    primaries = [line for line in lines if line.code not in ADD_ON_PRIMARIES]
    if len(primaries) < 2:
        return [], []
    first = primaries[0]
    now = [first] + [line for line in lines if first.code in ADD_ON_PRIMARIES.get(line.code, frozenset())]
    later = [line for line in lines if line not in now]
    later_codes = {line.code for line in later}
    orphans = [
        line for line in later if line.code in ADD_ON_PRIMARIES and not ADD_ON_PRIMARIES[line.code] & later_codes
    ]
    return (now, later) if not orphans else ([], [])


def _part(claim: Claim, lines: list[Line]) -> Claim:
    return claim.model_copy(update={"lines": lines, "total_charge": sum(line.charge for line in lines)})
