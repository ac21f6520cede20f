"""The EHR side of the outside world: a workload that drives claimstream only through its public REST API.

It sets up practices with a realistic mix of clinicians, enrolls their patients with the simulated payers,
then posts encounters at a steady rate: mostly 45- and 60-minute therapy, intakes, psychiatric E/M with
add-ons, groups and families, a large telehealth share, and a configurable share of defective encounters
(missing authorization, wrong telehealth coding, Z-code primary, inactive coverage, late filing, duplicates).
New patients keep joining (enrolled with their payers, then seen for an intake), so deductibles are always
being met somewhere. A seed fixes every choice.

    python -m clearinghouse_simulator.workload --rate 0.5 --count 0     (0: until stopped)
Environment: CHARGE_CAPTURE_URL, SIMULATOR_URL, the demo tenant's three tokens, each for the steps that are its
work (CLAIMSTREAM_ADMIN_TOKEN_FILE: practices, clinicians, payers, fee schedules, the submitter and contract rates;
CLAIMSTREAM_FRONT_DESK_TOKEN_FILE: the eligibility checks and authorizations before a visit, a front desk's or a
biller's; CLAIMSTREAM_EHR_TOKEN_FILE: the encounters, an EHR integration's), and SIMULATOR_TOKEN_FILE (the submitter
account at the clearinghouse whose roster the payers' members join: the one claim submission sends with);
ELIGIBILITY_URL, when set, has the front desk check each visit's coverage first, and PRIOR_AUTHORIZATION_URL has it
authorize psychological testing (front_desk.py); PATIENT_BILLING_URL has it collect what patients owe, and
DEMO_MAILBOX (the local mail sink's folder, or Mailpit's address) has the patients answer their emailed statements
(patients.py).
"""

import argparse
import asyncio
import contextlib
import os
import random
import signal
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from claimstream_platform.dates import business_date

from clearinghouse_simulator import billing_office, staff
from clearinghouse_simulator.front_desk import FrontDesk
from clearinghouse_simulator.patients import Mailbox, Patients
from clearinghouse_simulator.patients import mailbox as patients_mailbox
from clearinghouse_simulator.practices import PracticePlan, new_patient, plan_practice
from clearinghouse_simulator.rosters import Patient, coverages
from clearinghouse_simulator.workload_mix import DEFECTS, DIAGNOSES, INTAKE, MEDICATION_MANAGEMENT, SERVICES
from clearinghouse_simulator.workload_setup import enroll, set_up

__all__ = ["encounter", "enroll", "plan_practice", "run", "set_up"]  # plan_practice: where the bench finds it
NEW_PATIENT_SHARE = 0.03  # encounters that are a new patient's intake: every one has the year's deductible left
DUAL_MEDICATION_SHARE = 0.5  # a dual eligible's visits that are medication management with psychotherapy


def encounter(
    rng: random.Random, plan: PracticePlan, *, today: date, defect_share: float, joined: Patient | None = None
) -> dict[str, Any]:
    """One encounter for the practice; with probability `defect_share` it carries one realistic defect. A patient
    who has just `joined` the practice is seen for an intake."""
    defect = rng.choice(DEFECTS) if rng.random() < defect_share else None
    if defect == "duplicate" and plan.posted and joined is None:
        return {**rng.choice(plan.posted), "external_id": _visit_id(rng)}
    patient = joined or _patient(rng, plan, defect)
    service, provider = _service(rng, plan, patient, intake=joined is not None)
    days_ago = rng.randint(200, 260) if defect == "late_filing" else rng.randint(1, 10)
    diagnoses = list(rng.choice(DIAGNOSES))
    if defect == "z_code_primary":
        diagnoses = ["Z63.0", *(code for code in diagnoses if code != "Z63.0")]
    body: dict[str, Any] = {
        "practice_id": plan.id,
        "external_id": _visit_id(rng),
        "service_date": (today - timedelta(days=days_ago)).isoformat(),
        "rendering_provider_npi": provider["npi"],
        "patient": {
            "external_id": patient.external_id,
            "first_name": patient.first_name,
            "last_name": patient.last_name,
            "birth_date": patient.birth_date.isoformat(),
            "sex": rng.choice("FMU"),
            "address": plan.body["address"],
        },
        **coverages(patient),
        "diagnoses": diagnoses,
        "place_of_service": "11",
        "service": dict(service),
    }
    _telehealth(rng, body, defect)
    if service["kind"] == "psychological_testing" and defect != "missing_authorization":
        body["prior_authorization_number"] = f"PA{rng.randint(100000, 999999)}"
    return body


