"""ChargeCaptured events as charge capture publishes them, for claim submission's tests."""

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import httpx
from claim_submission.domain.content import ClaimContent, content_of
from claim_submission.gateway import Gateway
from claim_submission.intake import encounters
from claim_submission.outbound import submit
from claim_submission.outbound.copies import own_copy
from claim_submission.outbound.x837 import Party, Submitter
from claim_submission.repository import ClaimWork
from claimstream_platform.contracts.charge_capture import ChargeCaptured, ChargeVoided
from claimstream_platform.dates import business_date
from sqlalchemy import text

TENANT = UUID("00000000-0000-0000-0000-00000000c0de")
CLEARINGHOUSE_ACCOUNT = UUID("00000000-0000-0000-0000-0000000c1ea0")  # this installation, as the simulator knows it
PRACTICE = UUID("00000000-0000-0000-0000-0000000000b1")
ADDRESS = {"line1": "100 Main St", "city": "Portland", "state": "OR", "postal_code": "972011234"}


# A coded 53-minute session by a social worker for a Medicare patient, part by part.
SESSION = {
    "line_number": 1,
    "code": "90837",
    "modifiers": [],
    "units": 1,
    "amount": Decimal("185.00"),
    "diagnosis_pointers": [1, 2],
}
PATIENT = {
    "external_id": "p-1",
    "first_name": "Jane",
    "last_name": "Doe",
    "birth_date": date(1970, 1, 31),
    "sex": "F",
    "address": ADDRESS,
}
MEDICARE_COVERAGE = {"payer_id": "SIMMCR", "member_id": "1EG4TE5MK73", "relationship": "self"}
MEDICARE = {
    "payer_id": "SIMMCR",
    "name": "Simulated Medicare Part B",
    "kind": "medicare",
    "claim_filing_indicator": "MB",
}
PRACTICE_AS_BILLER = {
    "practice_id": PRACTICE,
    "name": "Harbor Counseling",
    "npi": "1679576722",
    "tax_id": "987654321",
    "taxonomy": "261QM0801X",
    "address": ADDRESS,
}
SOCIAL_WORKER = {
    "npi": "1245319599",
    "first_name": "Ben",
    "last_name": "Okafor",
    "credential": "LCSW",
    "taxonomy": "1041C0700X",
}


def charges(**changes: Any) -> ChargeCaptured:
    """A coded 53-minute session by a social worker for a Medicare patient; `changes` override any field."""
    data: dict[str, Any] = {
        "tenant_id": TENANT,
        "practice_id": PRACTICE,
        "encounter_id": uuid4(),
        "version": 1,
        "external_id": f"visit-{uuid4().hex[:8]}",
        "service_date": business_date() - timedelta(days=3),
        "place_of_service": "11",
        "diagnoses": ["F33.1", "Z63.0"],
        "lines": [SESSION],
        "total_amount": Decimal("185.00"),
        "patient": PATIENT,
        "coverage": MEDICARE_COVERAGE,
        "payer": MEDICARE,
        "billing_provider": PRACTICE_AS_BILLER,
        "rendering_provider": SOCIAL_WORKER,
    }
    return ChargeCaptured.model_validate(data | changes)


def voided(first: ChargeCaptured) -> ChargeVoided:
    """Charge capture's void of the encounter's first version, before its correction."""
    return ChargeVoided(
        tenant_id=TENANT,
        practice_id=first.practice_id,
        encounter_id=first.encounter_id,
        version=1,
        external_id=first.external_id,
        service_date=first.service_date,
        reason="corrected",
    )


def claim_content(**changes: Any) -> ClaimContent:
    """The claim content claim submission keeps for `charges(**changes)`."""
    return content_of(charges(**changes)).content


# The tests' installation serves one billing company: its default submitter stands for every tenant.
SUBMITTER = Submitter("CSBILLING", "CLAIMSTREAM TEST BILLING", "EDI DESK", "5035550100")
ENVELOPE = submit.Envelope(Party("CLAIMSTREAMSIM", "SIMULATOR"), default_submitter=SUBMITTER)
RECENT = business_date() - timedelta(days=3)


