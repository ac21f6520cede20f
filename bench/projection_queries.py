"""The projection benchmark's second figure: CLAIMS generated claims (their ledger entries and facts) loaded with
COPY, then the claim list, claim detail, aging and KPI routes called through the app. Two claims of three are
paid (80 paid, 40 contractual, 30 the patient's), the rest still open.

The app connects as the schema's app role, as in production: row-level security's predicate is in every plan, and
a condition the planner may not push under it (one that is not leakproof, docs/security.md) shows here."""

import asyncio
import json
import os
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
from claimstream_devtools.devstack.stack import LocalStack
from claimstream_devtools.schemas_under_test import with_revocation_list
from claimstream_devtools.testing import service_client
from claimstream_platform.auth import Role, TokenIssuer
from claimstream_platform.database_roles import ServiceRoles, ensure_roles
from claimstream_platform.engines import create_engine
from claimstream_platform.migrate import upgrade
from projection.repository import swap
from projection.service import SERVICE
from projection.settings import ProjectionSettings

Row = dict[str, Any]
CLAIMS = int(os.environ.get("BENCH_PROJECTION_CLAIMS", "1000000"))
PRACTICES = 1000
CALLS = 300


def settings_for(
    stack: LocalStack, schema: str, public_key: Path, roles: ServiceRoles | None = None
) -> ProjectionSettings:
    """The service's settings on `schema`: as its app and across roles when `roles` are given (the reads), else as
    the superuser (the rebuild's replay, into a schema it makes)."""
    return ProjectionSettings(
        service_name="projection",
        database_url=roles.app_url if roles else stack.database_url,
        across_tenants_database_url=roles.across_url if roles else stack.database_url,
        database_schema=schema,
        kafka_bootstrap_servers=stack.bootstrap_servers,
        auth_public_key_file=public_key,
        revocations_schema=schema,  # the bench's own (empty) revocation list, beside its tables
    )


async def fresh_schema(stack: LocalStack, schema: str) -> ServiceRoles:
    """The schema made anew by its owner role, with the roles' URLs, as `make run` makes a service's."""
    admin = create_engine(stack.database_url, schema="public", connections=2)
    await swap.drop_schema(admin, schema)
    await admin.dispose()
    roles = await ensure_roles(stack.database_url, schema, SERVICE.package)
    await asyncio.to_thread(upgrade, roles.owner_url, schema=schema, script_location=SERVICE.migrations)
    await with_revocation_list(roles.owner_url, schema)
    return roles


