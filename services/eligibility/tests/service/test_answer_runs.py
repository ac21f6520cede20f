"""A pass's answers are recorded in one transaction; when that fails, each is recorded in one of its own, so that an
answer that cannot be recorded holds up no other (issue 33), on real PostgreSQL."""

from collections.abc import Callable

import pytest
from eligibility.check_loop import ask_some
from eligibility.repository import EligibilityWork
from eligibility_testkit import ACTIVE, Clearinghouse, captured
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from test_eligibility_checks import echoing, outbox
from test_pending_checks import SENDER, deliver, transactions_that_answered

REFUSE_ONE_ANSWER = [
    """CREATE FUNCTION refuse_answer() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'this answer cannot be recorded'; END $$""",
    """CREATE TRIGGER refuse_answer BEFORE UPDATE ON checks FOR EACH ROW
        WHEN (NEW.status <> 'pending' AND NEW.member_id = 'M00000021') EXECUTE FUNCTION refuse_answer()""",
]  # a test's seam in the test's schema, nothing in the service


async def test_an_answer_that_cannot_be_recorded_holds_up_no_other(
    make_uow: Callable[[], EligibilityWork], engine: AsyncEngine
) -> None:
    await deliver(make_uow, *(captured(patient_ref=f"P-{n}", member_id=f"M{n:08d}") for n in range(20, 23)))
    async with make_uow() as uow:
        for statement in REFUSE_ONE_ANSWER:
            await uow.session.execute(text(statement))
        await uow.commit()
    stand_in = Clearinghouse()
    stand_in.answers = echoing(*ACTIVE)
    with pytest.raises(DBAPIError, match="cannot be recorded"):  # the pass fails, once the others are recorded
        await ask_some(async_sessionmaker(engine, expire_on_commit=False), stand_in, SENDER, limit=10)
    async with make_uow() as uow:
        query = "SELECT member_id, status, inquiry IS NOT NULL FROM checks ORDER BY member_id"
        stored = [tuple(row) for row in await uow.session.execute(text(query))]
    assert stored == [("M00000020", "active", False), ("M00000021", "pending", True), ("M00000022", "active", False)]
    assert await transactions_that_answered(make_uow) == 2  # one at a time, after the run's transaction failed
    assert [kind for kind, _ in await outbox(make_uow)] == ["claimstream.eligibility.verified.v1"] * 2
