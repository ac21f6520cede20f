"""Scenarios 13 and 14 (docs/reliability.md): the claims we send and what comes back for them.

13 is pure (no stack): hypothesis draws visits, charge capture's coding engine codes them, and claim submission
writes the 837P from what it would receive; every file written validates, balances, carries only ICD-10-CM codes
billable on the date of service and reads back to what was written. 14 runs on the stack, with a stand-in
clearinghouse in front of the simulator for one tenant's submitter."""

import csv
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import httpx
import simple_icd_10_cm as icd
from charge_capture.coding.engine import Coding, FeeEntry, Service, Telehealth
from charge_capture.coding.rulebook import DATA
from claim_submission.outbound.x837 import ClaimToSend
from claims_testkit import MEDICARE, MEDICARE_COVERAGE, claim_content
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys, StackUnderTest
from claimstream_platform.x12 import parse_interchange
from clearinghouse_simulator.workload_mix import CHARGES, SERVICES
from coding_testkit import code
from documents_world import Tenant, claims_of, eventually, new_tenant, ok, post_visits, rows
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from processes import worker_with
from pyx12_check import pyx12_acknowledgment, pyx12_problems
from standin import StandIn
from x837_testkit import read_back, write

# Diagnoses a clinician may send: billable codes, codes billable only before or after a code-set change,
# categories (never billable), a code that does not exist, Z-codes and a manifestation with its etiology.
DIAGNOSES = ["F33.1", "F41.1", "F43.10", "F32.A", "F90.0", "F43.23", "F84.0", "F43.8", "F43.81", "F50.01",
             "F50.010", "F32", "F41", "F99.99", "Z63.0", "Z65.8", "G30.9", "F02.80"]  # fmt: skip
FEES = [FeeEntry(code, frozenset(), Decimal(amount)) for code, amount in CHARGES.items()]
PAYERS = {
    "medicare": (MEDICARE, MEDICARE_COVERAGE),
    "medicaid": (
        {"payer_id": "SIMMCD", "name": "Simulated State Medicaid", "kind": "medicaid", "claim_filing_indicator": "MC"},
        {"payer_id": "SIMMCD", "member_id": "MCD77120", "relationship": "self"},
    ),
    "commercial": (
        {
            "payer_id": "SIMAHP",
            "name": "Simulated Apex Health HMO",
            "kind": "commercial",
            "claim_filing_indicator": "CI",
        },
        {"payer_id": "SIMAHP", "member_id": "AHP5512", "relationship": "self"},
    ),
}


def billable_on(code_with_dot: str, day: date) -> bool:
    """The dated ICD-10-CM set, read here from its sources (the CDC's set as the pinned package bundles it, and the
    dated changes between fiscal years), apart from charge capture's own reading."""
    with (DATA / "icd10cm_changes.csv").open() as changes:
        for row in csv.DictReader(changes):
            if row["code"] == code_with_dot:
                until = date.fromisoformat(row["billable_to"]) if row["billable_to"] else date.max
                return date.fromisoformat(row["billable_from"]) <= day <= until
    return icd.is_valid_item(code_with_dot) and icd.is_leaf(code_with_dot)


def with_dot(code: str) -> str:
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


visits = st.fixed_dictionaries(
    {
        "day": st.dates(date(2021, 10, 1), date(2026, 9, 30)),
        "diagnoses": st.lists(st.sampled_from(DIAGNOSES), min_size=1, max_size=4, unique=True),
        "service": st.sampled_from(SERVICES).flatmap(lambda s: st.tuples(st.just(s[1]), st.sampled_from(s[2]))),
        "kind": st.sampled_from(sorted(PAYERS)),
        "telehealth": st.sampled_from([None, Telehealth("video"), Telehealth("audio")]),
    }
)


def coded(visit: dict[str, Any]) -> Coding:
    service, credential = visit["service"]
    return code(
        service=Service(**service),
        kind=visit["kind"],
        credential=credential,
        diagnoses=tuple(visit["diagnoses"]),
        telehealth=visit["telehealth"],
        place_of_service="10" if visit["telehealth"] else "11",
        fees=FEES,
        day=visit["day"],
    )


def to_send(number: int, visit: dict[str, Any], coding: Coding) -> ClaimToSend:
    """The claim claim submission keeps for the coded visit, as charge capture's ChargeCaptured brings it."""
    lines = [
        {"line_number": n, "code": x.code, "modifiers": list(x.modifiers), "units": x.units, "amount": x.amount}
        | {"diagnosis_pointers": list(x.diagnosis_pointers)}
        for n, x in enumerate(coding.lines, start=1)
    ]
    payer, coverage = PAYERS[visit["kind"]]
    content = claim_content(
        service_date=visit["day"],
        diagnoses=visit["diagnoses"],
        place_of_service=coding.place_of_service,
        lines=lines,
        total_amount=sum((line.amount for line in coding.lines), Decimal(0)),
        payer=payer,
        coverage=coverage,
    )
    return ClaimToSend(f"CS13{number:08d}", "1", content)


