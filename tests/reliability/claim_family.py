"""A claim's family of events for scenario 7, as their producers publish them, each stamped with the time its
producer recorded it (the same instants for every copy of the family): the claim created, submitted and accepted
(277CA); paid by an 835; then a second 835 that reverses that payment (CLP02 22) and denies the claim (a denial
after a payment). And what the projection made of it: the claim, its ledger and its denial cases, with the ids and
the wall-clock times of the run taken out, so that two copies of the family compare."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.adjustments import classify
from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts import claim_submission as claims
from claimstream_platform.contracts import remittance_posting as remittances
from effects import connect
from poison import a_claim
from topics import Message, encoded

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # when the family's first event was recorded, in every copy
PAID_ON = T0.date()
CHARGE, PAID, CONTRACTUAL, COINSURANCE = Decimal("200.00"), Decimal("120.00"), Decimal("50.00"), Decimal("30.00")
NAMES = ("created", "submitted", "accepted", "paid", "reversal", "reversed", "denial", "denied")


@dataclass(frozen=True)
class Family:
    claim_id: UUID
    messages: dict[str, Message]  # by NAMES


def family(tenant: UUID, practice: UUID) -> Family:
    claim = a_claim(tenant, practice, charge=str(CHARGE))
    ids: dict[str, Any] = {
        "tenant_id": tenant,
        "practice_id": practice,
        "claim_id": claim.claim_id,
        "encounter_id": claim.encounter_id,
        "patient_control_number": claim.patient_control_number,
    }
    number = f"SIMCOM{claim.claim_id.hex[:10].upper()}"
    first, second = {**ids, "remittance_id": uuid4()}, {**ids, "remittance_id": uuid4()}
    events: list[tuple[IntegrationEvent, int, str]] = [
        (claim, 0, "claim-submission"),
        (claims.ClaimSubmitted(**ids, interchange_control_number="000000101"), 1, "claim-submission"),
        (claims.ClaimAccepted(**ids, payer_claim_number=number), 2, "claim-submission"),
        (_posted(first, number, "1", "paid", [("CO", "45", CONTRACTUAL), ("PR", "2", COINSURANCE)], 1), 3, "rp"),
        (_posted(second, number, "22", "reversed", [("CO", "45", CONTRACTUAL), ("PR", "2", COINSURANCE)], -1), 4, "rp"),
        (remittances.ClaimReversed(**_on(second), payer_claim_number=number, amount=PAID), 4, "rp"),
        (_posted(second, number, "4", "denied", [("CO", "50", CHARGE)], 1), 4, "rp"),
        (_denied(second, [("CO", "50", CHARGE)]), 4, "rp"),
    ]  # fmt: skip
    messages = {
        name: encoded(event, at=T0 + timedelta(seconds=second_), source=_source(source))
        for name, (event, second_, source) in zip(NAMES, events, strict=True)
    }
    return Family(claim.claim_id, messages)


def _source(short: str) -> str:
    return "remittance-posting" if short == "rp" else short


def _on(ids: dict[str, Any]) -> dict[str, Any]:
    """A posting's ids: the claim's, its remittance's and the claim's payer (no encounter: an 835 names none)."""
    keep = ("tenant_id", "practice_id", "claim_id", "patient_control_number", "remittance_id")
    return {name: ids[name] for name in keep} | {"payer_id": "SIMCOM"}


def _adjusted(adjustments: list[tuple[str, str, Decimal]], sign: int) -> list[remittances.PostedAdjustment]:
    return [
        remittances.PostedAdjustment(group=g, reason=r, amount=sign * a, adjustment_class=classify(g, r, PAID_ON))
        for g, r, a in adjustments
    ]


def _posted(
    ids: dict[str, Any], number: str, status: str, outcome: str, adjustments: list[tuple[str, str, Decimal]], sign: int
) -> remittances.PaymentPosted:
    """A claim payment of one line as remittance posting announces it; a reversal (sign -1) negates every amount."""
    adjusted = _adjusted(adjustments, sign)
    paid = sign * (CHARGE - sum((a for _, _, a in adjustments), Decimal(0)))
    patient = sum((a.amount for a in adjusted if a.group == "PR"), Decimal(0))
    allowed = paid + patient
    line = remittances.PostedLine(
        line_number=1,
        code="90837",
        modifiers=[],
        charge=sign * CHARGE,
        paid=paid,
        allowed=allowed,
        adjustments=adjusted,
        remarks=[],
        units_paid=Decimal(1),
    )
    return remittances.PaymentPosted(
        **_on(ids),
        payer_claim_number=number,
        claim_status=status,
        outcome=outcome,
        charge=sign * CHARGE,
        paid=paid,
        allowed=allowed,
        patient_responsibility=patient,
        adjustments=adjusted,
        remarks=[],
        lines=[line],
        paid_on=PAID_ON,
    )


def _denied(ids: dict[str, Any], adjustments: list[tuple[str, str, Decimal]]) -> remittances.ClaimDenied:
    adjusted = _adjusted(adjustments, 1)
    amount = sum((a.amount for a in adjusted), Decimal(0))
    return remittances.ClaimDenied(
        **_on(ids), level="claim", amount=amount, adjustments=adjusted, remarks=[], paid_on=PAID_ON
    )


# Fields of the projection's rows that name the copy (its ids) or the run's wall clock (a denial case is opened
# when denial management read the denial, now), not what the events said.
COPY_FIELDS = frozenset(
    {
        "claim_id",
        "tenant_id",
        "practice_id",
        "encounter_id",
        "patient_control_number",
        "payer_claim_number",
        "external_id",
        "patient_ref",
        "last_event_at",
        "id",
        "case_id",
        "opened_at",
        "resolved_at",
    }
)


async def folded(database_url: str, claim_id: UUID) -> dict[str, Any]:
    """The projection's claim, its ledger entries in order and its denial cases, without the copy's own fields."""
    connection = await connect(database_url)
    try:
        claim = await connection.fetchrow("SELECT * FROM projection.claims WHERE claim_id = $1", claim_id)
        ledger = await connection.fetch("SELECT * FROM projection.ledger WHERE claim_id = $1 ORDER BY seq", claim_id)
        cases = await connection.fetch("SELECT * FROM projection.denial_cases WHERE claim_id = $1", claim_id)
    finally:
        await connection.close()
    return {
        "claim": _plain(claim) if claim else None,
        "ledger": [_plain(row) for row in ledger],
        "cases": sorted((_plain(row) for row in cases), key=repr),
    }


def _plain(row: Any) -> dict[str, Any]:
    return {name: value for name, value in dict(row).items() if name not in COPY_FIELDS}


def balances(view: dict[str, Any]) -> dict[tuple[Any, str], Decimal]:
    """What each party owes on each line, from the ledger."""
    owed: dict[tuple[Any, str], Decimal] = {}
    for entry in view["ledger"]:
        key = (entry["line_number"], entry["party"])
        owed[key] = owed.get(key, Decimal(0)) + entry["amount"]
    return owed
