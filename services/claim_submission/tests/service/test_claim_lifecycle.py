"""Claims on real PostgreSQL, sent to the clearinghouse simulator: created, held, sent once, acknowledged,
accepted or rejected, corrected, voided."""

from collections.abc import Callable
from datetime import date, timedelta
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
    ENVELOPE,
    RECENT,
    TENANT,
    charges,
    claims_of,
    cycle,
    enroll,
    events,
    handle,
    wait_out_backoff,
    x12_of,
)
from claimstream_platform.contracts.charge_capture import ChargeVoided
from claimstream_platform.contracts.denial_management import CorrectionRequested
from sqlalchemy import text


async def test_a_clean_claim_goes_out_once_and_is_accepted(
    make_uow: Callable[[], ClaimWork],
    gateway: SimulatorGateway,
    simulator: httpx.AsyncClient,
    client: httpx.AsyncClient,
    auth: dict[str, str],
) -> None:
    await enroll(simulator)
    coded = charges(service_date=RECENT)
    await handle(make_uow, encounters.on_charge_captured, coded)
    await handle(make_uow, encounters.on_charge_captured, coded)  # a redelivered event changes nothing
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    assert (claim.status, claim.frequency, claim.total_charge) == ("ready", "1", Decimal("185.00"))
    await cycle(make_uow, gateway)
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    assert claim.status == "accepted" and claim.payer_claim_number.startswith("SIMMCR")
    assert [kind for kind, _ in await events(make_uow)] == ["created", "submitted", "acknowledged", "accepted"]
    await cycle(make_uow, gateway)  # nothing left to send
    async with make_uow() as uow:
        sent = (await uow.session.execute(text("SELECT count(*) FROM submissions"))).scalar()
    assert sent == 1
    detail = (await client.get(f"/v1/claims/{claim.id}", headers=auth)).json()
    assert [h["status"] for h in detail["history"]] == [
        "ready",
        "submitting",
        "submitted",
        "acknowledged",
        "received",
        "accepted",
    ]
    x12 = (await client.get(f"/v1/claims/{claim.id}/x12", headers=auth)).text
    assert f"CLM*{claim.patient_control_number}*185*" in x12


async def test_a_277ca_rejection_returns_the_claim_to_the_work_queue(
    make_uow: Callable[[], ClaimWork],
    gateway: SimulatorGateway,
    client: httpx.AsyncClient,
    auth: dict[str, str],
) -> None:
    coded = charges(service_date=RECENT)  # the member is not on the payer's roster
    await handle(make_uow, encounters.on_charge_captured, coded)
    await cycle(make_uow, gateway)
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    assert claim.status == "rejected" and claim.reasons[0]["rule"] == "277CA.A3.33"
    queue = (await client.get("/v1/claims?status=rejected", headers=auth)).json()["items"]
    assert [item["id"] for item in queue] == [str(claim.id)]
    assert (await events(make_uow))[-1][0] == "rejected"


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
    await enroll(simulator)
    first = charges(service_date=RECENT)
    await handle(make_uow, encounters.on_charge_captured, first)
    await cycle(make_uow, gateway)
    (original,) = await claims_of(make_uow, first.encounter_id)
    corrected = first.model_copy(update={"version": 2, "lines": [first.lines[0].model_copy(update={"code": "90834"})]})
    await handle(
        make_uow,
        corrections.on_charge_voided,
        ChargeVoided(
            tenant_id=TENANT,
            practice_id=first.practice_id,
            encounter_id=first.encounter_id,
            version=1,
            external_id=first.external_id,
            service_date=first.service_date,
            reason="corrected",
        ),
    )
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
    await enroll(simulator)
    first = charges(service_date=RECENT)
    await handle(make_uow, encounters.on_charge_captured, first)
    await submit.batch(make_uow(), ENVELOPE)
    await submit.send(make_uow, gateway)  # acknowledged; its 277CA not read yet
    corrected = first.model_copy(update={"version": 2, "place_of_service": "12"})
    await handle(make_uow, encounters.on_charge_captured, corrected)
    _, waiting = await claims_of(make_uow, first.encounter_id)
    assert (waiting.status, waiting.reasons[0]["rule"]) == ("held", AWAITING_NUMBER)
    await submit.read_statuses(make_uow, gateway)  # the number arrives: the correction is released
    await cycle(make_uow, gateway)
    original, replacement = await claims_of(make_uow, first.encounter_id)
    assert (replacement.status, replacement.frequency, original.status) == ("accepted", "7", "replaced")


