"""The oracle itself: a run with no fault settles with no difference, and a change behind the services' backs (an
encounter that has its claim set back to review) is found."""

import asyncpg
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys, StackUnderTest
from oracle import differences, seeded_run, settle


async def test_a_run_without_faults_settles_whole_and_a_change_behind_its_back_is_found(
    services: Services, keys: Keys, stack: StackUnderTest
) -> None:
    workload = await seeded_run(services, keys, seed=1, count=15)
    assert sum(len(posted) for posted in workload.posted.values()) == 30
    assert await settle(services, keys, stack.database_url, workload) == []
    connection = await asyncpg.connect(stack.database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        paid = await connection.fetchval(
            "SELECT count(*) FROM remittance_posting.claim_payments WHERE tenant_id = ANY($1)", workload.tenants
        )
        assert paid > 5, "the payers paid: the run went through the whole cycle"
        await connection.execute(
            "UPDATE charge_capture.encounters SET status = 'needs_review' WHERE id = (SELECT id"
            " FROM charge_capture.encounters WHERE tenant_id = ANY($1) AND status = 'coded' LIMIT 1)",
            workload.tenants,
        )
    finally:
        await connection.close()
    found = await differences(services, keys, stack.database_url, workload)
    assert any("has a claim but is not coded" in difference for difference in found), found
