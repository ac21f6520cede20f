"""Claims corrected and voided, on real PostgreSQL against the clearinghouse simulator: a held claim billed anew
with the number it lacked, a replacement (frequency 7) naming the payer's latest claim number and waiting for it,
a void (frequency 8) once the payer has the claim, or at once when it never left."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import httpx
from claim_submission.domain.states import AWAITING_NUMBER
from claim_submission.gateway import SimulatorGateway
from claim_submission.inbound import payments
from claim_submission.intake import corrections, encounters
from claim_submission.outbound import submit
from claim_submission.repository import ClaimWork
from claims_testkit import (
    RECENT,
    TENANT,
    a_claim,
    charges,
    claims_of,
    cycle,
    enroll,
    events,
    handle,
    voided,
    x12_of,
)
from claimstream_platform.contracts.denial_management import CorrectionRequested
from claimstream_platform.contracts.remittance_posting import PaymentPosted
from claimstream_platform.messaging.envelope import DecodedEvent, EventMetadata
from sqlalchemy import text


def paid_and_renumbered(claim: Any, payer_claim_number: str) -> PaymentPosted:
    """The payer's 835 for the claim, paid under a new claim number (CLP07)."""
    return PaymentPosted(
        tenant_id=TENANT,
        practice_id=claim.practice_id,
        remittance_id=uuid4(),
        claim_id=claim.id,
        patient_control_number=claim.patient_control_number,
        payer_id="SIMMCR",
        payer_claim_number=payer_claim_number,
        claim_status="1",
        outcome="paid",
        charge=Decimal("180"),
        paid=Decimal("140"),
        allowed=None,
        patient_responsibility=Decimal("0"),
        adjustments=[],
        remarks=[],
        lines=[],
        paid_on=None,
    )


async def test_a_claim_missing_its_authorization_is_held_and_released_when_the_number_arrives(
    make_uow: Callable[[], ClaimWork],
    gateway: SimulatorGateway,
    simulator: httpx.AsyncClient,
) -> None:
    await enroll(simulator, "SIMBCX")
    payer = {"payer_id": "SIMBCX", "name": "Blue", "kind": "commercial", "claim_filing_indicator": "BL"}
    coded = charges(
        service_date=RECENT,
        payer=payer,
        coverage={"payer_id": "SIMBCX", "member_id": "1EG4TE5MK73", "relationship": "self"},
        lines=[
            {"line_number": 1, "code": "96130", "modifiers": [], "units": 1, "amount": "150", "diagnosis_pointers": [1]}
        ],
    )
    await handle(make_uow, encounters.on_charge_captured, coded)
    (held,) = await claims_of(make_uow, coded.encounter_id)
    assert (held.status, [r["rule"] for r in held.reasons]) == ("held", ["authorization.missing"])
    await cycle(make_uow, gateway)
    assert (await claims_of(make_uow, coded.encounter_id))[0].status == "held"  # held claims do not go out
    request = CorrectionRequested(
        tenant_id=TENANT,
        claim_id=held.id,
        resubmit_as="new_original",
        reason="authorization obtained",
        prior_authorization_number="PA4242",
    )
    await handle(make_uow, corrections.on_correction_requested, request)
    await cycle(make_uow, gateway)
    old, new = await claims_of(make_uow, coded.encounter_id)
    assert (old.status, new.status, new.frequency) == ("replaced", "accepted", "1")
    assert "REF*G1*PA4242~" in x12_of(new) and "REF*F8" not in x12_of(new)  # a new claim, not a correction of the old
    created = [e for kind, e in await events(make_uow) if kind == "created" and e["claim_id"] == str(new.id)]
    assert [e["replaces_claim_id"] for e in created] == [str(old.id)]  # downstream, the old claim ends here


