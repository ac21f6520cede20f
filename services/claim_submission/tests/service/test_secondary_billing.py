"""Coordination of benefits on real PostgreSQL and the simulator: the primary's posting bills the secondary once,
with the primary's payment in 2320/2430; a crossover payer's 835 is not the primary's word; a run of payments
leaves what the same payments one at a time leave."""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from claim_submission.gateway import SimulatorGateway
from claim_submission.inbound import payments
from claim_submission.intake import corrections, encounters
from claim_submission.repository import ClaimWork
from claims_testkit import RECENT, charges, claims_of, cycle, enroll, handle, voided, x12_of
from claimstream_platform.contracts.remittance_posting import PaymentPosted
from claimstream_platform.messaging.envelope import DecodedEvent, EventMetadata
from cob_testkit import SECONDARY, TWO_LINES, posting
from sqlalchemy import text

SELF_SECONDARY = {**SECONDARY, "relationship": "self", "subscriber": None}


async def primary_accepted(
    make_uow: Callable[[], ClaimWork], gateway: SimulatorGateway, simulator: httpx.AsyncClient, served: date = RECENT
) -> tuple[Any, Any]:
    await enroll(simulator)
    await enroll(simulator, "SIMBCX", "XYZ123456")
    coded = charges(
        service_date=served, lines=TWO_LINES, total_amount=Decimal("225.00"), other_coverages=[SELF_SECONDARY]
    )
    await handle(make_uow, encounters.on_charge_captured, coded)
    await cycle(make_uow, gateway)
    (primary,) = await claims_of(make_uow, coded.encounter_id)
    assert primary.status == "accepted" and primary.payer_id == "SIMMCR"
    assert "SBR*S*18" in x12_of(primary) and "NM1*PR*2*SIMULATED BLUE*****PI*SIMBCX" in x12_of(primary)
    return coded, primary


async def secondary_sent(
    make_uow: Callable[[], ClaimWork], gateway: SimulatorGateway, simulator: httpx.AsyncClient
) -> tuple[Any, Any, Any]:
    """The primary paid, and the secondary it billed sent and numbered by its payer."""
    coded, primary = await primary_accepted(make_uow, gateway, simulator)
    await handle(make_uow, payments.on_payment_posted, posted_for(primary))
    await cycle(make_uow, gateway)
    _, secondary = await claims_of(make_uow, coded.encounter_id)
    return coded, primary, secondary


def paid_again() -> list[dict[str, Any]]:
    """The primary's lines as it pays them again after a reversal: 110 for the first."""
    first, *rest = posting().lines
    return [first.model_copy(update={"paid": Decimal("110")}).model_dump(), *(line.model_dump() for line in rest)]


def posted_for(claim: Any, **changes: Any) -> PaymentPosted:
    return posting(
        claim_id=claim.id, patient_control_number=claim.patient_control_number, practice_id=claim.practice_id, **changes
    )


async def test_the_primarys_posting_bills_the_secondary_once_with_its_payment(
    make_uow: Callable[[], ClaimWork],
    gateway: SimulatorGateway,
    simulator: httpx.AsyncClient,
) -> None:
    coded, primary = await primary_accepted(make_uow, gateway, simulator)
    await handle(make_uow, payments.on_payment_posted, posted_for(primary))
    await handle(make_uow, payments.on_payment_posted, posted_for(primary))  # redelivered: billed once
    first, secondary = await claims_of(make_uow, coded.encounter_id)
    assert first.payer_claim_number == "MCR-555"  # the primary's 835 renumbered it
    assert (secondary.payer_id, secondary.status, secondary.frequency) == ("SIMBCX", "ready", "1")
    assert secondary.total_charge == Decimal("225.00")
    await cycle(make_uow, gateway)
    _, secondary = await claims_of(make_uow, coded.encounter_id)
    assert secondary.status == "accepted", secondary.reasons
    x12 = x12_of(secondary).replace("\n", "")
    assert "SBR*S*18" in x12 and "SBR*P*18" in x12 and "AMT*D*100~" in x12
    assert "SVD*SIMMCR*100*HC:90837:95**1~CAS*CO*45*60~CAS*PR*2*25~DTP*573*D8*20261120~" in x12


