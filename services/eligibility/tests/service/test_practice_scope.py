"""A practice named in a body must be one of the caller's tenant's (the platform's registry says whose each is) and
within its token's: another tenant's practice, and one that never existed, are refused alike (404 naming the field)
before the payer is asked or anything is stored (issue 26: a tenant-wide token filed checks and estimates under
another tenant's practice)."""

from collections.abc import Callable
from typing import Any
from uuid import uuid4

import httpx
from claimstream_devtools.testing import Keys, StackUnderTest, register_practices
from eligibility.repository import EligibilityWork
from eligibility_testkit import ACTIVE, PRACTICE, TENANT, Clearinghouse
from sqlalchemy import text
from test_batch_and_benefits import visit
from test_eligibility_checks import BODY, echoing
from test_good_faith_estimates import ESTIMATE


async def stored(make_uow: Callable[[], EligibilityWork]) -> list[int]:
    """The checks, the estimates and the events (access records aside) stored."""
    counted = ("checks", "good_faith_estimates", "outbox WHERE topic <> 'access.v1'")
    async with make_uow() as uow:
        return [await uow.session.scalar(text(f"SELECT count(*) FROM {what}")) for what in counted]


def refusals(*answers: httpx.Response) -> list[tuple[int, str, Any]]:
    return [(a.status_code, a.json()["detail"], a.json()["errors"]) for a in answers]


async def test_another_tenants_practice_is_refused_as_one_that_never_existed(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    clearinghouse: Clearinghouse,
    stack: StackUnderTest,
    make_uow: Callable[[], EligibilityWork],
) -> None:
    clearinghouse.answers = echoing(*ACTIVE)
    theirs, never = uuid4(), uuid4()
    await register_practices(stack, {uuid4(): [theirs]})
    answers: dict[str, list[httpx.Response]] = {}
    for name, practice in (("theirs", theirs), ("never", never)):
        p = str(practice)
        answers[name] = [
            await client.post("/v1/eligibility-checks", json={**BODY, "practice_id": p}, headers=auth),
            await client.post("/v1/good-faith-estimates", json={**ESTIMATE, "practice_id": p}, headers=auth),
            await client.post("/v1/eligibility-checks/batch", json=_batch(practice), headers=auth),
        ]
    assert [a.status_code for a in answers["theirs"]] == [404, 404, 404]
    assert refusals(*answers["theirs"]) == refusals(*answers["never"])
    fields = [a.json()["errors"][0]["field"] for a in answers["theirs"]]
    assert fields == ["practice_id", "practice_id", "checks.1.practice_id"]  # the batch's second visit is theirs
    assert all(str(theirs) not in a.text for a in answers["theirs"])
    assert clearinghouse.sent == [] and await stored(make_uow) == [0, 0, 0]
    ours = await client.post("/v1/eligibility-checks", json=BODY, headers=auth)  # the tenant's own still works
    assert ours.status_code == 201 and await stored(make_uow) == [1, 0, 1]


async def test_a_token_for_one_practice_is_refused_the_tenants_other_practices(
    client: httpx.AsyncClient,
    clearinghouse: Clearinghouse,
    keys: Keys,
    stack: StackUnderTest,
    make_uow: Callable[[], EligibilityWork],
) -> None:
    other = uuid4()
    await register_practices(stack, {TENANT: [other]})
    limited = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=TENANT, practice_ids=[PRACTICE])}"}
    check = await client.post("/v1/eligibility-checks", json={**BODY, "practice_id": str(other)}, headers=limited)
    batch = await client.post("/v1/eligibility-checks/batch", json=_batch(other), headers=limited)
    assert [(a.status_code, a.json()["errors"][0]["field"]) for a in (check, batch)] == [
        (404, "practice_id"),
        (404, "checks.1.practice_id"),
    ]
    assert clearinghouse.sent == [] and await stored(make_uow) == [0, 0, 0]


def _batch(second: Any) -> dict[str, Any]:
    """Two visits: the first at the tenant's own practice, the second at `second`."""
    return {"checks": [visit("P-20"), {**visit("P-21"), "practice_id": str(second)}]}