async def test_a_correction_after_acceptance_is_a_replacement_with_the_payers_number(
    make_uow: Callable[[], ClaimWork],
    gateway: SimulatorGateway,
    simulator: httpx.AsyncClient,
) -> None:
    first = await a_claim(make_uow, simulator)
    await cycle(make_uow, gateway)
    (original,) = await claims_of(make_uow, first.encounter_id)
    corrected = first.model_copy(update={"version": 2, "lines": [first.lines[0].model_copy(update={"code": "90834"})]})
    await handle(make_uow, corrections.on_charge_voided, voided(first))
    await handle(make_uow, encounters.on_charge_captured, corrected)
    await cycle(make_uow, gateway)
    original, replacement = await claims_of(make_uow, first.encounter_id)
    assert (replacement.frequency, replacement.status) == ("7", "accepted")
    assert f"REF*F8*{original.payer_claim_number}~" in x12_of(replacement)
    assert original.status == "replaced"
    assert "resubmitted" in [kind for kind, _ in await events(make_uow)]


async def test_a_correction_before_the_payers_number_waits_for_it(
    make_uow: Callable[[], ClaimWork],
    gateway: SimulatorGateway,
    simulator: httpx.AsyncClient,
) -> None:
    first = await a_claim(make_uow, simulator, batched=True)
    await submit.send(make_uow, gateway)  # acknowledged; its 277CA not read yet
    corrected = first.model_copy(update={"version": 2, "place_of_service": "12"})
    await handle(make_uow, encounters.on_charge_captured, corrected)
    _, waiting = await claims_of(make_uow, first.encounter_id)
    assert (waiting.status, waiting.reasons[0]["rule"]) == ("held", AWAITING_NUMBER)
    await submit.read_statuses(make_uow, gateway)  # the number arrives: the correction is released
    await cycle(make_uow, gateway)
    original, replacement = await claims_of(make_uow, first.encounter_id)
    assert (replacement.status, replacement.frequency, original.status) == ("accepted", "7", "replaced")


async def test_voiding_before_and_after_the_payer_has_it(
    make_uow: Callable[[], ClaimWork],
    gateway: SimulatorGateway,
    simulator: httpx.AsyncClient,
    client: httpx.AsyncClient,
    auth: dict[str, str],
) -> None:
    await enroll(simulator)
    local = charges(service_date=RECENT, external_id="v-local")
    await handle(make_uow, encounters.on_charge_captured, local)
    (claim,) = await claims_of(make_uow, local.encounter_id)
    voided = await client.post(f"/v1/claims/{claim.id}/void", json={"reason": "entered in error"}, headers=auth)
    assert voided.json()["status"] == "voided"
    sent = charges(service_date=RECENT - timedelta(days=1))
    await handle(make_uow, encounters.on_charge_captured, sent)
    await cycle(make_uow, gateway)
    (accepted,) = await claims_of(make_uow, sent.encounter_id)
    await client.post(f"/v1/claims/{accepted.id}/void", json={"reason": "service not rendered"}, headers=auth)
    await cycle(make_uow, gateway)
    original, void = await claims_of(make_uow, sent.encounter_id)
    assert (void.frequency, void.status, original.status) == ("8", "accepted", "voided")
    assert f"REF*F8*{original.payer_claim_number}~" in x12_of(void)


async def test_a_correction_of_a_claim_that_never_left_voids_it_at_once(make_uow: Callable[[], ClaimWork]) -> None:
    first = charges(service_date=RECENT)
    await handle(make_uow, encounters.on_charge_captured, first)
    await handle(make_uow, corrections.on_charge_voided, voided(first))
    (claim,) = await claims_of(make_uow, first.encounter_id)
    assert claim.status == "voided"  # the corrected encounter may be held for review: v1 must not go out


