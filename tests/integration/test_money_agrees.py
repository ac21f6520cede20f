"""One money model, three services (docs/money.md): the same 835s read by remittance posting, triaged by denial
management and folded by the projection must agree on what was denied, on which line and for how much, and on
where every other dollar went. No stack: each service's own pure code, as its handlers call it."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts.claim_submission import ClaimCreated, ClaimLine
from claimstream_platform.contracts.denial_management import DenialTriaged
from claimstream_platform.contracts.remittance_posting import ClaimDenied
from denial_management.triage import Adjusted, denied_amount, triage_denial
from projection.checks import checksum
from projection.domain import fold
from projection.facts import fact_of
from projection.model import INSURANCE, Folded
from remittance_posting.domain import posting_events
from remittance_posting.era import read_file
from remittance_posting.known import KnownClaim, KnownLine
from remittance_testkit import Line, Payment, era

TENANT, PRACTICE = uuid4(), uuid4()
SERVED = date(2026, 11, 10)
D = Decimal


@dataclass
class Visit:
    """One claim of `lines` (code, charge), billed to `payer`, and every event about it so far."""

    payer: str
    lines: list[tuple[str, str]]
    claim_id: UUID
    encounter_id: UUID
    events: list[tuple[IntegrationEvent, datetime]]

    @property
    def known(self) -> KnownClaim:
        known = tuple(KnownLine(n, code, (), D(c), f"CS7-{n}") for n, (code, c) in enumerate(self.lines, 1))
        return KnownClaim(self.claim_id, TENANT, PRACTICE, "CS7", self.payer, None, known, SERVED)


def visit(payer: str, *lines: tuple[str, str]) -> Visit:
    v = Visit(payer, list(lines), uuid4(), uuid4(), [])
    claim_lines = [
        ClaimLine(line_number=n, code=code, modifiers=[], units=1, amount=D(c), control_number=f"CS7-{n}")
        for n, (code, c) in enumerate(lines, 1)
    ]
    created = ClaimCreated(
        tenant_id=TENANT,
        practice_id=PRACTICE,
        claim_id=v.claim_id,
        encounter_id=v.encounter_id,
        patient_control_number="CS7",
        payer_id=payer,
        frequency="1",
        total_charge=sum((line.amount for line in claim_lines), D(0)),
        service_date=SERVED,
        lines=claim_lines,
    )
    v.events.append((created, datetime(2026, 11, 11, tzinfo=UTC)))
    return v


def remit(v: Visit, payment: Payment, *, sent_by: str, day: int) -> list[ClaimDenied]:
    """Remittance posting reads and posts the 835 (as its handlers do); its events join the visit's history."""
    (remittance,) = read_file(era(payment, payer_id=sent_by, trace=f"T{uuid4().hex[:8]}"))
    paid_on = date(2026, 11, 20) + timedelta(days=day)
    posted, more = posting_events(uuid4(), paid_on, remittance.claims[0], v.known, era_payer_id=sent_by)
    at = datetime(2026, 11, 20, tzinfo=UTC) + timedelta(days=day)
    v.events += [(posted, at), *((event, at) for event in more)]
    return [event for event in more if isinstance(event, ClaimDenied)]


def triage(v: Visit, denials: list[ClaimDenied]) -> dict[int | None, Decimal]:
    """Denial management's cases (as on_claim_denied opens them): line -> the amount the case is about."""
    cases = {}
    for denial in denials:
        adjusted = [Adjusted(a.group, a.reason, a.amount, a.adjustment_class or "") for a in denial.adjustments]
        amount = denied_amount(adjusted)
        if amount <= 0:
            continue
        found = triage_denial(adjusted, denial.remarks)
        cases[denial.line_number] = amount
        triaged = DenialTriaged(
            tenant_id=TENANT,
            practice_id=PRACTICE,
            case_id=uuid4(),
            claim_id=v.claim_id,
            payer_id=denial.payer_id,
            kind="denial",
            level=denial.level,
            line_number=denial.line_number,
            codes=list(found.codes),
            category=found.category,
            action=found.action,
            automatic=False,
            recoverable=amount,
            deadline=None,
            priority=1,
        )
        v.events.append((triaged, datetime(2026, 12, 30, tzinfo=UTC)))
    return cases


def folded(v: Visit) -> Folded:
    facts = [fact_of(event, uuid4(), at, "test") for event, at in v.events]
    return fold(f for f in facts if f is not None)


def open_lines(result: Folded, v: Visit) -> dict[int | None, Decimal]:
    return {
        line: amount for line, amount in result.line_balances(result.claims[v.claim_id], INSURANCE).items() if amount
    }


