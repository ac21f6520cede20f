"""Scenarios 22 and 23 of docs/reliability.md's catalogue, on what a settled seeded run (`settled_run`) left behind:
where its patients' PHI went (22: never in a log nor a dead-letter listing; on the topics, reported per topic until
the events are encrypted, and never as raw X12), and whether every PHI read left one access record in a chain that
shows tampering (23)."""

import argparse
import asyncio
import json
import re
from collections import Counter
from collections.abc import Awaitable
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys, StackUnderTest
from claimstream_platform import dlq_admin
from claimstream_platform.contracts.charge_capture import TOPIC as CAPTURED_TOPIC
from claimstream_platform.engines import create_engine, sessions
from claimstream_platform.messaging.kafka import dead_letter_topic
from identity.audit_keys import AuditRing
from identity.chain import CONTENT, Walk, unkeyed_hash
from identity.commands import verified
from identity.repository import IdentityWork
from kafka_reader import header, read_topic
from oracle import Workload
from walls_guard import Forged, bearer, every_topic, foreign_practice_event, installation, until

SSN = r"\b\d{3}-\d{2}-\d{4}\b"
X12 = re.compile(rb"ISA\*\d\d\*|\bGS\*[A-Z]{2}\*|\bST\*\d{3}\*|NM1\*[0-9A-Z]{2}\*\d\*|\bCL[MP]\*")
PHI_KEYS = ("first_name", "last_name", "birth_date", "member_id", "subscriber_id", "ssn")


