"""The oracle of every fault test (docs/reliability.md): a seeded workload whose encounters are known before it runs,
and, once the cycle has settled, the differences between what should exist and what does, across every service's
tables and the payer's side:

    posted encounters = charge capture's encounters          (each once)
    coded encounters  = encounters with one original claim per payer
    claims sent       = the payer's claims (each received once)
    835 claims        = postings (each posted once per answer, none unmatched)
    per tenant: the money checksum holds, and what the projection counts as charged is what the claims charged

A fault test runs the workload, injects its fault while the work is in flight, and asserts `settle` finds nothing.
"""

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys
from clearinghouse_simulator.workload import Tokens, run

IN_FLIGHT = ("ready", "submitting", "submitted", "acknowledged", "received")  # a claim's states before an answer


@dataclass
class Workload:
    """Each tenant's seeded encounters, as charge capture took them."""

    posted: dict[UUID, list[dict[str, Any]]] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)  # charge capture's answers to the encounters posted

    @property
    def tenants(self) -> list[UUID]:
        return list(self.posted)


def new_workload(tenants: int = 2) -> Workload:
    return Workload({uuid4(): [] for _ in range(tenants)})


async def seeded_run(
    services: Services,
    keys: Keys,
    *,
    seed: int,
    tenants: int = 2,
    count: int = 15,
    rate: float = 20,
    until: asyncio.Event | None = None,
    workload: Workload | None = None,
) -> Workload:
    """Each tenant of the workload (two new ones by default) posts `count` encounters (seed, seed + 1, ...: the same
    visits on every run with the same seed), with the demo's share of defects and the front desk checking coverage
    first. With `until`, each posts until it is set instead: a fault test keeps work in flight until its faults
    have come. A test that watches the run as it goes passes its own `workload`."""
    workload = workload or new_workload(tenants)
    answered = await asyncio.gather(
        *(
            _one_tenant(services, keys, tenant, posted, seed=seed + n, count=count, rate=rate, until=until)
            for n, (tenant, posted) in enumerate(workload.posted.items())
        )
    )
    for statuses in answered:
        workload.statuses.update(statuses)
    return workload


async def posted_at_least(workload: Workload, count: int, *, within: float = 120) -> None:
    """Wait (bounded) until the run has posted `count` encounters: its tenants are set up and work is flowing."""
    deadline = time.monotonic() + within
    while sum(len(posted) for posted in workload.posted.values()) < count:
        assert time.monotonic() < deadline, "the workload did not get going"
        await asyncio.sleep(0.1)


async def _one_tenant(
    services: Services,
    keys: Keys,
    tenant: UUID,
    posted: list[dict[str, Any]],
    *,
    seed: int,
    count: int,
    rate: float,
    until: asyncio.Event | None,
) -> Counter[int]:
    def token(role: str) -> str:
        return keys.issuer.issue(tenant_id=tenant, roles=[role])

    return await run(
        charge_capture_url=services.charge_capture,
        simulator_url=services.simulator,
        tokens=Tokens(admin=token("tenant-admin"), front_desk=token("front-desk"), ehr=token("ehr-integration")),
        simulator_token=services.clearinghouse_auth["Authorization"].removeprefix("Bearer "),
        rate=rate,
        count=0 if until else count,
        stop=until,
        practices=2,
        seed=seed,
        defect_share=0.2,
        eligibility_url=services.eligibility,
        posted=posted,
    )


async def settle(
    services: Services, keys: Keys, database_url: str, workload: Workload, *, within: float = 150
) -> list[str]:
    """Poll the differences until there are none twice in a row (bounded); returns the last ones found."""
    deadline, clean_polls, found = time.monotonic() + within, 0, ["not checked"]
    while time.monotonic() < deadline:
        found = await differences(services, keys, database_url, workload)
        clean_polls = clean_polls + 1 if not found else 0
        if clean_polls == 2:
            return []
        await asyncio.sleep(1)
    return found