def _visit_id(rng: random.Random) -> str:
    """The EHR's id of a visit, drawn from the seed: a seeded run posts the same visits every time."""
    return f"visit-{rng.getrandbits(48):012x}"


def _patient(rng: random.Random, plan: PracticePlan, defect: str | None) -> Patient:
    """Who is seen: an active patient, or for an inactive-coverage defect one whose coverage ended."""
    patients = [p for p in plan.patients if p.active]
    if defect == "inactive_coverage":
        patients = [p for p in plan.patients if not p.active] or patients
    return rng.choice(patients)


def _service(
    rng: random.Random, plan: PracticePlan, patient: Patient, *, intake: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the visit is and who sees the patient: an intake for a new patient; for a dual eligible, half the
    time, medication management with psychotherapy; otherwise the practice's usual mix."""
    if intake:
        service, allowed = INTAKE
    elif patient.dual_eligible and rng.random() < DUAL_MEDICATION_SHARE:
        service, allowed = MEDICATION_MANAGEMENT
    else:
        _, service, allowed = rng.choices(SERVICES, weights=[w for w, _, _ in SERVICES])[0]
    return service, rng.choice([p for p in plan.providers if p["credential"] in allowed])


def _telehealth(rng: random.Random, body: dict[str, Any], defect: str | None) -> None:
    """45 % of the visits that can be are telehealth, a fifth of it audio only; a defect leaves its details out."""
    if body["service"]["kind"] not in ("group", "psychological_testing") and rng.random() < 0.45:
        body["telehealth"] = {"modality": "video" if rng.random() < 0.8 else "audio", "patient_at_home": True}
    if defect == "telehealth_without_modality":
        body["place_of_service"] = "10"
        body.pop("telehealth", None)


@dataclass(frozen=True)
class Tokens:
    """The tenant's callers, each used for the steps that are its work (docs/security.md)."""

    admin: str  # tenant-admin: practices, clinicians, payers, fee schedules, the submitter, contract rates
    front_desk: str  # front-desk (or biller): eligibility checks and authorizations before a visit
    ehr: str  # ehr-integration: the encounters

    def header(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


async def run(
    *,
    charge_capture_url: str,
    simulator_url: str,
    tokens: Tokens,
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
    patient_billing_url: str | None = None,
    billing_office_url: str | None = None,
    posted: list[dict[str, Any]] | None = None,
    mailbox: Mailbox | None = None,
) -> Counter[int]:
    """Set up, then post encounters at `rate` per second until `count` (0: until `stop`); the HTTP statuses seen.
    Each encounter charge capture took (200 or 201) is appended to `posted`, when given, with the practice's id."""
    rng, today, stop = random.Random(seed), business_date(), stop or asyncio.Event()
    statuses: Counter[int] = Counter()
    plans = [plan_practice(rng, index) for index in range(practices)]
    admin, desk_headers = tokens.header(tokens.admin), tokens.header(tokens.front_desk)
    async with (
        httpx.AsyncClient(base_url=charge_capture_url, headers=admin, timeout=30) as setting_up,
        httpx.AsyncClient(base_url=charge_capture_url, headers=tokens.header(tokens.ehr), timeout=30) as ehr,
        httpx.AsyncClient(base_url=simulator_url, headers=tokens.header(simulator_token), timeout=30) as simulator,
        front_desk(desk_headers, eligibility_url, prior_authorization_url, patient_billing_url, mailbox) as desk,
        staff.at_work(simulator, (billing_office_url, admin), (claim_submission_url, desk_headers), plans, stop),
    ):
        urls = (claim_submission_url, remittance_posting_url, billing_office_url)
        await _set_up_everything(setting_up, simulator, admin, plans, today, urls)
        while not stop.is_set() and (count == 0 or statuses.total() < count):
            await _post_one(ehr, simulator, desk, rng, rng.choice(plans), today, defect_share, statuses, posted)
            await _pause(stop, rate)
    return statuses


async def _set_up_everything(
    setting_up: httpx.AsyncClient,
    simulator: httpx.AsyncClient,
    admin: dict[str, str],
    plans: list[Any],
    today: date,
    urls: tuple[str | None, str | None, str | None],
) -> None:
    """The practices in charge capture and on the payers' rosters; then what the billing company sets up beside
    them (its submitter, contract rates, fee agreements: `billing_office.set_up`)."""
    await set_up(setting_up, simulator, plans, today)
    await billing_office.set_up(admin, plans, today, *urls)


@contextlib.asynccontextmanager
async def front_desk(
    headers: dict[str, str],
    eligibility: str | None,
    authorizations: str | None,
    patients: str | None,
    mailbox: Mailbox | None = None,
) -> AsyncIterator[FrontDesk]:
    """The front desk with a client for each of its services (eligibility, prior authorization, patient billing)
    that is there: one left unset, it does without. With a mailbox, the patients answer their emailed statements."""
    async with contextlib.AsyncExitStack() as clients:

        async def client(url: str | None, with_headers: dict[str, str] = headers) -> httpx.AsyncClient | None:
            made = None if url is None else httpx.AsyncClient(base_url=url, headers=with_headers, timeout=30)
            return None if made is None else await clients.enter_async_context(made)

        desk = FrontDesk(await client(eligibility), await client(authorizations), await client(patients))
        link = await client(patients, {})
        if mailbox is not None and desk.patients is not None and link is not None:
            desk.at_home = Patients(mailbox, link, desk.patients)
        yield desk


async def _pause(stop: asyncio.Event, rate: float) -> None:
    """One encounter's share of a second, cut short when `stop` is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=1 / rate)


async def _post_one(
    claimstream: httpx.AsyncClient,
    simulator: httpx.AsyncClient,
    desk: FrontDesk,
    rng: random.Random,
    plan: PracticePlan,
    today: date,
    defect_share: float,
    statuses: Counter[int],
    posted: list[dict[str, Any]] | None = None,
) -> None:
    """Post one encounter; charge capture's answer counted in `statuses`, and its body in `posted` if it took it."""
    joined = None
    if rng.random() < NEW_PATIENT_SHARE:  # a new patient: on the payers' rosters first, then their intake
        joined = new_patient(rng, plan)
        try:
            await enroll(simulator, joined, today)
        except httpx.HTTPStatusError as refused:  # the payers' side is down for a moment: seen another day
            statuses[refused.response.status_code] += 1
            return
    body = encounter(rng, plan, today=today, defect_share=defect_share, joined=joined)
    await desk.before(plan.body, body)  # the front desk asks before each visit
    response = await claimstream.post("/v1/encounters", json=body)
    statuses[response.status_code] += 1
    if response.status_code not in (200, 201):
        return
    plan.posted.append(body)
    del plan.posted[:-50]
    if posted is not None:
        posted.append(body)


def main() -> None:
    parser = argparse.ArgumentParser(prog="clearinghouse_simulator.workload", description=__doc__)
    parser.add_argument("--rate", type=float, default=0.5, help="encounters per second")
    parser.add_argument("--count", type=int, default=0, help="encounters to post (0: until stopped)")
    parser.add_argument("--practices", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--defects", type=float, default=0.1, help="share of defective encounters")
    args = parser.parse_args()
    tokens = Tokens(
        admin=Path(os.environ["CLAIMSTREAM_ADMIN_TOKEN_FILE"]).read_text().strip(),
        front_desk=Path(os.environ["CLAIMSTREAM_FRONT_DESK_TOKEN_FILE"]).read_text().strip(),
        ehr=Path(os.environ["CLAIMSTREAM_EHR_TOKEN_FILE"]).read_text().strip(),
    )
    simulator_token = Path(os.environ["SIMULATOR_TOKEN_FILE"]).read_text().strip()

    async def go() -> None:
        stop = asyncio.Event()
        for stop_signal in (signal.SIGTERM, signal.SIGINT):
            asyncio.get_running_loop().add_signal_handler(stop_signal, stop.set)
        await run(
            charge_capture_url=os.environ["CHARGE_CAPTURE_URL"],
            simulator_url=os.environ["SIMULATOR_URL"],
            tokens=tokens,
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
            patient_billing_url=os.environ.get("PATIENT_BILLING_URL"),
            billing_office_url=os.environ.get("BILLING_OFFICE_URL"),
            mailbox=patients_mailbox(os.environ.get("DEMO_MAILBOX")),
        )

    asyncio.run(go())


if __name__ == "__main__":
    main()