async def test_a_crossover_payers_835_neither_renumbers_nor_bills(
    make_uow: Callable[[], ClaimWork],
    gateway: SimulatorGateway,
    simulator: httpx.AsyncClient,
) -> None:
    coded, primary = await primary_accepted(make_uow, gateway, simulator)
    number = primary.payer_claim_number
    await handle(make_uow, payments.on_payment_posted, posted_for(primary, outcome="forwarded", claim_status="19"))
    crossover_paid = posted_for(primary, payer_claim_number="BCX-9", claim_status="2")  # SIMBCX's 835, our CLM01
    await handle(make_uow, payments.on_payment_posted, crossover_paid)
    (only,) = await claims_of(make_uow, coded.encounter_id)
    assert only.payer_claim_number == "MCR-555"  # the forwarded 835 is the primary's own word; SIMBCX's is not
    assert number != "MCR-555"


async def test_corrected_charges_void_the_secondary_claim(
    make_uow: Callable[[], ClaimWork],
    gateway: SimulatorGateway,
    simulator: httpx.AsyncClient,
) -> None:
    coded, primary = await primary_accepted(make_uow, gateway, simulator)
    await handle(make_uow, payments.on_payment_posted, posted_for(primary))
    await handle(make_uow, corrections.on_charge_voided, voided(coded))
    first, secondary = await claims_of(make_uow, coded.encounter_id)
    assert first.status == "accepted"  # waits for the corrected charges, which replace it
    assert secondary.status == "voided"  # billed from a payment of charges that no longer stand


async def test_a_primary_that_reverses_and_pays_again_corrects_the_secondary_it_billed(
    make_uow: Callable[[], ClaimWork],
    gateway: SimulatorGateway,
    simulator: httpx.AsyncClient,
) -> None:
    coded, primary = await primary_accepted(make_uow, gateway, simulator)
    await handle(make_uow, payments.on_payment_posted, posted_for(primary))
    await cycle(make_uow, gateway)  # the secondary goes out and its payer numbers it
    reversed_ = posted_for(primary, outcome="reversed", claim_status="22", paid="-100")
    await handle(make_uow, payments.on_payment_posted, reversed_)
    first, *rest = posting().lines
    lines = [first.model_copy(update={"paid": Decimal("110")}), *rest]
    again = posted_for(primary, paid="110", lines=[line.model_dump() for line in lines])
    await handle(make_uow, payments.on_payment_posted, again)
    await handle(make_uow, payments.on_payment_posted, again)  # redelivered: corrected once
    _, secondary, corrected = await claims_of(make_uow, coded.encounter_id)
    assert (corrected.payer_id, corrected.frequency, corrected.replaces_claim_id) == ("SIMBCX", "7", secondary.id)
    assert corrected.content["other_payers"][0]["adjudication"]["paid"] == "110"


@pytest.mark.parametrize("in_one_run", [False, True], ids=["one at a time", "in one run"])
async def test_a_run_of_payments_leaves_what_the_same_payments_one_at_a_time_leave(
    make_uow: Callable[[], ClaimWork],
    gateway: SimulatorGateway,
    simulator: httpx.AsyncClient,
    in_one_run: bool,
) -> None:
    """A partition's run (payments.payments_posted): its claims locked, marked remitted and renumbered at once."""
    coded, primary = await primary_accepted(make_uow, gateway, simulator)
    first, *rest = posting().lines
    again = [first.model_copy(update={"paid": Decimal("110")}).model_dump(), *(line.model_dump() for line in rest)]
    run = [
        posted_for(primary),
        posted_for(primary, payer_claim_number="BCX-9", claim_status="2"),  # the crossover payer's own 835
        posted_for(primary),  # redelivered
        posted_for(primary, outcome="reversed", claim_status="22", paid="-100", payer_claim_number="MCR-REV"),
        posted_for(primary, paid="110", lines=again, payer_claim_number="MCR-556"),
    ]
    await in_order(make_uow, run, in_one_run=in_one_run)
    async with make_uow() as uow:
        assert await uow.statuses.is_remitted(primary.id)
    claims = await claims_of(make_uow, coded.encounter_id)
    found = sorted((c.payer_id, c.status, c.frequency, c.payer_claim_number) for c in claims)
    assert found == [  # renumbered by the last payment of its payer; the secondary billed, then billed again
        ("SIMBCX", "ready", "1", None),
        ("SIMBCX", "replaced", "1", None),
        ("SIMMCR", "accepted", "1", "MCR-556"),
    ]


