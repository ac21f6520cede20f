"""The simulator's unit tests' helpers: claims read from 837Ps built as a submitter would, a member's benefits,
one claim adjudicated, and an adjudication cycle over pending claims."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.identifiers import npi_check_digit
from claimstream_platform.x12 import parse_interchange
from claimstream_platform.x12.p837 import Claim, read_837
from clearinghouse_simulator.adjudication import adjudicate
from clearinghouse_simulator.cycle import CycleOutcome, MemberKey, Pending, Prior, run_cycle
from clearinghouse_simulator.payers import shipped
from clearinghouse_simulator.results import Adjudication, Member
from x12_samples import SampleClaim, make_837

BOOK = shipped()
RECEIVED = date(2026, 3, 5)
NOW = datetime(2026, 3, 6, 9, 0)
SUBMITTER = UUID("00000000-0000-0000-0000-0000000000a1")


def claims(*samples: SampleClaim) -> list[Claim]:
    interchange = parse_interchange(make_837(list(samples)))
    reading = read_837(interchange.groups[0].transactions[0], interchange.delimiters)
    assert reading.errors == []
    return reading.claims


def member(**changes: object) -> Member:
    values: dict[str, object] = {
        "coverage_start": date(2025, 1, 1),
        "coverage_end": None,
        "deductible": Decimal("500"),
        "deductible_met": Decimal("450"),
        "coinsurance": Decimal("0.10"),
        "copay": Decimal("25"),
        "visits_used": 0,
    }
    values.update(changes)
    return Member(**values)  # type: ignore[arg-type]


def decide(
    sample: SampleClaim,
    *,
    credential: str = "LCSW",
    duplicate: bool = False,
    received: date = RECEIVED,
    **member_changes: object,
) -> Adjudication:
    (claim,) = claims(sample)
    return adjudicate(
        claim,
        BOOK.payers[claim.payer_id],
        credential=credential,
        member=member(**member_changes),
        received=received,
        duplicate=duplicate,
    )


def adjustments(result: Adjudication) -> list[list[tuple[str, str, Decimal]]]:
    return [[(a.group, a.reason, a.amount) for a in line.adjustments] for line in result.lines]


def pending(claim: Claim, number: int, *, original: Prior | None = None) -> Pending:
    return Pending(uuid4(), SUBMITTER, "SUBMITTER1", claim, f"{claim.payer_id}{number}", RECEIVED, False, original)


def cycle(
    items: list[Pending], *, seed: int = 7, members: dict[MemberKey, Member] | None = None, **options: Any
) -> CycleOutcome:
    """One cycle over `items` (every member `member()` unless given); `options` as `run_cycle` takes them."""
    controls = iter(range(5000, 6000))
    default = {(i.submitter, i.claim.payer_id, i.claim.member_id): member() for i in items}
    return run_cycle(
        items,
        book=BOOK,
        members=default if members is None else members,
        reprocessable=options.pop("reprocessable", {}),
        seed=seed,
        now=NOW,
        next_control=lambda: str(next(controls)),
        **options,
    )


def npi_with_mips(wanted: tuple[Decimal, Decimal]) -> str:
    """A rendering NPI (valid check digit) whose 2026 Medicare MIPS adjustment is `wanted` (penalty, incentive)."""
    for body in (str(n) for n in range(124531950, 124540000)):
        npi = body + str(npi_check_digit(body))
        if BOOK.payers["SIMMCR"].mips_on(RECEIVED, npi) == wanted:
            return npi
    raise AssertionError("no such NPI")
