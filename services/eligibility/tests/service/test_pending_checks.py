"""Checks from captured charges: stored once per patient and payer while an answer is fresh (two of the patient's
charges stored at once too), then asked by the worker's loop, a batch sent together; an outage leaves the check
pending for the next pass."""

import asyncio
import re
from collections.abc import Callable
from typing import Any

import pytest
from claimstream_devtools.stand_ins import waiting_for_a_lock
from claimstream_platform.errors import TransientError
from eligibility import handlers
from eligibility.check_loop import ask_one, ask_some
from eligibility.repository import EligibilityWork
from eligibility_testkit import ACTIVE, Clearinghouse, captured
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from test_eligibility_checks import echoing, outbox

SENDER = handlers.Sender("CSELIGIBILITY", "CLAIMSTREAMSIM", "T")


async def deliver(make_uow: Callable[[], EligibilityWork], *events: Any) -> None:
    for event in events:
        async with make_uow() as uow:
            await handlers.on_charge_captured(event, uow)
            await uow.commit()


async def statuses(make_uow: Callable[[], EligibilityWork]) -> list[str]:
    async with make_uow() as uow:
        return list((await uow.session.execute(text("SELECT status FROM checks ORDER BY created_at"))).scalars())


async def test_a_visit_is_checked_once_while_its_answer_is_fresh_and_the_loop_asks_it(
    make_uow: Callable[[], EligibilityWork], engine: AsyncEngine
) -> None:
    await deliver(make_uow, captured(), captured())  # two visits of one patient
    assert await statuses(make_uow) == ["pending"]
    stand_in = Clearinghouse()
    stand_in.answers = echoing(*ACTIVE)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    assert await ask_one(sessions, stand_in, SENDER) is True
    assert await ask_one(sessions, stand_in, SENDER) is False  # nothing else waits
    assert await statuses(make_uow) == ["active"]
    assert [kind for kind, _ in await outbox(make_uow)] == ["claimstream.eligibility.verified.v1"]
    await deliver(make_uow, captured())  # answered moments ago: fresh
    assert await statuses(make_uow) == ["active"]


async def test_an_outage_leaves_the_check_pending(make_uow: Callable[[], EligibilityWork], engine: AsyncEngine) -> None:
    await deliver(make_uow, captured(patient_ref="P-2"))
    stand_in = Clearinghouse()
    stand_in.down = True
    with pytest.raises(TransientError):
        await ask_one(async_sessionmaker(engine, expire_on_commit=False), stand_in, SENDER)
    assert await statuses(make_uow) == ["pending"]


async def test_two_visits_captured_at_once_store_one_check(make_uow: Callable[[], EligibilityWork]) -> None:
    """Two of a patient's charges on different partitions, applied by two transactions at once: the second waits for
    the first to commit and sees its pending check. Issue 28: each missed the other's, and two 270s went out."""
    async with make_uow() as first:
        await handlers.on_charge_captured(captured(patient_ref="P-3"), first)
        second = asyncio.create_task(deliver(make_uow, captured(patient_ref="P-3")))
        await waiting_for_a_lock(make_uow, second)  # stored beside the first, it would miss the first's check
        await first.commit()
    await second
    assert await statuses(make_uow) == ["pending"]


async def test_a_run_stores_a_check_for_each_coverage_with_no_fresh_answer_or_pending_question(
    make_uow: Callable[[], EligibilityWork], engine: AsyncEngine
) -> None:
    """A partition's run of charges is stored with one read and one write (issue 33), and each visit gets what one at
    a time gives: a fresh answer's check, a pending check, a new check for a stale answer, one new check for a
    coverage the run names twice, and an answer ten days old fresh for a commercial payer (30 days) but not for
    Medicaid (7: the read takes the longest days, each check its own payer's)."""
    before = await answered_and_aged(make_uow, engine)
    patients = [("P-A", "SIMBCX"), ("P-B", "SIMBCX"), ("P-C", "SIMBCX"), ("P-D", "SIMBCX"), ("P-D", "SIMBCX")]
    run = [captured(patient_ref=p, payer=payer) for p, payer in [*patients, ("P-E", "SIMMCD"), ("P-F", "SIMBCX")]]
    async with make_uow() as uow:
        ids = await handlers.ask_all_later(uow, [handlers.visit_check(event) for event in run])
        await uow.commit()
    assert [ids[0], ids[1], ids[6]] == [before["P-A"], before["P-B"], before["P-F"]]
    assert ids[2] != before["P-C"] and ids[5] != before["P-E"] and ids[3] == ids[4] and len(set(ids)) == 6
    async with make_uow() as uow:
        stored = await uow.session.execute(
            text("SELECT id, patient_ref, status FROM checks ORDER BY patient_ref, status")
        )
        found = [(row.patient_ref, row.status, row.id in ids) for row in stored]
    assert found == [
        ("P-A", "active", True),
        ("P-B", "pending", True),
        ("P-C", "active", False),
        ("P-C", "pending", True),
        ("P-D", "pending", True),
        ("P-E", "active", False),
        ("P-E", "pending", True),
        ("P-F", "active", True),
    ]


