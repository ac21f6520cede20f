"""The consumer's transaction plans each read for the keys it is given (`Folding.plan_each_read`): the history read's
generic plan, which PostgreSQL keeps for a prepared statement whatever its keys, took 30 s for one batch while the
facts table outgrew its statistics. On real PostgreSQL, through the consumer's batch handler."""

from collections.abc import Callable

from projection import handlers
from projection.repository import ProjectionWork
from projection_testkit import Visit, day, delivery
from sqlalchemy import text

MODE = text("SELECT current_setting('plan_cache_mode')")


async def test_a_batch_with_facts_plans_its_reads_for_their_keys_and_no_other_transaction_does(
    make_uow: Callable[[], ProjectionWork],
) -> None:
    async with make_uow() as uow:
        await handlers.on_events([delivery(Visit().received(), day(0))], uow)
        during = await uow.session.scalar(MODE)
        await uow.commit()
    async with make_uow() as uow:
        after = await uow.session.scalar(MODE)
    assert (during, after) == ("force_custom_plan", "auto")