async def bulk_load(stack: LocalStack, schema: str) -> tuple[UUID, list[UUID], list[UUID], float]:
    """CLAIMS claims over PRACTICES practices of one tenant, with COPY (as the superuser, past the wall); returns a
    sample of claim ids."""
    connection = await asyncpg.connect(stack.database_url.replace("postgresql+asyncpg", "postgresql"))
    # COPY's binary format for jsonb: a version byte (1), then the JSON text
    await connection.set_type_codec(
        "jsonb", encoder=lambda v: b"\x01" + v.encode(), decoder=lambda b: b, schema="pg_catalog", format="binary"
    )
    tenant, practices = uuid4(), [uuid4() for _ in range(PRACTICES)]
    sample: list[UUID] = []
    started = time.perf_counter()
    for start in range(0, CLAIMS, 50_000):
        rows = [query_rows(n, tenant, practices[n % PRACTICES]) for n in range(start, min(CLAIMS, start + 50_000))]
        for table, records in (
            ("claims", [r[0] for r in rows]),
            ("ledger", [e for r in rows for e in r[1]]),
            ("facts", [r[2] for r in rows]),
        ):
            columns = list(records[0])
            await connection.copy_records_to_table(
                table, records=[tuple(r[c] for c in columns) for r in records], columns=columns, schema_name=schema
            )
        sample += [r[0]["claim_id"] for r in rows[:: max(1, len(rows) // 50)]]
    loaded = time.perf_counter() - started
    for table in ("claims", "ledger", "facts"):  # what autovacuum does to a loaded table, before the queries
        await connection.execute(f'VACUUM ANALYZE "{schema}".{table}')
    await connection.close()
    return tenant, practices, sample, loaded


async def query_latencies(stack: LocalStack, keys: tuple[TokenIssuer, Path]) -> dict[str, Any]:
    schema = "bench_projection_q"
    roles = await fresh_schema(stack, schema)
    tenant, practices, sample, loaded = await bulk_load(stack, schema)
    issuer, public_key = keys
    headers = {"Authorization": f"Bearer {issuer.issue(tenant_id=tenant, roles=[Role.BILLER, Role.READ_ONLY])}"}
    chance = random.Random(7)
    routes = {
        "claim_list": lambda: ("/v1/claims", {"practice_id": str(chance.choice(practices)), "limit": 50}),
        "claim_detail": lambda: (f"/v1/claims/{chance.choice(sample)}", {}),
        "aging": lambda: ("/v1/ar/aging", {"practice_id": str(chance.choice(practices)), "as_of": "2026-11-30"}),
        "kpis": lambda: (
            "/v1/kpis",
            {
                "practice_id": str(chance.choice(practices)),
                "from": "2026-01-01",
                "to": "2026-11-30",
                "as_of": "2026-11-30",
            },
        ),
    }
    found: dict[str, Any] = {"claims_loaded": CLAIMS, "load_rows_per_s": round(CLAIMS * 5.3 / loaded)}
    async with service_client(SERVICE, settings_for(stack, schema, public_key, roles), headers=headers) as client:
        for name, pick in routes.items():
            found[name] = await _latencies(client, pick)
    return found


async def _latencies(client: httpx.AsyncClient, pick: Any) -> dict[str, float]:
    timings = []
    for call in range(CALLS + 20):
        path, params = pick()
        started = time.perf_counter()
        response = await client.get(path, params=params)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.text
        if call >= 20:  # the first calls warm the pool and the caches
            timings.append(elapsed)
    timings.sort()
    return {
        "p50_ms": round(timings[len(timings) // 2], 1),
        "p99_ms": round(timings[int(len(timings) * 0.99)], 1),
        "mean_ms": round(statistics.fmean(timings), 1),
    }


def query_rows(n: int, tenant: UUID, practice: UUID) -> tuple[Row, list[Row], Row]:
    """The n-th generated claim's row, its ledger entries and its creation fact."""
    ids = {"tenant_id": tenant, "practice_id": practice, "encounter_id": uuid4(), "claim_id": uuid4()}
    served = date(2026, 1, 1) + timedelta(days=n % 330)
    claim = _claim_row(n, ids, served)
    return claim, _ledger_rows(claim), _fact_row(ids, claim["payer_id"], claim["created_at"])


def _claim_row(n: int, ids: Row, served: date) -> Row:
    created = datetime.combine(served, datetime.min.time(), UTC) + timedelta(days=1)
    paid = n % 3 != 0
    later = created + timedelta(days=14) if paid else None
    return {
        **ids,
        "external_id": f"EHR-{n}",
        "provider_npi": "1234567893",
        "patient_ref": f"P-{n % 5000}",
        "payer_id": ("SIMAHP", "SIMMCR")[n % 2],
        "responsibility": "primary",
        "frequency": "1",
        "patient_control_number": f"CS{n:010d}",
        "service_date": served,
        "procedure_code": "90837",
        "status": "paid" if paid else "accepted",
        "charged": Decimal(150),
        "paid": Decimal(80 if paid else 0),
        "contractual": Decimal(40 if paid else 0),
        "patient_responsibility": Decimal(30 if paid else 0),
        "insurance_balance": Decimal(0 if paid else 150),
        "patient_balance": Decimal(30 if paid else 0),
        "created_at": created,
        "submitted_at": created,
        "accepted_at": created,
        "adjudicated_at": later,
        "paid_at": later,
        "last_event_at": later or created,
        "first_denied": False,
        "facts": 6,
    }


def _ledger_rows(claim: Row) -> list[Row]:
    keys = ("tenant_id", "practice_id", "encounter_id", "claim_id", "payer_id", "provider_npi", "patient_ref")
    base = {key: claim[key] for key in keys} | {"service_date": claim["service_date"]}
    moves = [("insurance", "charge", 150, claim["created_at"])]
    if (later := claim["paid_at"]) is not None:
        moves += [
            ("insurance", "payment", -80, later),
            ("insurance", "contractual", -40, later),
            ("insurance", "patient_responsibility", -30, later),
            ("patient", "patient_responsibility", 30, later),
        ]
    return [
        {**base, "seq": seq, "party": party, "kind": kind, "amount": Decimal(amount), "at": at}
        for seq, (party, kind, amount, at) in enumerate(moves, start=1)
    ]


def _fact_row(ids: Row, payer: str, created: datetime) -> Row:
    return {
        **ids,
        "event_id": uuid4(),
        "type": "claim.created",
        "source": "claim-submission",
        "at": created,
        "data": json.dumps({"payer_id": payer, "total_charge": "150"}),
    }
