"""Scrub-rule suggestions span every practice (evidence from all their denials; an accepted rule holds claims of
all of them): a token limited to practices may neither read nor decide them (issue 26, N5)."""

from collections.abc import Callable

import httpx
from claimstream_devtools.testing import Keys
from denial_management.repository import DenialWork
from denial_testkit import PRACTICE, TENANT, created, deliver, denied


async def test_a_token_limited_to_practices_may_not_read_or_decide_scrub_rule_suggestions(
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, auth: dict[str, str], keys: Keys
) -> None:
    claims = [created(f"CS00000019{n}", payer="SIMBCX") for n in range(30, 33)]
    for claim in claims:
        await deliver(make_uow, claim, denied(claim, ("CO", "197", "140"), remarks=("N54",)))
    (rule,) = (await client.get("/v1/scrub-rule-suggestions", headers=auth)).json()["items"]
    token = keys.issuer.issue(tenant_id=TENANT, practice_ids=[PRACTICE])
    limited = {"Authorization": f"Bearer {token}"}
    listed = await client.get("/v1/scrub-rule-suggestions", headers=limited)
    assert listed.status_code == 403, listed.text
    for action in ("accept", "reject"):
        refused = await client.post(f"/v1/scrub-rule-suggestions/{rule['id']}/{action}", headers=limited)
        assert refused.status_code == 403, refused.text
    (unchanged,) = (await client.get("/v1/scrub-rule-suggestions", headers=auth)).json()["items"]
    assert unchanged["status"] == "suggested"