async def payer_done(database_url: str, workload: Workload | None, *, within: float = 60) -> int:
    """Wait (bounded) until the payers have answered every claim of the run (of every run, with None) and each
    electronic answer is posted: their cycles go on after the oracle settles, and a late 835 is new work, not a
    fault's. Returns the claims still waiting for an answer then (0 once none is)."""
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    tenants = workload.tenants if workload else await connection.fetchval(_EVERY_TENANT)
    try:
        deadline = time.monotonic() + within
        while (waiting := await connection.fetchval(_UNANSWERED, tenants)) and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
        return int(waiting)
    finally:
        await connection.close()


async def differences(services: Services, keys: Keys, database_url: str, workload: Workload) -> list[str]:
    rows = await _rows(database_url, workload.tenants)
    found = _encounters(workload, rows["encounters"])
    found += _claims(rows["encounters"], rows["claims"])
    found += _at_the_payer(rows["claims"], rows["payer"])
    found += _posted(rows["postings"])
    for tenant in workload.tenants:
        found += await _money(services, keys, tenant, rows)
    return found


async def _rows(database_url: str, tenants: list[UUID]) -> dict[str, list[asyncpg.Record]]:
    """Every service's rows of the run's tenants, read as the installation (its own schemas, no wall)."""
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        found = {name: await connection.fetch(query, tenants) for name, query in _QUERIES.items()}
        numbers = [claim["patient_control_number"] for claim in found["claims"]]
        found["payer"] = await connection.fetch(_PAYER, numbers)
        return found
    finally:
        await connection.close()


_QUERIES = {
    "encounters": "SELECT id, tenant_id, external_id, status, payer_id FROM charge_capture.encounters"
    " WHERE tenant_id = ANY($1)",
    "claims": "SELECT id, tenant_id, encounter_id, payer_id, status, frequency, replaces_claim_id,"
    " patient_control_number, total_charge, interchange_number,"
    " coalesce(content->>'responsibility', 'primary') AS responsibility"
    " FROM claim_submission.claims WHERE tenant_id = ANY($1)",
    "postings": "SELECT tenant_id, patient_control_number, payer_claim_number, claim_status, state"
    " FROM remittance_posting.claim_payments WHERE tenant_id = ANY($1)",
}
_EVERY_TENANT = "SELECT coalesce(array_agg(DISTINCT tenant_id), '{}') FROM claim_submission.claims"
_UNANSWERED = (
    "SELECT count(*) FROM clearinghouse_simulator.claims p JOIN claim_submission.claims c"
    " ON c.patient_control_number = p.patient_control_number AND c.tenant_id = ANY($1)"
    " WHERE p.status = 'accepted' OR (p.remittance = 'electronic' AND NOT EXISTS (SELECT FROM"
    " remittance_posting.claim_payments r WHERE r.patient_control_number = p.patient_control_number"
    " AND r.payer_claim_number = p.payer_claim_number))"
)
_PAYER = (
    "SELECT patient_control_number, payer_id, submission_id, payer_claim_number, status, paid, remittance"
    " FROM clearinghouse_simulator.claims WHERE patient_control_number = ANY($1)"
)


def _encounters(workload: Workload, encounters: list[asyncpg.Record]) -> list[str]:
    found = []
    for tenant, posted in workload.posted.items():
        expected = Counter(body["external_id"] for body in posted)
        stored = Counter(row["external_id"] for row in encounters if row["tenant_id"] == tenant)
        if set(expected) != set(stored):
            missing, unexpected = len(set(expected) - set(stored)), len(set(stored) - set(expected))
            found.append(f"encounters of {tenant}: {missing} missing, {unexpected} unexpected")
        found += [f"encounter {external} stored {n} times" for external, n in stored.items() if n > 1]
    return found