async def test_a_correction_names_the_payers_claim_number_from_its_latest_835(
    make_uow: Callable[[], ClaimWork],
    gateway: SimulatorGateway,
    simulator: httpx.AsyncClient,
) -> None:
    """The payer reprocessed the claim and renumbered it in its 835 (CLP07): REF*F8 must carry the new number."""
    first = await a_claim(make_uow, simulator)
    await cycle(make_uow, gateway)
    (original,) = await claims_of(make_uow, first.encounter_id)
    posted = paid_and_renumbered(original, "SIMMCR-R2")
    await handle(make_uow, payments.on_payment_posted, posted)
    request = CorrectionRequested(
        tenant_id=TENANT, claim_id=original.id, resubmit_as="replacement", reason="wrong code"
    )
    await handle(make_uow, corrections.on_correction_requested, request)
    await cycle(make_uow, gateway)
    _, replacement = await claims_of(make_uow, first.encounter_id)
    assert replacement.frequency == "7" and "REF*F8*SIMMCR-R2~" in x12_of(replacement)


NOW = datetime.now(UTC)
CREATED_BY = (
    "SELECT causation_id FROM outbox WHERE event_type = 'claimstream.claim.created.v1'"
    " AND causation_id = ANY(:ids) ORDER BY seq"
)


async def corrected_after(
    make_uow: Callable[[], ClaimWork], gateway: SimulatorGateway, days_back: int, *, in_one_run: bool
) -> list[list[tuple[str, str]]]:
    """Two claims, one the payer has and one that never left, each asked to be corrected twice (and a claim we do
    not have once), one request at a time or as a run: each encounter's claims (status, frequency) after."""
    at_payer_visit = charges(service_date=RECENT - timedelta(days=days_back))
    await handle(make_uow, encounters.on_charge_captured, at_payer_visit)
    await cycle(make_uow, gateway)
    here_visit = charges(service_date=RECENT - timedelta(days=days_back + 1))
    await handle(make_uow, encounters.on_charge_captured, here_visit)
    (at_payer,) = await claims_of(make_uow, at_payer_visit.encounter_id)
    (here,) = await claims_of(make_uow, here_visit.encounter_id)
    asked = [
        (at_payer.id, "replacement"),
        (here.id, "replacement"),
        (at_payer.id, "replacement"),
        (here.id, "replacement"),
        (uuid4(), "replacement"),
    ]
    run = [
        CorrectionRequested(tenant_id=TENANT, claim_id=c, resubmit_as=a, reason=f"fix {n}")
        for n, (c, a) in enumerate(asked)
    ]  # type: ignore[arg-type]
    if in_one_run:
        meta = [
            EventMetadata(event_id=uuid4(), source="denial-management", time=NOW, correlation_id=uuid4()) for _ in run
        ]
        async with make_uow() as uow:
            await corrections.on_corrections_requested(
                [DecodedEvent(e, m) for e, m in zip(run, meta, strict=True)], uow
            )
            await uow.commit()
        async with make_uow() as uow:
            causes = (await uow.session.execute(text(CREATED_BY), {"ids": [m.event_id for m in meta]})).scalars()
            assert list(causes) == [meta[n].event_id for n in (0, 1, 2)]  # each new claim caused by its request
    else:
        for event in run:
            await handle(make_uow, corrections.on_correction_requested, event)
    visits = (at_payer_visit, here_visit)
    return [[(c.status, c.frequency) for c in await claims_of(make_uow, v.encounter_id)] for v in visits]


async def test_a_run_of_corrections_leaves_what_the_same_requests_one_at_a_time_leave(
    make_uow: Callable[[], ClaimWork], gateway: SimulatorGateway, simulator: httpx.AsyncClient
) -> None:
    """Issue 33: a partition's requests are corrected together (the scrub's reads once for the run); a claim asked
    twice has its second request applied once the first's correction exists."""
    await enroll(simulator)
    alone = await corrected_after(make_uow, gateway, 10, in_one_run=False)
    together = await corrected_after(make_uow, gateway, 20, in_one_run=True)
    assert together == alone
    at_payer, here = together
    assert at_payer[0] == ("accepted", "1") and [f for _, f in at_payer[1:]] == ["7", "7"]
    assert [s for s, _ in here] == ["replaced", *(s for s, _ in here[1:])] and len(here) == 2