def test_a_deductible_only_claim_is_no_denial_anywhere() -> None:
    v = visit("SIMBCX", ("90837", "180"))
    denials = remit(
        v,
        Payment("CS7", lines=[Line(modifiers=(), adjustments=[("CO", "45", D(80)), ("PR", "1", D(100))])]),
        sent_by="SIMBCX",
        day=0,
    )
    result = folded(v)
    assert (denials, triage(v, denials), open_lines(result, v)) == ([], {}, {})
    assert not result.claims[v.claim_id].first_denied and checksum(result).difference == 0


def test_a_paid_claims_co_97_line_is_the_one_denial_all_three_see() -> None:
    v = visit("SIMBCX", ("90837", "180"), ("90785", "30"), ("90839", "50"))
    payment = Payment(
        "CS7",
        lines=[
            Line(modifiers=()),
            Line(code="90785", modifiers=(), charge=D(30), adjustments=[("CO", "45", D(10)), ("PR", "1", D(20))]),
            Line(code="90839", modifiers=(), charge=D(50), adjustments=[("CO", "97", D(50))], remarks=("M80",)),
        ],
    )
    denials = remit(v, payment, sent_by="SIMBCX", day=0)
    cases = triage(v, denials)
    result = folded(v)
    assert cases == {3: D(50)} == open_lines(result, v)
    assert result.claims[v.claim_id].first_denied_amount == D(50) and checksum(result).difference == 0


def test_medicares_co_50_stays_open_when_medicaids_crossover_pays_nothing() -> None:
    v = visit("SIMMCR", ("90837", "180"), ("90834", "150"))
    medicare = Payment(
        "CS7",
        status="19",
        lines=[
            Line(modifiers=(), adjustments=[("CO", "45", D(80)), ("PR", "2", D(20))]),
            Line(code="90834", modifiers=(), charge=D(150), adjustments=[("CO", "50", D(150))]),
        ],
    )
    medicaid = Payment(
        "CS7",
        status="2",
        payer_claim_number="MCD9",
        lines=[
            Line(modifiers=(), adjustments=[("OA", "23", D(180))]),
            Line(code="90834", modifiers=(), charge=D(150), adjustments=[("OA", "23", D(150))]),
        ],
    )
    denials = remit(v, medicare, sent_by="SIMMCR", day=0) + remit(v, medicaid, sent_by="SIMMCD", day=14)
    cases = triage(v, denials)
    result = folded(v)
    assert cases == {2: D(150)} == open_lines(result, v)
    # Medicaid's OA-23 for the whole line says Medicare's adjudication covered it: a dual eligible owes nothing
    assert result.claims[v.claim_id].patient_balance == 0 and checksum(result).difference == 0


@pytest.mark.parametrize(
    "adjustments",
    [
        [("CO", "45", "40"), ("CO", "253", "2.80")],  # sequestration
        [("CO", "131", "30"), ("CO", "237", "2"), ("CO", "144", "-5")],  # discount, penalty, incentive
        [("CO", "45", "40"), ("PR", "204", "140")],  # a plan exclusion the patient was told of
    ],
)
def test_settled_and_patient_amounts_are_no_denial_anywhere(adjustments: list[tuple[str, str, str]]) -> None:
    v = visit("SIMMCR", ("90837", "180"))
    line = Line(modifiers=(), adjustments=[(g, r, D(a)) for g, r, a in adjustments])
    denials = remit(v, Payment("CS7", lines=[line]), sent_by="SIMMCR", day=0)
    result = folded(v)
    assert (denials, triage(v, denials), open_lines(result, v)) == ([], {}, {})
    assert result.claims[v.claim_id].insurance_balance == 0 and checksum(result).difference == 0


def test_a_claim_denied_whole_is_one_case_for_all_its_lines() -> None:
    v = visit("SIMMCD", ("90837", "180"), ("90785", "30"))
    payment = Payment(
        "CS7",
        lines=[
            Line(modifiers=(), adjustments=[("CO", "197", D(180))], remarks=("N54",)),
            Line(code="90785", modifiers=(), charge=D(30), adjustments=[("CO", "197", D(30))]),
        ],
    )
    denials = remit(v, payment, sent_by="SIMMCD", day=0)
    cases = triage(v, denials)
    result = folded(v)
    assert cases == {None: D(210)} and open_lines(result, v) == {1: D(180), 2: D(30)}
    assert sum(open_lines(result, v).values()) == D(210) and checksum(result).difference == 0