@pytest.mark.parametrize("in_one_run", [False, True], ids=["one at a time", "in one run"])
async def test_a_secondary_renumbered_earlier_in_a_run_is_replaced_with_its_new_number(
    make_uow: Callable[[], ClaimWork],
    gateway: SimulatorGateway,
    simulator: httpx.AsyncClient,
    in_one_run: bool,
) -> None:
    """The secondary's own payment renumbers it; the primary's reversal and payment again, later in the same run,
    replace it: the replacement names the number the run gave it (REF*F8), not the one stored before the run."""
    coded, primary, secondary = await secondary_sent(make_uow, gateway, simulator)
    again = paid_again()
    run = [
        posted_for(secondary, payer_id="SIMBCX", payer_claim_number="BCX-NEW", paid="20", claim_status="2"),
        posted_for(primary, outcome="reversed", claim_status="22", paid="-100"),
        posted_for(primary, paid="110", lines=again),
    ]
    await in_order(make_uow, run, in_one_run=in_one_run)
    claims = await claims_of(make_uow, coded.encounter_id)
    found = sorted((c.payer_id, c.status, c.frequency, c.payer_claim_number) for c in claims)
    assert found == [
        ("SIMBCX", "accepted", "1", "BCX-NEW"),
        ("SIMBCX", "ready", "7", "BCX-NEW"),  # the replacement names the secondary's new number
        ("SIMMCR", "accepted", "1", "MCR-555"),
    ]


@pytest.mark.parametrize("in_one_run", [False, True], ids=["one at a time", "in one run"])
async def test_a_secondary_renumbered_later_in_a_run_is_replaced_with_the_number_it_had(
    make_uow: Callable[[], ClaimWork],
    gateway: SimulatorGateway,
    simulator: httpx.AsyncClient,
    in_one_run: bool,
) -> None:
    """The primary's reversal and payment again replace the secondary before the secondary's own payment, later in
    the same run, renumbers it: the replacement names the number the secondary had then, as one at a time."""
    coded, primary, secondary = await secondary_sent(make_uow, gateway, simulator)
    again = paid_again()
    run = [
        posted_for(primary, outcome="reversed", claim_status="22", paid="-100"),
        posted_for(primary, paid="110", lines=again),
        posted_for(secondary, payer_id="SIMBCX", payer_claim_number="BCX-NEW", paid="20", claim_status="2"),
    ]
    await in_order(make_uow, run, in_one_run=in_one_run)
    claims = await claims_of(make_uow, coded.encounter_id)
    found = sorted((c.payer_id, c.status, c.frequency, c.payer_claim_number) for c in claims)
    assert secondary.payer_claim_number not in (None, "BCX-NEW")
    assert found == [
        ("SIMBCX", "accepted", "1", "BCX-NEW"),
        ("SIMBCX", "ready", "7", secondary.payer_claim_number),  # the number it had when it was replaced
        ("SIMMCR", "accepted", "1", "MCR-555"),
    ]


async def test_a_runs_secondaries_are_billed_together_each_caused_by_its_own_payment(
    make_uow: Callable[[], ClaimWork], gateway: SimulatorGateway, simulator: httpx.AsyncClient
) -> None:
    visits = [await primary_accepted(make_uow, gateway, simulator, RECENT - timedelta(days=n)) for n in (0, 1)]
    run = [posted_for(primary) for _, primary in visits]
    ids = await in_order(make_uow, run, in_one_run=True)
    for (coded, _), payment in zip(visits, ids, strict=True):
        _, secondary = await claims_of(make_uow, coded.encounter_id)
        assert (secondary.payer_id, secondary.status) == ("SIMBCX", "ready")
        async with make_uow() as uow:
            causes = await uow.session.scalars(text(CREATED_BY), {"claim": str(secondary.id)})
            assert list(causes) == [payment]  # its own payment's, not the run's first


CREATED_BY = (
    "SELECT causation_id FROM outbox WHERE event_type = 'claimstream.claim.created.v1'"
    " AND convert_from(payload, 'UTF8')::jsonb->>'claim_id' = :claim"
)


async def in_order(make_uow: Callable[[], ClaimWork], run: list[PaymentPosted], *, in_one_run: bool) -> list[UUID]:
    """The payments one at a time, or as one partition's run (the deliveries' event ids)."""
    if not in_one_run:
        for event in run:
            await handle(make_uow, payments.on_payment_posted, event)
        return []
    meta = {"source": "remittance-posting", "time": datetime.now(UTC), "correlation_id": uuid4()}
    deliveries = [DecodedEvent(e, EventMetadata(event_id=uuid4(), **meta)) for e in run]
    async with make_uow() as uow:
        await payments.on_payments_posted(deliveries, uow)
        await uow.commit()
    return [d.metadata.event_id for d in deliveries]
