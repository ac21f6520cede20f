"""Denial management's test helpers: the events it consumes, as their producers publish them."""

from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from uuid import UUID, uuid4

import httpx
from claimstream_platform.adjustments import classify
from claimstream_platform.contracts.charge_capture import PayerFactsOverridden
from claimstream_platform.contracts.claim_submission import (
    ClaimAccepted,
    ClaimCreated,
    ClaimLine,
    ClaimRejected,
    ClaimStatusReported,
)
from claimstream_platform.contracts.prior_authorization import AuthorizationApproved
from claimstream_platform.contracts.remittance_posting import ClaimDenied, PaymentPosted, PostedAdjustment, PostedLine
from denial_management import acceptances, bulk, claim_arrival, handlers, payments, practice_facts, status_reports
from denial_management.repository import DenialWork
from sqlalchemy import text

TENANT = UUID("00000000-0000-0000-0000-0000000d0e17")
PRACTICE = UUID("00000000-0000-0000-0000-0000000000d1")
SERVED = date(2026, 11, 2)


def created(
    pcn: str,
    *,
    payer: str = "SIMAHP",
    place: str = "11",
    modifiers: tuple[str, ...] = (),
    replaces: UUID | None = None,
    encounter: UUID | None = None,
) -> ClaimCreated:
    line = ClaimLine(
        line_number=1,
        code="90834",
        modifiers=list(modifiers),
        units=1,
        amount=Decimal("140"),
        control_number=f"{pcn}-1",
    )
    return ClaimCreated(
        tenant_id=TENANT,
        practice_id=PRACTICE,
        claim_id=uuid4(),
        encounter_id=encounter or uuid4(),
        patient_control_number=pcn,
        payer_id=payer,
        frequency="7" if replaces else "1",
        total_charge=Decimal("140"),
        service_date=SERVED,
        replaces_claim_id=replaces,
        lines=[line],
        place_of_service=place,
    )


def denied(
    claim: ClaimCreated,
    *adjustments: tuple[str, str, str],
    remarks: tuple[str, ...] = (),
    level: str = "claim",
    line_number: int | None = None,
    remittance: UUID | None = None,
    paid_on: date | None = None,
) -> ClaimDenied:
    """A ClaimDenied as remittance posting announces it: its amount the sum of the denial-class adjustments."""
    on = paid_on or SERVED
    posted = [
        PostedAdjustment(group=g, reason=r, amount=Decimal(a), adjustment_class=classify(g, r, on))
        for g, r, a in adjustments
    ]
    return ClaimDenied(
        tenant_id=TENANT,
        practice_id=PRACTICE,
        remittance_id=remittance or uuid4(),
        claim_id=claim.claim_id,
        patient_control_number=claim.patient_control_number,
        payer_id=claim.payer_id,
        level=level,  # type: ignore[arg-type]
        line_number=line_number,
        code="90834",
        amount=sum((a.amount for a in posted if a.adjustment_class == "denial"), Decimal(0)),
        adjustments=posted,
        remarks=list(remarks),
        paid_on=paid_on,
    )


def paid(
    claim: ClaimCreated, amount: str = "95", *, payer: str | None = None, lines: tuple[tuple[int, str], ...] = ()
) -> PaymentPosted:
    """A PaymentPosted of the claim, by its payer unless another is named; `lines` as (line number, paid)."""
    posted_lines = [
        PostedLine(
            line_number=n,
            code="90834",
            modifiers=[],
            charge=Decimal("140"),
            paid=Decimal(p),
            adjustments=[],
            remarks=[],
        )
        for n, p in lines
    ]
    return PaymentPosted(
        tenant_id=TENANT,
        practice_id=PRACTICE,
        remittance_id=uuid4(),
        claim_id=claim.claim_id,
        patient_control_number=claim.patient_control_number,
        payer_id=payer or claim.payer_id,
        payer_claim_number="AHP1",
        claim_status="1",
        outcome="paid",
        charge=Decimal("140"),
        paid=Decimal(amount),
        allowed=None,
        patient_responsibility=Decimal(0),
        adjustments=[],
        remarks=[],
        lines=posted_lines,
        paid_on=None,
    )


def accepted(claim: ClaimCreated) -> ClaimAccepted:
    return ClaimAccepted(
        tenant_id=TENANT,
        practice_id=PRACTICE,
        claim_id=claim.claim_id,
        encounter_id=claim.encounter_id,
        patient_control_number=claim.patient_control_number,
        payer_claim_number="AHP7",
    )


def rejected(claim: ClaimCreated, rule: str = "277CA.A3.33") -> ClaimRejected:
    from claimstream_platform.contracts import Reason

    return ClaimRejected(
        tenant_id=TENANT,
        practice_id=PRACTICE,
        claim_id=claim.claim_id,
        encounter_id=claim.encounter_id,
        patient_control_number=claim.patient_control_number,
        source="277CA",
        reasons=[Reason(rule=rule, field="claim", message="rejected")],
    )


# the consumer's handler of each event but ClaimCreated (a batch handler)
HANDLERS: dict[type[Any], Callable[[Any, DenialWork], Awaitable[None]]] = {
    ClaimDenied: handlers.on_claim_denied,
    ClaimRejected: handlers.on_claim_rejected,
    PaymentPosted: payments.on_payment_posted,
    ClaimAccepted: acceptances.on_claim_accepted,
    AuthorizationApproved: handlers.on_authorization_approved,
    PayerFactsOverridden: practice_facts.on_payer_facts_overridden,
    ClaimStatusReported: status_reports.on_claim_status_reported,
}


async def deliver(make_uow: Callable[[], DenialWork], *events: Any) -> None:
    """Each event through its handler, in its own transaction (as the consumer does)."""
    for event in events:
        async with make_uow() as uow:
            if isinstance(event, ClaimCreated):
                await claim_arrival.on_claims_created([SimpleNamespace(event=event)], uow)
            else:
                handler = HANDLERS[type(event)]
                await handler(event, uow)
            await uow.commit()


async def outbox(make_uow: Callable[[], DenialWork], kind: str) -> list[str]:
    """The payloads of the events of one type (the type's last dotted part but the version, e.g. `triaged`)."""
    async with make_uow() as uow:
        query = "SELECT event_type, convert_from(payload, 'UTF8') AS body FROM outbox ORDER BY seq"
        rows = await uow.session.execute(text(query))
        return [row.body for row in rows if row.event_type.split(".")[2] == kind]


async def cases_of(client: httpx.AsyncClient, auth: dict[str, str], **query: Any) -> list[dict[str, Any]]:
    response = await client.get("/v1/denials", params={"limit": 200, **query}, headers=auth)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def told_denied(claim: ClaimCreated, on: date = SERVED) -> ClaimStatusReported:
    """Claim submission's word that the payer's 277 says it denied the claim (F2) before its remittance came."""
    ids = {"tenant_id": TENANT, "practice_id": PRACTICE, "claim_id": claim.claim_id, "encounter_id": claim.encounter_id}
    answer = {"category": "F2", "code": "1", "effective": on, "paid": Decimal(0), "paid_on": None, "check_number": None}
    return ClaimStatusReported(
        **ids, patient_control_number=claim.patient_control_number, payer_id=claim.payer_id, **answer, finding="denied"
    )


async def work_bulk(make_uow: Callable[[], DenialWork]) -> int:
    """What the worker's bulk loop does: every unfinished job worked to the end, a chunk a transaction; the
    number of chunks."""
    chunks = 0
    while True:
        async with make_uow() as uow:
            worked = await bulk.work_chunk(uow)
            await uow.commit()
        if not worked:
            return chunks
        chunks += 1
