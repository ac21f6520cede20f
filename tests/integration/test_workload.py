"""Black box: the EHR workload drives charge capture and the payers' rosters through their public APIs only."""

import asyncio
import json
import time
from collections import Counter
from decimal import Decimal
from typing import Any
from uuid import uuid4

import httpx
from claimstream_devtools.devstack.services import METRICS_PORT_OFFSET
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys
from claimstream_platform.adjustments import classify
from claimstream_platform.dates import business_date
from clearinghouse_simulator.workload import Tokens, run


async def test_the_workload_sets_up_practices_and_posts_a_realistic_mix(services: Services, keys: Keys) -> None:
    tenant = uuid4()
    tokens = Tokens(  # each step with the role that is its work, as the demo runs it
        admin=keys.issuer.issue(tenant_id=tenant, roles=["tenant-admin"]),
        front_desk=keys.issuer.issue(tenant_id=tenant, roles=["front-desk"]),
        ehr=keys.issuer.issue(tenant_id=tenant, roles=["ehr-integration"]),
    )
    statuses = await run(
        charge_capture_url=services.charge_capture,
        simulator_url=services.simulator,
        tokens=tokens,
        simulator_token=services.clearinghouse_auth["Authorization"].removeprefix("Bearer "),
        rate=200,
        count=60,
        practices=2,
        seed=3,
        defect_share=0.5,
        eligibility_url=services.eligibility,
        patient_billing_url=services.patient_billing,
    )
    assert statuses == Counter({201: statuses[201], 200: statuses[200]}) and statuses.total() == 60
    headers = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant)}"}  # reads, with every tenant role
    async with httpx.AsyncClient(base_url=services.charge_capture, headers=headers) as client:
        assert len((await client.get("/v1/practices")).json()["items"]) == 2
        items = (await client.get("/v1/encounters?limit=200")).json()["items"]
    by_status = Counter(item["status"] for item in items)
    assert by_status["coded"] > 20 and by_status["needs_review"] > 0
    rules = {problem["rule"] for item in items for problem in item["problems"]}
    expected = {"diagnosis.z-code-primary", "telehealth.details-missing", "telehealth.audio-not-covered"}
    assert rules <= expected
    assert "diagnosis.z-code-primary" in rules
    codes = Counter(charge["code"] for item in items for charge in item["charges"])
    assert {"90837", "90834"} <= set(codes)
    async with httpx.AsyncClient(base_url=services.simulator, headers=services.clearinghouse_auth) as simulator:
        payers = {p["payer_id"] for p in (await simulator.get("/v1/payers")).json()}
    assert payers == {"SIMMCR", "SIMMCD", "SIMBCX", "SIMAHP", "SIMBHO"}  # SIMBHO: the Blue plan's carve-out
    # The front desk checked coverage before each visit: the answers reach the projection's stream counts.
    checked = await eligibility_events(services, headers, at_least=1)
    assert {"claimstream.eligibility.verified.v1", "claimstream.coverage.carved-out.v1"} & set(checked)
    await the_money_balances(services, headers)


async def the_money_balances(services: Services, headers: dict[str, str]) -> None:
    """Once the payers have paid (and the stream has gone quiet), every encounter's money checksum holds, the
    denial work queue holds real denials only (docs/money.md), and the patients' accounts agree with the ledger."""
    checked = await quiet_check(services, headers)
    assert checked["encounters"] > 20 and Decimal(checked["paid"]) > 0, checked
    assert (checked["encounters_off"], Decimal(checked["difference"])) == (0, 0), checked["off"]
    async with httpx.AsyncClient(base_url=services.denial_management, headers=headers, timeout=10) as client:
        cases = (await client.get("/v1/denials", params={"limit": 200, "status": "open"})).json()["items"]
    denied = [c["codes"][0] for c in cases if c["kind"] == "denial"]
    assert all(classify(*code.split("-"), business_date()) == "denial" for code in denied), denied
    await the_patients_accounts_agree(services, headers, Decimal(checked["patient"]))