async def test_a_send_that_failed_midway_is_retried_with_the_same_interchange_and_never_twice(
    make_uow: Callable[[], ClaimWork],
    gateway: SimulatorGateway,
    simulator: httpx.AsyncClient,
) -> None:
    await enroll(simulator)
    coded = charges(service_date=RECENT)
    await handle(make_uow, encounters.on_charge_captured, coded)
    await submit.batch(make_uow(), ENVELOPE)

    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("clearinghouse down", request=request)

    down = SimulatorGateway(httpx.AsyncClient(transport=httpx.MockTransport(unreachable), base_url="http://sim"))
    assert await submit.send(make_uow, down) == 0
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    assert claim.status == "submitting"
    async with make_uow() as uow:
        content = (await uow.session.execute(text("SELECT content FROM submissions"))).scalar_one()
    # the first attempt reached the clearinghouse after all, and only its answer was lost
    assert (await simulator.post("/v1/interchanges", content=content)).status_code == 200
    await wait_out_backoff(make_uow)
    assert await submit.send(make_uow, gateway) == 1  # the retry: "already received", not a second submission
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    assert claim.status == "submitted"
    await submit.read_statuses(make_uow, gateway)
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    assert claim.status == "accepted"
    received = (await simulator.post("/v1/cycles")).json()
    assert received["claims_adjudicated"] == 1  # the payer has the claim once


async def test_release_needs_every_finding_fixed_or_acknowledged(
    make_uow: Callable[[], ClaimWork],
    client: httpx.AsyncClient,
    auth: dict[str, str],
) -> None:
    late = charges(service_date=date.today() - timedelta(days=400))
    await handle(make_uow, encounters.on_charge_captured, late)
    (claim,) = await claims_of(make_uow, late.encounter_id)
    refused = await client.post(f"/v1/claims/{claim.id}/release", json={}, headers=auth)
    assert refused.status_code == 422 and "timely-filing.expired" in refused.json()["detail"]
    released = await client.post(
        f"/v1/claims/{claim.id}/release", json={"acknowledge": ["timely-filing.expired"]}, headers=auth
    )
    assert released.status_code == 200 and released.json()["status"] == "ready"
    again = await client.post(f"/v1/claims/{claim.id}/release", json={}, headers=auth)
    assert again.status_code == 409


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


async def test_other_tenants_see_no_claims(
    make_uow: Callable[[], ClaimWork],
    client: httpx.AsyncClient,
    keys: Any,
) -> None:
    coded = charges(service_date=RECENT)
    await handle(make_uow, encounters.on_charge_captured, coded)
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    stranger = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=uuid4())}"}
    assert (await client.get(f"/v1/claims/{claim.id}", headers=stranger)).status_code == 404
    assert (await client.get("/v1/claims", headers=stranger)).json()["items"] == []
    assert (await client.post(f"/v1/claims/{claim.id}/void", json={"reason": "x"}, headers=stranger)).status_code == 404


async def test_a_correction_of_a_claim_that_never_left_voids_it_at_once(make_uow: Callable[[], ClaimWork]) -> None:
    first = charges(service_date=RECENT)
    await handle(make_uow, encounters.on_charge_captured, first)
    await handle(
        make_uow,
        corrections.on_charge_voided,
        ChargeVoided(
            tenant_id=TENANT,
            practice_id=first.practice_id,
            encounter_id=first.encounter_id,
            version=1,
            external_id=first.external_id,
            service_date=first.service_date,
            reason="corrected",
        ),
    )
    (claim,) = await claims_of(make_uow, first.encounter_id)
    assert claim.status == "voided"  # the corrected encounter may be held for review: v1 must not go out


async def test_a_correction_names_the_payers_claim_number_from_its_latest_835(
    make_uow: Callable[[], ClaimWork],
    gateway: SimulatorGateway,
    simulator: httpx.AsyncClient,
) -> None:
    """The payer reprocessed the claim and renumbered it in its 835 (CLP07): REF*F8 must carry the new number."""
    from uuid import uuid4

    from claimstream_platform.contracts.remittance_posting import PaymentPosted

    await enroll(simulator)
    first = charges(service_date=RECENT)
    await handle(make_uow, encounters.on_charge_captured, first)
    await cycle(make_uow, gateway)
    (original,) = await claims_of(make_uow, first.encounter_id)
    posted = PaymentPosted(
        tenant_id=TENANT,
        practice_id=first.practice_id,
        remittance_id=uuid4(),
        claim_id=original.id,
        patient_control_number=original.patient_control_number,
        payer_id="SIMMCR",
        payer_claim_number="SIMMCR-R2",
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
    await handle(make_uow, payments.on_payment_posted, posted)
    request = CorrectionRequested(
        tenant_id=TENANT, claim_id=original.id, resubmit_as="replacement", reason="wrong code"
    )
    await handle(make_uow, corrections.on_correction_requested, request)
    await cycle(make_uow, gateway)
    _, replacement = await claims_of(make_uow, first.encounter_id)
    assert replacement.frequency == "7" and "REF*F8*SIMMCR-R2~" in x12_of(replacement)
