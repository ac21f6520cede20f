"""Claim submission's reads as its own role plans them: under row-level security, a condition on an expression whose
functions are not leakproof (the JSON operators) is no index lookup, so what a walled read looks up is a column
(docs/security.md, row-level security)."""

from collections.abc import Callable
from datetime import date

from claim_submission.repository import ClaimWork
from claim_submission.repository.visits import visits_of
from claims_testkit import PRACTICE, TENANT
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import asyncpg


async def test_a_patients_visits_are_looked_up_by_index_under_the_wall(
    make_uow: Callable[[], ClaimWork], schema: str
) -> None:
    """The count of a patient's visits with a payer: with the patient in the claim's JSON, the walled role read all
    of the tenant's claims to the payer (351 ms among 20,000), whatever the index on the expression."""
    compiled = visits_of([(TENANT, PRACTICE, "MRN-1", "payer-1")], date(2026, 1, 1)).compile(
        dialect=asyncpg.dialect(), compile_kwargs={"render_postcompile": True}
    )
    async with make_uow() as uow:  # as the superuser: claims enough for a plan to choose, then the app role's plan
        await uow.session.execute(_CLAIMS, {"tenant": TENANT, "practice": PRACTICE})
        await uow.session.execute(text("ANALYZE claims"))
        driver = (await (await uow.session.connection()).get_raw_connection()).driver_connection
        # off: on a test's small table a scan is cheapest, and the question is which lookup an index can serve
        await driver.execute(f'SET LOCAL ROLE "{schema}_app"; SET LOCAL enable_seqscan = off')
        await driver.execute("SELECT set_config('claimstream.tenant_id', $1, true)", str(TENANT))
        parameters = [compiled.params[name] for name in compiled.positiontup or ()]
        plan = [row[0] for row in await driver.fetch(f"EXPLAIN {compiled}", *parameters)]
    assert any("Index Cond" in line and "patient_ref" in line for line in plan), "\n".join(plan)


# 2,000 claims of one practice of the tenant to 20 payers, a patient each (rolled back with the test's transaction)
_CLAIMS = text(
    "INSERT INTO claims (id, tenant_id, practice_id, encounter_id, encounter_version, payer_id, status, frequency,"
    " total_charge, service_date, duplicate_key, content)"
    " SELECT gen_random_uuid(), :tenant, :practice, gen_random_uuid(), 1, 'payer-' || n % 20, 'submitted',"
    " '1', 100, date '2026-01-01' + n % 300, 'key-' || n, jsonb_build_object('patient', jsonb_build_object("
    " 'external_id', 'MRN-' || n)) FROM generate_series(1, 2000) AS n"
)
