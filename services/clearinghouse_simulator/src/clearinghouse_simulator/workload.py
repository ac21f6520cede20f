"""The EHR side of the outside world: a workload that drives claimstream only through its public REST API.

It sets up practices with a realistic mix of clinicians, enrolls their patients with the simulated payers,
then posts encounters at a steady rate: mostly 45- and 60-minute therapy, intakes, psychiatric E/M with
add-ons, groups and families, a large telehealth share, and a configurable share of defective encounters
(missing authorization, wrong telehealth coding, Z-code primary, inactive coverage, late filing, duplicates).
A seed fixes every choice.

    python -m clearinghouse_simulator.workload --rate 0.5 --count 0     (0: until stopped)
Environment: CHARGE_CAPTURE_URL, SIMULATOR_URL, CLAIMSTREAM_TOKEN_FILE, and SIMULATOR_TOKEN_FILE (the submitter
account at the clearinghouse whose roster the payers' members join: the one claim submission sends with);
ELIGIBILITY_URL, when set, has the front desk check each visit's coverage first, and PRIOR_AUTHORIZATION_URL has it
authorize psychological testing (front_desk.py).
"""

import argparse
import asyncio
import contextlib
import os
import random
import signal
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
from claimstream_platform.identifiers import npi_check_digit

from clearinghouse_simulator import billing_office
from clearinghouse_simulator.front_desk import FrontDesk
from clearinghouse_simulator.payers import shipped
from clearinghouse_simulator.rosters import PLANS, Patient, coverages, enrollments, give_supplemental_plans
from clearinghouse_simulator.workload_mix import CHARGES, DEFECTS, DIAGNOSES, FIRST, LAST, SERVICES, STAFF


def npi(rng: random.Random) -> str:
    """A random NPI with a valid check digit."""
    body = str(rng.randint(100_000_000, 199_999_999))
    return body + str(npi_check_digit(body))


@dataclass
class PracticePlan:
    body: dict[str, Any]
    providers: list[dict[str, Any]]
    payers: list[dict[str, Any]]
    patients: list[Patient]
    id: str = ""
    posted: list[dict[str, Any]] = field(default_factory=list)  # for duplicate defects


def plan_practice(rng: random.Random, index: int, *, patients: int = 60) -> PracticePlan:
    address = {"line1": f"{100 + index} Main St", "city": "Portland", "state": "OR", "postal_code": "972011234"}
    providers = [
        {"npi": npi(rng), "first_name": rng.choice(FIRST), "last_name": rng.choice(LAST), "credential": credential,
         "taxonomy": taxonomy}
        for credential, taxonomy, count in STAFF
        for _ in range(count)
    ]  # fmt: skip
    payers = []
    for profile in shipped().payers.values():
        payer: dict[str, Any] = {"payer_id": profile.payer_id, "name": profile.name, "kind": profile.kind,
                                 "claim_filing_indicator": profile.claim_filing_indicator}  # fmt: skip
        if profile.kind == "medicaid":
            payer["policy_profile"] = "medicaid-credential-tiers"
        payers.append(payer)
    roster = [
        Patient(
            external_id=f"p{index}-{n}",
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            birth_date=date(rng.randint(1950, 2012), rng.randint(1, 12), rng.randint(1, 28)),
            payer_id=rng.choice(PLANS),
            member_id=f"M{index}{n:05d}{rng.randint(100, 999)}",
            active=rng.random() > 0.04,
        )
        for n in range(patients)
    ]
    give_supplemental_plans(roster, random.Random(rng.random()))
    body = {
        "name": f"Practice {index} Behavioral Health",
        "npi": npi(rng),
        "tax_id": f"{rng.randint(10, 99)}-{rng.randint(1000000, 9999999)}",
        "taxonomy": "261QM0801X",
        "address": address,
    }
    return PracticePlan(body, providers, payers, roster)


