"""The oracle itself: a run with no fault settles with no difference, and a change behind the services' backs (an
encounter that has its claim set back to review) is found, and gone once the change is undone."""

import asyncpg
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys, StackUnderTest
from oracle import Workload, differences, settle

BEHIND_THEIR_BACKS = (
    "UPDATE charge_capture.encounters SET status = $2 WHERE id = (SELECT id FROM charge_capture.encounters"
    " WHERE tenant_id = ANY($1) AND status = $3 ORDER BY id LIMIT 1) RETURNING id"
)


async def test_a_run_without_faults_settles_whole_and_a_change_behind_its_back_is_found(
    services: Services, keys: Keys, stack: StackUnderTest, settled_run: Workload
) -> None:
    workload = settled_run  # the layer's shared run, as every test that only reads a whole cycle uses it
    assert sum(len(posted) for posted in workload.posted.values()) == 24
    assert await settle(services, keys, stack.database_url, workload) == []
    connection = await asyncpg.connect(stack.database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        paid = await connection.fetchval(
            "SELECT count(*) FROM remittance_posting.claim_payments WHERE tenant_id = ANY($1)", workload.tenants
        )
        assert paid > 5, "the payers paid: the run went through the whole cycle"
        changed = await connection.fetchval(BEHIND_THEIR_BACKS, workload.tenants, "needs_review", "coded")
        found = await differences(services, keys, stack.database_url, workload)
        await connection.execute("UPDATE charge_capture.encounters SET status = 'coded' WHERE id = $1", changed)
    finally:
        await connection.close()
    assert any("has a claim but is not coded" in difference for difference in found), found
    assert await differences(services, keys, stack.database_url, workload) == [], "undone, nothing is found"