async def answered_and_aged(make_uow: Callable[[], EligibilityWork], engine: AsyncEngine) -> dict[str, Any]:
    """Checks answered, then aged: P-A's fresh, P-C's a year old, P-E's (Medicaid) and P-F's ten days old; P-B's
    pending. Each patient's check id."""
    sessions, stand_in = async_sessionmaker(engine, expire_on_commit=False), Clearinghouse()
    stand_in.answers = echoing(*ACTIVE)
    for patient, payer in {"P-A": "SIMBCX", "P-C": "SIMBCX", "P-E": "SIMMCD", "P-F": "SIMBCX"}.items():
        await deliver(make_uow, captured(patient_ref=patient, payer=payer))
        assert await ask_one(sessions, stand_in, SENDER) is True
    await deliver(make_uow, captured(patient_ref="P-B"))
    async with make_uow() as uow:
        await uow.session.execute(text(AGED), {"days": 400, "patients": ["P-C"]})
        await uow.session.execute(text(AGED), {"days": 10, "patients": ["P-E", "P-F"]})
        rows = await uow.session.execute(text("SELECT patient_ref, id FROM checks"))
        ids = {row.patient_ref: row.id for row in rows}
        await uow.commit()
    return ids


AGED = "UPDATE checks SET answered_at = now() - make_interval(days => :days) WHERE patient_ref = ANY(:patients)"


class InFlight(Clearinghouse):
    """Counts the questions in flight at once, letting each wait (bounded) for the others; a member id it is told
    fails as an outage."""

    def __init__(self, together: int, failing: str) -> None:
        super().__init__()
        self.answers, self.failing = echoing(*ACTIVE), failing
        self.together, self.in_flight, self.most = together, 0, 0

    async def ask(self, interchange: str) -> list[str]:
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        for _ in range(100):
            if self.most >= self.together:
                break
            await asyncio.sleep(0.01)
        self.in_flight -= 1
        if self.failing in interchange:
            raise TransientError("partner unreachable", retry_after=7)
        return await super().ask(interchange)


async def test_a_pass_sends_its_checks_together_each_with_its_own_isa13_and_records_every_answer(
    make_uow: Callable[[], EligibilityWork], engine: AsyncEngine
) -> None:
    async with make_uow() as uow:
        await uow.session.execute(text("DELETE FROM checks"))
        await uow.commit()
    await deliver(make_uow, *(captured(patient_ref=f"P-{n}", member_id=f"M{n:08d}") for n in range(10, 15)))
    stand_in = InFlight(together=5, failing="M00000012")
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    with pytest.raises(TransientError):  # one outage fails the pass, once the other answers are recorded
        await ask_some(sessions, stand_in, SENDER, limit=10)
    assert stand_in.most == 5  # in flight together, not one after another
    assert sorted(await statuses(make_uow)) == ["active"] * 4 + ["pending"]
    assert await transactions_that_answered(make_uow) == 1  # the four answers recorded together
    controls = [re.search(r"\*(\d{9})\*0\*T\*", sent) for sent in stand_in.sent]
    assert len({found.group(1) for found in controls if found}) == 4  # each 270 with its own ISA13
    async with make_uow() as uow:
        left = await uow.session.scalar(text("SELECT count(*) FROM checks WHERE inquiry IS NOT NULL"))
    assert left == 1  # the one not answered keeps its 270, to be sent again as it is


async def transactions_that_answered(make_uow: Callable[[], EligibilityWork]) -> int:
    """How many transactions wrote the answered checks (rows written by one share its id, `xmin`)."""
    async with make_uow() as uow:
        query = "SELECT count(DISTINCT xmin::text) FROM checks WHERE status <> 'pending'"
        return int(await uow.session.scalar(text(query)) or 0)