def _claims(encounters: list[asyncpg.Record], claims: list[asyncpg.Record]) -> list[str]:
    """Each coded encounter has one original claim for its payer (secondary payers' claims come on top)."""
    originals = Counter(
        (claim["encounter_id"], claim["payer_id"]) for claim in claims if claim["replaces_claim_id"] is None
    )
    found = [f"encounter {key[0]} has {n} original claims for one payer" for key, n in originals.items() if n > 1]
    claimed = {encounter for encounter, _ in originals}
    coded = {row["id"] for row in encounters if row["status"] == "coded"}
    found += [f"coded encounter {e} has no claim" for e in coded - claimed]
    found += [f"encounter {e} has a claim but is not coded" for e in claimed - coded]
    in_flight = [claim["id"] for claim in claims if claim["status"] in IN_FLIGHT]
    return found + ([f"{len(in_flight)} claims still waiting for the payer"] if in_flight else [])


def _at_the_payer(claims: list[asyncpg.Record], payer: list[asyncpg.Record]) -> list[str]:
    """Every claim that left reached its payer once; the payer has no claim that did not leave. (A primary that
    crosses a claim over forwards it to the secondary under the same number: that copy is the secondary's.)"""
    sent = {(c["patient_control_number"], c["payer_id"]) for c in claims if c["interchange_number"] is not None}
    # by interchange: a payer that splits a claim answers for each part under its own payer claim number
    received = Counter({(row["patient_control_number"], row["payer_id"], row["submission_id"]) for row in payer})
    received = Counter(key[:2] for key in received.elements())
    found = [f"claim {number} received by {payer_id} {n} times" for (number, payer_id), n in received.items() if n > 1]
    found += [f"claim {number} sent to {payer_id} but never received" for number, payer_id in sent - set(received)]
    forwarded = {key for key in received if key not in sent and key[0] in {number for number, _ in sent}}
    unsent = set(received) - sent - forwarded
    return found + [f"claim {number} received by {payer_id} but never sent" for number, payer_id in unsent]


def _posted(postings: list[asyncpg.Record]) -> list[str]:
    """Every 835 claim is posted once per answer; nothing of the run is left unmatched. (Whether every claim the
    payer adjudicated has reached claimstream's inbox yet is the payer's cycle, not ours: not compared.)"""
    answers = Counter(
        (row["patient_control_number"], row["payer_claim_number"], row["claim_status"])
        for row in postings
        if row["state"] != "unmatched"
    )
    found = [f"an 835 claim of {key[0]} posted {n} times" for key, n in answers.items() if n > 1]
    unmatched = sum(1 for row in postings if row["state"] == "unmatched")
    return found + ([f"{unmatched} 835 claims unmatched"] if unmatched else [])


def _live_primary(claim: asyncpg.Record, superseded: set[UUID]) -> bool:
    """A claim whose charge the checksum counts: billed to the primary payer, neither replaced nor voided. A claim
    that a correction or a void replaces is replaced from then on, even while claim submission still calls it
    accepted because the correction is held before it leaves (the visit's charge counts once)."""
    live = claim["status"] not in ("voided", "replaced") and claim["frequency"] != "8"
    return bool(live and claim["responsibility"] == "primary" and claim["id"] not in superseded)


async def _money(services: Services, keys: Keys, tenant: UUID, rows: dict[str, list[asyncpg.Record]]) -> list[str]:
    """The tenant's checksum holds, and the projection's charged is the live primary claims' charge."""
    headers = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant)}"}
    async with httpx.AsyncClient(base_url=services.projection, headers=headers, timeout=10) as projection:
        checked = (await projection.get("/v1/ledger/check")).json()
    found = []
    if checked["encounters_off"] or Decimal(checked["difference"]):
        found.append(f"checksum of {tenant}: {checked['encounters_off']} encounters off by {checked['difference']}")
    mine = [c for c in rows["claims"] if c["tenant_id"] == tenant]
    superseded = {c["replaces_claim_id"] for c in mine if c["replaces_claim_id"] is not None}
    charged = sum((c["total_charge"] for c in mine if _live_primary(c, superseded)), Decimal(0))
    if Decimal(checked["charged"]) != charged:
        found.append(f"{tenant}: the projection counts {checked['charged']} charged, the claims {charged}")
    return found