def money_and_codes(text: str) -> list[tuple[Decimal, Decimal, list[str], set[date]]]:
    """Per claim, read from the raw segments: CLM02, the sum of its SV102s, its HI codes, its dates of service."""
    found: list[tuple[Decimal, Decimal, list[str], set[date]]] = []
    interchange = parse_interchange(text)
    for transaction in interchange.groups[0].transactions:
        for segment in transaction.segments:
            if segment.tag == "CLM":
                found.append((Decimal(segment.get(2)), Decimal(0), [], set()))
            elif segment.tag == "SV1" and found:
                total, lines, codes, days = found[-1]
                found[-1] = (total, lines + Decimal(segment.get(2)), codes, days)
            elif segment.tag == "HI" and found:
                found[-1][2].extend(e.split(interchange.delimiters.component)[1] for e in segment.elements if e)
            elif segment.tag == "DTP" and segment.get(1) == "472" and found:
                found[-1][3].add(
                    date.fromisoformat(f"{segment.get(3)[:4]}-{segment.get(3)[4:6]}-{segment.get(3)[6:8]}")
                )
    return found


@seed(1300)
# Ten examples, and no shrinking (it would take minutes; the failing example is printed as drawn): the reliability
# layer runs in a bounded time. pyx12 reads its maps once a process (pyx12_check), then takes hundredths a file.
@settings(
    max_examples=10,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
@given(drawn=st.lists(visits, min_size=1, max_size=3))
def test_scenario_13_every_837p_we_write_validates_balances_codes_billably_and_reads_back(
    drawn: list[dict[str, Any]],
) -> None:
    codings = [coded(visit) for visit in drawn]
    for visit, coding in zip(drawn, codings, strict=True):  # an unbillable code never reaches a file
        broken = {issue.rule for issue in coding.problems}
        assert all(billable_on(c, visit["day"]) for c in visit["diagnoses"]) or "diagnosis.not-billable" in broken
    claims = [to_send(n, v, c) for n, (v, c) in enumerate(zip(drawn, codings, strict=True)) if not c.problems]
    if not claims:
        return
    text = write(*claims)
    assert pyx12_problems(text) == []
    acknowledgment = pyx12_acknowledgment(text)
    assert acknowledgment.count("IK5*A") == acknowledgment.count("AK2*") >= 1 and "AK9*A" in acknowledgment
    for claim, (total, lines, codes, days) in zip(claims, money_and_codes(text), strict=True):
        assert total == lines == claim.content.total  # CLM02 = sum of SV102
        assert days == {claim.content.service_date}
        assert all(billable_on(with_dot(c), claim.content.service_date) for c in codes)
    assert_reads_back(text, claims)


def assert_reads_back(text: str, claims: list[ClaimToSend]) -> None:
    """The file read back (generate, parse) is the claims written: control numbers, money, codes, lines, dates."""
    read = sorted(read_back(text), key=lambda c: c.patient_control_number)
    written = sorted(claims, key=lambda c: c.patient_control_number)
    assert [(c.patient_control_number, c.total_charge, c.place_of_service, c.diagnoses) for c in read] == [
        (
            c.patient_control_number,
            c.content.total,
            c.content.place_of_service,
            [d.replace(".", "") for d in c.content.diagnoses],
        )
        for c in written
    ]
    assert [
        [(x.code, x.modifiers, x.charge, int(x.units), x.pointers, x.service_date) for x in c.lines] for c in read
    ] == [
        [
            (x.code, x.modifiers, x.amount, x.units, x.diagnosis_pointers, c.content.service_date)
            for x in c.content.lines
        ]
        for c in written
    ]


SLA = 10.0  # seconds: the acknowledgment clock of the test's claim submission worker (ACKNOWLEDGMENT_OVERDUE_HOURS)
AWAITING = ("submitting", "submitted", "acknowledged", "received")  # the clock runs
OVERDUE = "claimstream.claim.acknowledgment-overdue.v1"


@dataclass
class Answered:
    """Scenario 14's claims as they stood once the stand-in's 999s and 277CA were applied, and once the clock ran."""

    sent: dict[str, Any]  # CLM01 -> claim row, once every claim was sent
    rejected_set: list[str]  # the CLM01s of the transaction set the 999 rejected
    rejected_by_payer: list[str]  # A3 in the 277CA
    lost: list[str]  # in no 277CA
    expected: dict[str, str]  # CLM01 -> the status each should have
    answered: dict[str, Any]  # once the 277CA was applied
    flagged: dict[str, Any]  # once the clock ran


async def test_scenario_14_a_999_and_a_277ca_reject_only_their_claims_and_no_claim_waits_unflagged(
    services: Services, keys: Keys, stack: StackUnderTest
) -> None:
    started, db = time.monotonic(), stack.database_url
    tenant = await new_tenant(services, keys, seed=1400, practices=2, payer="SIMMCD")  # two billing NPIs: two sets
    submitter = {"submitter_id": f"REL{uuid4().hex[:10].upper()}", "name": "RELIABILITY BILLING"}
    async with httpx.AsyncClient(base_url=services.claim_submission, headers=tenant.headers("tenant-admin")) as admin:
        await ok(admin.put("/v1/submitter", json=submitter | {"contact_name": "EDI DESK", "phone": "5035550100"}))
    with StandIn(services.simulator, submitter["submitter_id"]) as standin:
        found = await _through_the_stand_in(services, stack, tenant, standin)
    ((now,),) = await rows(db, "SELECT now()")
    query = "SELECT subject FROM claim_submission.outbox WHERE tenant_id = $1 AND event_type = $2"
    alerts = {a["subject"] for a in await rows(db, query, tenant.id, OVERDUE)}
    took = time.monotonic() - started
    print(f"\nscenario 14: {len(found.sent)} claims, {len(found.rejected_set)} in the rejected set, {took:.1f} s")

    assert len(found.sent) == 50 and set(found.expected) == set(found.sent)
    assert {p: c["status"] for p, c in found.answered.items()} == found.expected, "only those claims are rejected"
    assert all(found.answered[p]["reasons"] for p in [*found.rejected_set, *found.rejected_by_payer])
    clock = now - timedelta(seconds=SLA)
    late = [p for p, c in found.flagged.items() if c["status"] in AWAITING and c["updated_at"] < clock]
    assert late and all(found.flagged[p]["overdue_at"] for p in late), "no claim waits past the clock unflagged"
    assert sorted(late) == sorted(found.lost)
    assert {str(found.flagged[p]["id"]) for p in found.lost} <= alerts
    assert services.exited() == []


async def _through_the_stand_in(
    services: Services, stack: StackUnderTest, tenant: Tenant, standin: StandIn
) -> Answered:
    """Claim submission's worker, started again to send through the stand-in on a short acknowledgment clock,
    sends the tenant's 50 claims; the 277CA rejects two and is silent about three."""

    async def claims() -> dict[str, Any]:
        return {c["patient_control_number"]: c for c in await claims_of(stack.database_url, tenant.id)}

    async def inbox_reads() -> int:
        return standin.inbox_reads

    settings = {"CLEARINGHOUSE_URL": standin.url, "ACKNOWLEDGMENT_OVERDUE_HOURS": str(SLA / 3600)}
    with worker_with(services, "claim-submission", settings):
        assert await eventually(inbox_reads, lambda n: n > 0, within=120), "the worker asks the stand-in"
        await post_visits(services, tenant, count=50, payer="SIMMCD", seed=1401)
        sent = await eventually(claims, lambda cs: len(cs) == 50 and not _unsent(cs), within=120)
        assert standin.rejected, "a batch held two transaction sets and its 999 rejected one (IK5*R)"
        acknowledged = sorted(pcn for pcn in standin.accepted if pcn in sent)
        rejected_by_payer, lost = acknowledged[:2], acknowledged[2:5]
        standin.answer(
            {pcn: "A3:21" if pcn in rejected_by_payer else "A2:20" for pcn in acknowledged[:2] + acknowledged[5:]}
        )
        expected = dict.fromkeys(acknowledged, "accepted") | dict.fromkeys(lost, "acknowledged")
        expected |= dict.fromkeys([*standin.rejected, *rejected_by_payer], "rejected")
        answered = await eventually(claims, lambda cs: {p: c["status"] for p, c in cs.items()} == expected, within=60)
        flagged = await eventually(claims, lambda cs: all(cs[p]["overdue_at"] for p in lost), within=SLA + 30)
    return Answered(sent, standin.rejected, rejected_by_payer, lost, expected, answered, flagged)


def _unsent(claims: dict[str, Any]) -> set[str]:
    return {c["status"] for c in claims.values()} & {"ready", "submitting"}