def encounter(rng: random.Random, plan: PracticePlan, *, today: date, defect_share: float) -> dict[str, Any]:
    """One encounter for the practice; with probability `defect_share` it carries one realistic defect."""
    defect = rng.choice(DEFECTS) if rng.random() < defect_share else None
    if defect == "duplicate" and plan.posted:
        return {**rng.choice(plan.posted), "external_id": f"visit-{uuid4().hex[:12]}"}
    _, service, allowed = rng.choices(SERVICES, weights=[w for w, _, _ in SERVICES])[0]
    provider = rng.choice([p for p in plan.providers if p["credential"] in allowed])
    patients = [p for p in plan.patients if p.active] if defect != "inactive_coverage" else plan.patients
    if defect == "inactive_coverage":
        patients = [p for p in plan.patients if not p.active] or patients
    patient = rng.choice(patients)
    days_ago = rng.randint(200, 260) if defect == "late_filing" else rng.randint(1, 10)
    diagnoses = list(rng.choice(DIAGNOSES))
    if defect == "z_code_primary":
        diagnoses = ["Z63.0", *(code for code in diagnoses if code != "Z63.0")]
    body: dict[str, Any] = {
        "practice_id": plan.id,
        "external_id": f"visit-{uuid4().hex[:12]}",
        "service_date": (today - timedelta(days=days_ago)).isoformat(),
        "rendering_provider_npi": provider["npi"],
        "patient": {
            "external_id": patient.external_id, "first_name": patient.first_name, "last_name": patient.last_name,
            "birth_date": patient.birth_date.isoformat(), "sex": rng.choice("FMU"), "address": plan.body["address"],
        },
        **coverages(patient),
        "diagnoses": diagnoses,
        "place_of_service": "11",
        "service": dict(service),
    }  # fmt: skip
    telehealth = service["kind"] not in ("group", "psychological_testing") and rng.random() < 0.45
    if telehealth:
        body["telehealth"] = {"modality": "video" if rng.random() < 0.8 else "audio", "patient_at_home": True}
    if defect == "telehealth_without_modality":
        body["place_of_service"] = "10"
        body.pop("telehealth", None)
    if service["kind"] == "psychological_testing" and defect != "missing_authorization":
        body["prior_authorization_number"] = f"PA{rng.randint(100000, 999999)}"
    return body


async def set_up(
    claimstream: httpx.AsyncClient, simulator: httpx.AsyncClient, plans: Sequence[PracticePlan], today: date
) -> None:
    """Practices, clinicians, payers and fee schedules in claimstream; the patients on the payers' rosters."""
    fees = [{"code": code, "amount": amount} for code, amount in CHARGES.items()]
    for plan in plans:
        created = await claimstream.post("/v1/practices", json=plan.body)
        if created.status_code == 409:  # set up by an earlier run: find it by its billing NPI
            existing = (await claimstream.get("/v1/practices")).json()["items"]
            plan.id = next(p["id"] for p in existing if p["npi"] == plan.body["npi"])
        else:
            created.raise_for_status()
            plan.id = created.json()["id"]
        for provider in plan.providers:
            await _created_or_exists(await claimstream.post(f"/v1/practices/{plan.id}/providers", json=provider))
        for payer in plan.payers:
            await _created_or_exists(await claimstream.post(f"/v1/practices/{plan.id}/payers", json=payer))
            schedule = {"effective_from": f"{today.year - 1}-01-01", "entries": fees}
            response = await claimstream.put(
                f"/v1/practices/{plan.id}/fee-schedules/{payer['payer_id']}", json=schedule
            )
            response.raise_for_status()
        for patient in plan.patients:
            member = {
                "member_id": patient.member_id, "first_name": patient.first_name, "last_name": patient.last_name,
                "birth_date": patient.birth_date.isoformat(), "coverage_start": f"{today.year - 1}-01-01",
                "coverage_end": None if patient.active else (today - timedelta(days=120)).isoformat(),
            }  # fmt: skip
            for payer_id, member_id in enrollments(patient):
                response = await simulator.post(
                    f"/v1/payers/{payer_id}/members", json={**member, "member_id": member_id}
                )
                response.raise_for_status()


async def _created_or_exists(response: httpx.Response) -> None:
    if response.status_code not in (201, 409):
        response.raise_for_status()