async def the_patients_accounts_agree(services: Services, headers: dict[str, str], ledger: Decimal) -> None:
    """What the patients' accounts say the insurance left them is, to the cent, the ledger's patient term: across
    deductibles, coinsurance, crossovers and secondary claims (docs/patient-billing.md). Bounded wait: the accounts
    follow the projection's announcements."""
    deadline, shares = time.monotonic() + 30, Decimal(-1)
    async with httpx.AsyncClient(base_url=services.patient_billing, headers=headers, timeout=10) as patients:
        while time.monotonic() < deadline and shares != ledger:
            listed = (await patients.get("/v1/patient-accounts", params={"limit": 200})).json()["items"]
            accounts = [(await patients.get(f"/v1/patient-accounts/{a['id']}")).json() for a in listed]
            shares = sum((Decimal(v["share"]) for a in accounts for v in a["visits"]), Decimal(0))
            await asyncio.sleep(0.5)
    assert ledger > 0 and shares == ledger, (shares, ledger)
    patients = await patient_terms(services, headers)
    assert (Decimal(patients["billed"]), patients["events_missing"]) == (ledger, 0), patients
    assert (Decimal(patients["difference"]), Decimal(patients["unbilled"])) == (0, 0), patients


async def patient_terms(services: Services, headers: dict[str, str]) -> dict[str, Any]:
    """The checksum's patient terms once the projection has every account event (bounded): what the ledger left
    the patients is what they paid, less refunds, plus what was forgiven and what they owe, less what they hold."""
    deadline = time.monotonic() + 30
    async with httpx.AsyncClient(base_url=services.projection, headers=headers, timeout=10) as projection:
        while True:
            patients: dict[str, Any] = (await projection.get("/v1/ledger/check")).json()["patients"]
            if Decimal(patients["difference"]) == 0 or time.monotonic() > deadline:
                return patients
            await asyncio.sleep(0.5)


async def quiet_check(services: Services, headers: dict[str, str]) -> dict[str, Any]:
    """The tenant's money checksum once payments have posted and nothing changed for five seconds (bounded): the
    projection and patient billing answer each other, each resting a second after a batch."""
    deadline, last, since = time.monotonic() + 120, None, time.monotonic()
    async with httpx.AsyncClient(base_url=services.projection, headers=headers, timeout=10) as projection:
        while time.monotonic() < deadline:
            checked: dict[str, Any] = (await projection.get("/v1/ledger/check")).json()
            sides = {k: checked[k] for k in ("charged", "paid", "adjusted", "written_off", "patient", "insurance")}
            if sides != last:
                last, since = sides, time.monotonic()
            elif Decimal(checked["paid"]) > 0 and time.monotonic() - since >= 5:
                return checked
            await asyncio.sleep(0.5)
    raise AssertionError(f"the money never settled: {last}")


async def eligibility_events(services: Services, headers: dict[str, str], at_least: int) -> Counter[str]:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient(base_url=services.projection, headers=headers, timeout=10) as projection:
        while True:
            rates = (await projection.get("/v1/stream/health", params={"minutes": 10})).json()["per_minute"]
            seen: Counter[str] = Counter()
            for rate in (r for r in rates if r["topic"] == "eligibility.v1"):
                seen[rate["event_type"]] += rate["count"]
            if seen.total() >= at_least or time.monotonic() > deadline:
                return seen
            await asyncio.sleep(0.5)


async def test_every_process_logs_json_lines_without_colour_codes(services: Services) -> None:
    """What an ops team's log shipper reads: one JSON object per line, no ANSI escapes, from every process."""
    logs = sorted(services.log_dir.glob("*.log"))
    assert {path.stem.rsplit("-", 1)[-1] for path in logs} >= {"api", "worker"}
    for path in logs:
        for line in path.read_text().splitlines():
            assert "\x1b[" not in line, path.name
            assert isinstance(json.loads(line), dict), (path.name, line[:80])
    async with httpx.AsyncClient(base_url=services.claim_submission) as client:
        scraped = (await client.get("/metrics")).text
    assert "claimstream_http_requests_total" in scraped
    # the worker's own /metrics, on its API's port + 1000: the submission loop's heartbeat is there
    port = int(services.claim_submission.rsplit(":", 1)[1]) + METRICS_PORT_OFFSET
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        worker = (await client.get("/metrics")).text
    assert 'claimstream_loop_last_pass{loop="claim-submission.submission"}' in worker
