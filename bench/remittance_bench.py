"""`make bench`: remittance posting. Reads and balances a generated 10,000-claim 835 beside pyx12 validating the
same file (targets: 20,000 claims/s, and at least 10x pyx12); then posts it on PostgreSQL (the `bench` profile)
with its database writes and outbox rows in one transaction (target: 2,000 claims/s), beside the raw PostgreSQL
insert rate measured in the same run. Writes bench/results/remittance.json.

BENCH_ERA_CLAIMS sets the number of claims.
"""

import asyncio
import io
import json
import logging
import os
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from uuid import uuid4

import pyx12.params
import pyx12.x12n_document
from claimstream_devtools.devstack.stack import LocalStack
from claimstream_platform.contracts.claim_submission import ClaimCreated, ClaimLine
from claimstream_platform.engines import create_engine
from claimstream_platform.migrate import upgrade
from era_sample import generated_835
from measuring import on_a_fresh_stack
from remittance_posting import handlers
from remittance_posting.balance import imbalances
from remittance_posting.era import read_file
from remittance_posting.service import SERVICE
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker

CLAIMS = int(os.environ.get("BENCH_ERA_CLAIMS", "10000"))
RESULTS = Path(__file__).parent / "results" / "remittance.json"
TENANT, PRACTICE = uuid4(), uuid4()


def parse_rates(content: str) -> dict[str, float]:
    started = time.perf_counter()
    remittances = read_file(content)
    assert sum(len(r.claims) for r in remittances) == CLAIMS and all(not imbalances(r) for r in remittances)
    ours = time.perf_counter() - started
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    started = time.perf_counter()
    valid = pyx12.x12n_document.x12n_document(pyx12.params.params(), io.StringIO(content), io.StringIO(), None)
    theirs = time.perf_counter() - started
    return {
        "parse_and_balance_claims_per_s": round(CLAIMS / ours),
        "pyx12_claims_per_s": round(CLAIMS / theirs),
        "pyx12_valid": valid,
        "ratio_to_pyx12": round(theirs / ours, 1),
    }


async def posting_rates(stack: LocalStack, content: str) -> dict[str, float]:
    schema = "bench_remittance"
    engine = create_engine(stack.database_url, schema="public", connections=4)
    async with engine.begin() as connection:
        await connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        await connection.execute(text(f"CREATE SCHEMA {schema}"))
    await engine.dispose()
    await asyncio.to_thread(upgrade, stack.database_url, schema=schema, script_location=SERVICE.migrations)
    engine = create_engine(stack.database_url, schema=schema, connections=4)
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    for start in range(0, CLAIMS, 2000):  # the claims, as claim submission announced them
        async with SERVICE.unit_of_work(sessionmaker, across_tenants=sessionmaker) as uow:
            announced = [SimpleNamespace(event=_created(n)) for n in range(start, min(CLAIMS, start + 2000))]
            await handlers.on_claims_created(announced, uow)
            await uow.commit()
    started = time.perf_counter()
    async with SERVICE.unit_of_work(sessionmaker, across_tenants=sessionmaker) as uow:
        await handlers.receive(uow, content, source="bench", tenant_id=None)
        await uow.commit()
    posting = time.perf_counter() - started
    async with engine.connect() as connection:
        posted = await connection.scalar(text("SELECT count(*) FROM claim_payments WHERE state = 'posted'"))
        events = await connection.scalar(text("SELECT count(*) FROM outbox"))
    await engine.dispose()
    assert posted == CLAIMS, posted
    return {
        "posting_claims_per_s": round(CLAIMS / posting),
        "posting_seconds": round(posting, 2),
        "outbox_rows": int(events or 0),
        "postgres_insert_per_s": await _raw_insert(stack),
    }


def _created(n: int) -> ClaimCreated:
    pcn = f"CS{n:010d}"
    lines = [
        ClaimLine(
            line_number=1, code="90837", modifiers=["95"], units=1, amount=Decimal("180"), control_number=f"{pcn}-1"
        )
    ]
    if n % 4 == 0:
        lines.append(
            ClaimLine(
                line_number=2, code="90785", modifiers=["95"], units=1, amount=Decimal("30"), control_number=f"{pcn}-2"
            )
        )
    return ClaimCreated(
        tenant_id=TENANT,
        practice_id=PRACTICE,
        claim_id=uuid4(),
        encounter_id=uuid4(),
        patient_control_number=pcn,
        payer_id="SIMMCR",
        frequency="1",
        total_charge=Decimal("180"),
        service_date=date(2026, 11, 10),
        lines=lines,
    )


async def _raw_insert(stack: LocalStack) -> int:
    engine = create_engine(stack.database_url, schema="public", connections=2)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE IF NOT EXISTS bench_raw_era (id uuid, body jsonb)"))
    started = time.perf_counter()
    async with engine.begin() as connection:
        rows = [{"id": uuid4(), "body": json.dumps({"n": n, "pad": "x" * 500})} for n in range(CLAIMS)]
        await connection.execute(text("INSERT INTO bench_raw_era VALUES (:id, CAST(:body AS jsonb))"), rows)
    rate = CLAIMS / (time.perf_counter() - started)
    await engine.dispose()
    return round(rate)


def main() -> int:
    content = generated_835(CLAIMS)
    results: dict[str, object] = {"claims": CLAIMS, "bytes": len(content), **parse_rates(content)}
    results.update(on_a_fresh_stack(lambda stack: posting_rates(stack, content)))
    print(f"\nremittance benchmark: one 835 of {CLAIMS:,} claims ({len(content) / 1e6:.1f} MB), {os.cpu_count()} cores")
    print(f"  parse + balance  {results['parse_and_balance_claims_per_s']:>9,} claims/s  (target 20,000/s)")
    print(
        f"  pyx12            {results['pyx12_claims_per_s']:>9,} claims/s  (valid: {results['pyx12_valid']}); "
        f"ours is {results['ratio_to_pyx12']}x (target 10x)"
    )
    print(
        f"  posting          {results['posting_claims_per_s']:>9,} claims/s  (target 2,000/s; "
        f"{results['outbox_rows']:,} outbox rows)"
    )
    print(f"  raw reference: PostgreSQL insert {results['postgres_insert_per_s']:,} rows/s")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(f"saved {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