async def run(
    *,
    charge_capture_url: str,
    simulator_url: str,
    token: str,
    simulator_token: str,
    rate: float,
    count: int,
    practices: int,
    seed: int,
    defect_share: float,
    stop: asyncio.Event | None = None,
    claim_submission_url: str | None = None,
    remittance_posting_url: str | None = None,
    eligibility_url: str | None = None,
    prior_authorization_url: str | None = None,
) -> Counter[int]:
    """Set up, then post encounters at `rate` per second until `count` (0: until `stop`); the HTTP statuses seen."""
    rng = random.Random(seed)
    today = date.today()
    plans = [plan_practice(rng, index) for index in range(practices)]
    headers = {"Authorization": f"Bearer {token}"}
    stop = stop or asyncio.Event()
    statuses: Counter[int] = Counter()
    async with (
        httpx.AsyncClient(base_url=charge_capture_url, headers=headers, timeout=30) as claimstream,
        httpx.AsyncClient(
            base_url=simulator_url, headers={"Authorization": f"Bearer {simulator_token}"}, timeout=30
        ) as simulator,
        httpx.AsyncClient(base_url=eligibility_url or "http://unset", headers=headers, timeout=30) as eligibility,
        httpx.AsyncClient(base_url=prior_authorization_url or "http://unset", headers=headers, timeout=30) as pa,
    ):
        desk = FrontDesk(eligibility if eligibility_url else None, pa if prior_authorization_url else None)
        await set_up(claimstream, simulator, plans, today)
        await billing_office.set_up(headers, plans, today, claim_submission_url, remittance_posting_url)
        while not stop.is_set() and (count == 0 or statuses.total() < count):
            await _post_one(claimstream, desk, rng, rng.choice(plans), today, defect_share, statuses)
            await _pause(stop, rate)
    return statuses


async def _pause(stop: asyncio.Event, rate: float) -> None:
    """One encounter's share of a second, cut short when `stop` is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=1 / rate)


async def _post_one(
    claimstream: httpx.AsyncClient, desk: FrontDesk, rng: random.Random, plan: PracticePlan,
    today: date, defect_share: float, statuses: Counter[int],
) -> None:  # fmt: skip
    body = encounter(rng, plan, today=today, defect_share=defect_share)
    await desk.before(plan.body, body)  # the front desk asks before each visit
    response = await claimstream.post("/v1/encounters", json=body)
    statuses[response.status_code] += 1
    if response.status_code in (200, 201):
        plan.posted.append(body)
        del plan.posted[:-50]


def main() -> None:
    parser = argparse.ArgumentParser(prog="clearinghouse_simulator.workload", description=__doc__)
    parser.add_argument("--rate", type=float, default=0.5, help="encounters per second")
    parser.add_argument("--count", type=int, default=0, help="encounters to post (0: until stopped)")
    parser.add_argument("--practices", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--defects", type=float, default=0.1, help="share of defective encounters")
    args = parser.parse_args()
    token = Path(os.environ["CLAIMSTREAM_TOKEN_FILE"]).read_text().strip()
    simulator_token = Path(os.environ["SIMULATOR_TOKEN_FILE"]).read_text().strip()

    async def go() -> None:
        stop = asyncio.Event()
        for stop_signal in (signal.SIGTERM, signal.SIGINT):
            asyncio.get_running_loop().add_signal_handler(stop_signal, stop.set)
        await run(
            charge_capture_url=os.environ["CHARGE_CAPTURE_URL"],
            simulator_url=os.environ["SIMULATOR_URL"],
            token=token,
            simulator_token=simulator_token,
            rate=args.rate,
            count=args.count,
            practices=args.practices,
            seed=args.seed,
            defect_share=args.defects,
            stop=stop,
            claim_submission_url=os.environ.get("CLAIM_SUBMISSION_URL"),
            remittance_posting_url=os.environ.get("REMITTANCE_POSTING_URL"),
            eligibility_url=os.environ.get("ELIGIBILITY_URL"),
            prior_authorization_url=os.environ.get("PRIOR_AUTHORIZATION_URL"),
        )

    asyncio.run(go())


if __name__ == "__main__":
    main()