def fixture_phi(workload: Workload) -> re.Pattern[str]:
    """The run's patients as its EHR sent them (names, birth dates as JSON and X12 write them, member ids), the
    insured's X12 name segment and anything shaped like an SSN, as one pattern."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for name, inner in value.items():
                if name in PHI_KEYS and isinstance(inner, str) and len(inner) > 2:
                    found.add(inner)
                    if name == "birth_date":
                        found.add(inner.replace("-", ""))
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(list(workload.posted.values()))
    words = "|".join(re.escape(value) for value in sorted(found, key=len, reverse=True))
    return re.compile(rf"\b(?:{words})\b|NM1\*IL|{SSN}")


async def _dead_letters_listed(stack: StackUnderTest) -> str:
    """`claimstream dlq list --letters`, as an operator reads the dead letters (the command's own code, in this
    process: a second interpreter takes longer to start than the listing takes)."""
    parser = argparse.ArgumentParser()
    dlq_admin.add_commands(parser.add_subparsers(dest="group"))
    return await asyncio.to_thread(
        dlq_admin.run, parser.parse_args(["dlq", "list", "--letters"]), stack.bootstrap_servers
    )


def _json(line: str) -> dict[str, Any]:
    """A log line as the JSON it is, or nothing (a traceback's line)."""
    try:
        found = json.loads(line)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


async def _dead_lettered_and_logged(services: Services, stack: StackUnderTest, forged: Forged) -> list[str]:
    """The consumers that dead-lettered the event, once claim submission's is among them and each has logged it
    (after the letter is sent: the log line names its topic, partition and offset); else none."""
    letters = await read_topic(stack.bootstrap_servers, dead_letter_topic(CAPTURED_TOPIC))
    consumers = sorted({header(r, "dlq_consumer") or "" for r in letters if header(r, "ce_id") == str(forged.event_id)})
    where = {
        "message": "event dead-lettered",
        "topic": CAPTURED_TOPIC,
        "partition": forged.partition,
        "offset": forged.offset,
    }

    def logged(consumer: str) -> bool:
        lines = (services.log_dir / f"{consumer}-worker.log").read_text(errors="replace").splitlines()
        return any(where.items() <= _json(line).items() for line in lines)

    return consumers if "claim-submission" in consumers and all(logged(c) for c in consumers) else []


async def test_scenario_22_the_runs_phi_is_in_no_log_and_no_topic_carries_x12(
    services: Services, stack: StackUnderTest, settled_run: Workload
) -> None:
    phi = fixture_phi(settled_run)
    ours, theirs = settled_run.tenants
    forged = await foreign_practice_event(stack.bootstrap_servers, ours, theirs)  # a dead letter with PHI in it
    assert await until(lambda: _dead_lettered_and_logged(services, stack, forged), within=60, every=0.5)

    report: dict[str, tuple[int, int, int]] = {}  # topic -> records, with the run's PHI in the clear, with X12
    run = {str(tenant).encode() for tenant in settled_run.tenants}  # (other tests put X12-like poison on topics)
    for topic, records in sorted((await every_topic(stack.bootstrap_servers)).items()):
        values = [r.value or b"" for r in records]
        clear = sum(1 for v in values if phi.search(v.decode("utf-8", "replace")))
        runs = [r.value or b"" for r in records if dict(r.headers).get("ce_tenantid") in run]
        report[topic] = (len(records), clear, sum(1 for v in runs if X12.search(v)))
    print("\nscenario 22, unencrypted PHI per topic (records with the run's PHI / records; the run's raw X12):")
    for topic, (records, clear, x12) in report.items():
        print(f"  {topic:42} {clear:5} / {records:5}   x12 {x12}")
    assert report[CAPTURED_TOPIC][1] > 0 and report[dead_letter_topic(CAPTURED_TOPIC)][1] > 0, "the sweep sees PHI"
    assert {topic: x12 for topic, (_, _, x12) in report.items() if x12} == {}, "no topic carries raw X12"

    logs: Counter[str] = Counter()
    for path in sorted(services.log_dir.glob("*.log")):
        for line in path.read_text(errors="replace").splitlines():
            logs[path.name] += 1
            assert not phi.search(line), f"{path.name}: {phi.search(line)}"
    listing = await _dead_letters_listed(stack)
    assert str(forged.event_id) in listing and not phi.search(listing), (
        "the operator's listing names the letter, no PHI"
    )
    print(f"  logs: {sum(logs.values())} lines in {len(logs)} files, none with the run's PHI")


async def _reads(services: Services, stack: StackUnderTest, workload: Workload) -> list[tuple[str, str]]:
    """PHI reads of the run's first tenant, one per service that holds PHI, and one of the other tenant's
    encounter (404: not a read): (base URL, path)."""
    ours, theirs = workload.tenants
    async with installation(stack.database_url) as db:
        encounter = await db.fetchrow(
            "SELECT id, practice_id FROM charge_capture.encounters WHERE tenant_id = $1", ours
        )
        foreign = await db.fetchval("SELECT id FROM charge_capture.encounters WHERE tenant_id = $1", theirs)
        claim = await db.fetchval(
            "SELECT id FROM claim_submission.claims WHERE tenant_id = $1 AND interchange_number IS NOT NULL", ours
        )
        check = await db.fetchval("SELECT id FROM eligibility.checks WHERE tenant_id = $1", ours)
    return [
        (services.charge_capture, f"/v1/encounters/{encounter['id']}"),
        (services.charge_capture, f"/v1/encounters?practice_id={encounter['practice_id']}"),
        (services.claim_submission, f"/v1/claims/{claim}"),
        (services.claim_submission, f"/v1/claims/{claim}/x12"),
        (services.eligibility, f"/v1/eligibility-checks/{check}"),
        (services.remittance_posting, f"/v1/claims/{claim}/postings"),
        (services.denial_management, "/v1/denials"),
        (services.projection, f"/v1/claims/{claim}"),
        (services.projection, "/v1/balances/patients"),
        (services.charge_capture, f"/v1/encounters/{foreign}"),
    ]


async def _verified(services: Services, tenant: UUID) -> Walk:
    """`python -m identity verify-audit --tenant`'s walk along the tenant's chain, as identity's role, with its key
    ring (the command's own code, in this process)."""
    ring = AuditRing.from_file(Path(services.identity_env["IDENTITY_AUDIT_KEY_FILE"]))
    engine = create_engine(services.roles["identity"].app_url, schema="identity", connections=2)
    try:
        async with IdentityWork(sessions(engine)) as uow:
            return await verified(uow, ring, tenant)
    finally:
        await engine.dispose()


async def _forge_last(services: Services, tenant: UUID) -> int:
    """A row appended to the tenant's chain as identity's own database role can (it may INSERT), chained the only way
    someone without the audit key can: its sequence number."""
    async with installation(services.roles["identity"].app_url) as identity:
        query = "SELECT * FROM identity.access_log WHERE tenant_id = $1 ORDER BY seq DESC LIMIT 1"
        last = dict(await identity.fetchrow(query, tenant))
        row = last | {"seq": last["seq"] + 1, "access_id": uuid4(), "actor": "person:mallory", "resource": {}}
        row |= {"previous_hash": last["hash"], "hash": unkeyed_hash(last["hash"], row)}
        columns = [*CONTENT, "key_id", "previous_hash", "hash"]
        values = [json.dumps(row[c]) if c == "resource" else row[c] for c in columns]
        placeholders = ", ".join(f"${n}{'::jsonb' if c == 'resource' else ''}" for n, c in enumerate(columns, 1))
        await identity.execute(
            f"INSERT INTO identity.access_log ({', '.join(columns)}) VALUES ({placeholders})", *values
        )
        return int(row["seq"])


async def _read_each(
    services: Services, keys: Keys, stack: StackUnderTest, run: Workload, subject: str
) -> dict[UUID, int]:
    """Each of `_reads` once as `subject` of the run's first tenant, under a correlation id of its own: id -> status."""
    answered: dict[UUID, int] = {}
    async with httpx.AsyncClient(headers=bearer(keys, run.tenants[0], subject=subject), timeout=30) as http:
        for base, path in await _reads(services, stack, run):
            correlation = uuid4()
            answer = await http.get(base + path, headers={"X-Correlation-Id": str(correlation)})
            answered[correlation] = answer.status_code
    return answered


async def _records(database_url: str, correlations: list[UUID], at_least: int) -> list[Any]:
    """The access log's rows of the correlation ids, once there are `at_least` (else none)."""
    async with installation(database_url) as db:
        found = await db.fetch(
            "SELECT correlation_id, actor, audit, status FROM identity.access_log WHERE correlation_id = ANY($1)",
            correlations,
        )
    return found if len(found) >= at_least else []


async def _encounters_recorded(database_url: str, run: Workload) -> bool:
    """Each encounter the run's EHR had taken (200 or 201) has its record, in its tenant's chain."""
    async with installation(database_url) as db:
        counted = {
            tenant: await db.fetchval(
                "SELECT count(*) FROM identity.access_log WHERE tenant_id = $1 AND action = 'POST /v1/encounters'",
                tenant,
            )
            for tenant in run.tenants
        }
    return counted == {tenant: len(posted) for tenant, posted in run.posted.items()}


CLOSED_TO_IDENTITY = (
    "UPDATE identity.access_log SET actor = 'x' WHERE tenant_id = $1",
    "DELETE FROM identity.access_log WHERE tenant_id = $1",
)


async def _tamper_evident(services: Services, stack: StackUnderTest, tenant: UUID) -> None:
    """Identity's own role can neither change nor remove a row; a row it adds breaks the chain's verification."""
    async with installation(services.roles["identity"].app_url) as identity:
        for statement in CLOSED_TO_IDENTITY:
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await identity.execute(statement, tenant)
    intact = await _verified(services, tenant)
    assert intact.broken is None and intact.rows > 0, intact.broken
    forged = await _forge_last(services, tenant)
    try:
        broken = await _verified(services, tenant)
        assert broken.broken is not None and (broken.broken.tenant_id, broken.broken.seq) == (tenant, forged)
    finally:  # the forged row goes, so that the layer's other tests find the log as identity wrote it
        async with installation(stack.database_url) as db, db.transaction():
            await db.execute("SET LOCAL session_replication_role = replica")  # the superuser, past the trigger
            await db.execute("DELETE FROM identity.access_log WHERE tenant_id = $1 AND seq = $2", tenant, forged)


async def test_scenario_23_one_access_record_per_phi_read_in_a_chain_that_shows_tampering(
    services: Services, keys: Keys, stack: StackUnderTest, settled_run: Workload
) -> None:
    subject = f"integration:reader-{uuid4().hex[:8]}"
    answered = await _read_each(services, keys, stack, settled_run, subject)
    reads = [correlation for correlation, status in answered.items() if status == 200]
    assert sorted(answered.values()) == [200] * 9 + [404]

    def records() -> Awaitable[list[Any]]:
        return _records(stack.database_url, list(answered), len(reads))

    assert await until(records, within=60, every=0.5), "the reads reached identity's log"
    await asyncio.sleep(1)  # a second record of a read would come with the first ones
    rows = await records()
    assert Counter(row["correlation_id"] for row in rows) == Counter(reads), "one record per read, none for the 404"
    assert {(row["actor"], row["audit"], row["status"]) for row in rows} == {(subject, "phi", 200)}
    recorded = await until(lambda: _encounters_recorded(stack.database_url, settled_run), within=60, every=0.5)
    assert recorded, "each encounter the run posted has one record"
    await _tamper_evident(services, stack, settled_run.tenants[0])