async def handle(make_uow: Callable[[], ClaimWork], handler: Any, event: Any) -> None:
    async with make_uow() as uow:
        await handler(event, uow)
        await uow.commit()


async def claims_of(make_uow: Callable[[], ClaimWork], encounter_id: Any) -> list[Any]:
    async with make_uow() as uow:
        rows = await uow.session.execute(
            text(
                "SELECT claims.*, submissions.content AS interchange FROM claims"
                " LEFT JOIN submissions USING (interchange_number) WHERE encounter_id = :e ORDER BY claims.created_at"
            ),
            {"e": encounter_id},
        )
        return list(rows.all())


def x12_of(claim: Any) -> str:
    """A claim row's own 837P (claims_of), as GET /v1/claims/{id}/x12 serves it: read from its interchange."""
    return (own_copy(claim.interchange, claim.patient_control_number) if claim.interchange else None) or ""


async def events(make_uow: Callable[[], ClaimWork]) -> list[tuple[str, dict[str, Any]]]:
    async with make_uow() as uow:
        rows = (
            await uow.session.execute(
                text("SELECT event_type, payload FROM outbox WHERE topic <> 'access.v1' ORDER BY seq")
            )
        ).all()
    return [(row.event_type.split(".")[2], json.loads(row.payload)) for row in rows]


async def enroll(simulator: httpx.AsyncClient, payer: str = "SIMMCR", member: str = "1EG4TE5MK73") -> None:
    body = {
        "member_id": member,
        "first_name": "JANE",
        "last_name": "DOE",
        "birth_date": "1970-01-31",
        "coverage_start": f"{RECENT.year - 1}-01-01",
    }
    assert (await simulator.post(f"/v1/payers/{payer}/members", json=body)).status_code == 201


async def wait_out_backoff(make_uow: Callable[[], ClaimWork]) -> None:
    """As if the wait after an outage had passed (the next attempt is due)."""
    async with make_uow() as uow:
        await uow.session.execute(text("UPDATE submissions SET not_before = now() WHERE status = 'pending'"))
        await uow.commit()


async def cycle(make_uow: Callable[[], ClaimWork], gateway: Gateway) -> None:
    """One turn of the worker's loop: batch, send, read the 277CAs."""
    await submit.batch(make_uow(), ENVELOPE)
    await submit.send(make_uow, gateway)
    await submit.read_statuses(make_uow, gateway)


async def a_claim(make_uow: Callable[[], ClaimWork], simulator: httpx.AsyncClient, *, batched: bool = False) -> Any:
    """One clean claim for an enrolled member, created from its charges (and bound to an interchange)."""
    await enroll(simulator)
    coded = charges(service_date=RECENT)
    await handle(make_uow, encounters.on_charge_captured, coded)
    if batched:
        await submit.batch(make_uow(), ENVELOPE)
    return coded


def answered_277(trace: str, status: Any) -> str:
    """A payer's 277 for one claim asked about (by its trace), with one status."""
    from claimstream_platform.x12 import FunctionalGroup, Interchange, write_interchange
    from claimstream_platform.x12.eligibility_model import Party
    from claimstream_platform.x12.status import IMPLEMENTATION, transaction_277
    from claimstream_platform.x12.status_model import ClaimStatus

    now = datetime.now(UTC)
    payer = Party("PR", "2", "SIMULATED MEDICARE", id_qualifier="PI", identifier="SIMMCR")
    receiver = Party("41", "2", "US", id_qualifier="46", identifier="CSBILLING")
    provider = Party("1P", "2", "HARBOR COUNSELING", id_qualifier="XX", identifier="1679576722")
    subscriber = Party("IL", "1", "DOE", "JANE", "MI", "1EG4TE5MK73")
    claim = ClaimStatus(payer, receiver, trace, provider, subscriber, statuses=(status,))
    transactions = [transaction_277([claim], "0001", created=now)]
    group = FunctionalGroup("HN", "CLAIMSTREAMSIM", "CSBILLING", "5", IMPLEMENTATION, transactions)
    return write_interchange(Interchange("ZZ", "CLAIMSTREAMSIM", "ZZ", "CSBILLING", "000000005", [group]), now=now)
