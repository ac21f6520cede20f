"""The oracle itself: a run with no fault settles with no difference, and a posting lost behind the services' backs
is found."""

import asyncpg
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys, StackUnderTest
from oracle import differences, seeded_run, settle


async def test_a_run_without_faults_settles_whole_and_a_lost_posting_is_found(
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
            "DELETE FROM remittance_posting.claim_payments WHERE id = (SELECT id FROM remittance_posting.claim_payments"
            " WHERE tenant_id = ANY($1) AND state = 'posted' LIMIT 1)",
            workload.tenants,
        )
    finally:
        await connection.close()
    found = await differences(services, keys, stack.database_url, workload)
    assert any("remitted but not posted" in difference for difference in found), found
