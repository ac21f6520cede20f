"""Upcoming visits in one batch, asked later by the worker; the patient's benefits as the newest answer gave them;
and how long an answer stays fresh, per payer."""

from collections.abc import Callable
from datetime import date
from typing import Any

import httpx
from eligibility.check_loop import ask_one
from eligibility.freshness import fresh_days
from eligibility.repository import EligibilityWork
from eligibility_testkit import ACTIVE, PRACTICE, Clearinghouse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from test_eligibility_checks import BODY, echoing
from test_pending_checks import SENDER, statuses


def visit(patient: str, payer: str = "SIMBCX") -> dict[str, Any]:
    return {
        **BODY,
        "patient": {**BODY["patient"], "external_id": patient},
        "coverage": {"payer_id": payer, "member_id": f"M{patient}X1"},
    }


async def test_a_batch_stores_each_visit_once_and_the_worker_answers_them(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    make_uow: Callable[[], EligibilityWork],
    engine: AsyncEngine,
) -> None:
    batch = {"checks": [visit("P-10"), visit("P-11"), visit("P-10")]}  # P-10 twice: one question
    accepted = await client.post("/v1/eligibility-checks/batch", json=batch, headers=auth)
    assert accepted.status_code == 202, accepted.text
    first, second, again = accepted.json()["checks"]
    assert again == first and first != second
    assert await statuses(make_uow) == ["pending", "pending"]
    stand_in = Clearinghouse()
    stand_in.answers = echoing(*ACTIVE)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    while await ask_one(sessions, stand_in, SENDER):
        pass
    assert (await client.get(f"/v1/eligibility-checks/{first}", headers=auth)).json()["status"] == "active"
    found = await client.get("/v1/benefits", params={"practice_id": str(PRACTICE), "patient_ref": "P-11"}, headers=auth)
    assert (found.json()["id"], found.json()["summary"]["visits_remaining"]) == (second, 12)
    missing = await client.get(
        "/v1/benefits", params={"practice_id": str(PRACTICE), "patient_ref": "P-99"}, headers=auth
    )
    assert missing.status_code == 404


async def test_an_answer_is_fresh_for_its_payers_days(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    make_uow: Callable[[], EligibilityWork],
    engine: AsyncEngine,
) -> None:
    today = date(2026, 6, 1)
    assert (fresh_days("SIMMCD", today), fresh_days("SIMBCX", today), fresh_days("ELSEWHERE", today)) == (7, 30, 30)
    stand_in = Clearinghouse()
    stand_in.answers = echoing(*ACTIVE)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    for payer in ("SIMMCD", "SIMBCX"):
        await client.post("/v1/eligibility-checks/batch", json={"checks": [visit(f"P-{payer}", payer)]}, headers=auth)
    while await ask_one(sessions, stand_in, SENDER):
        pass
    async with make_uow() as uow:  # both answered ten days ago
        await uow.session.execute(text("UPDATE checks SET answered_at = now() - interval '10 days'"))
        await uow.commit()
    again = {"checks": [visit("P-SIMMCD", "SIMMCD"), visit("P-SIMBCX", "SIMBCX")]}
    await client.post("/v1/eligibility-checks/batch", json=again, headers=auth)
    assert sorted(await statuses(make_uow)) == ["active", "active", "pending"]  # Medicaid's week is over
