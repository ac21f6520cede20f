"""An accepted rule learned from denials holds the next claim with the same defect, and it can be released
with the rule acknowledged."""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

from claim_submission import handlers
from claim_submission.intake import encounters
from claim_submission.repository import ClaimWork
from claim_submission.scrubbing import accepted_rules, release
from claims_testkit import RECENT, TENANT, charges, claims_of, handle
from claimstream_platform.contracts.denial_management import ScrubRuleAccepted

LINE = {
    "line_number": 1,
    "code": "90834",
    "modifiers": [],
    "units": 1,
    "amount": Decimal("140"),
    "diagnosis_pointers": [1],
}


async def test_the_same_denial_is_held_before_it_goes_once_its_rule_is_accepted(
    make_uow: Callable[[], ClaimWork],
) -> None:
    accepted = ScrubRuleAccepted(
        tenant_id=TENANT,
        rule_id=uuid4(),
        payer_id="SIMMCR",
        code="90834",
        condition="missing_authorization",
        category="authorization",
        message="SIMMCR denied 3 claims with 90834 as CO-197",
        evidence_claims=3,
        evidence_amount=Decimal("420"),
    )
    before = charges(service_date=RECENT - timedelta(days=2), lines=[LINE], total_amount=Decimal("140"))
    await handle(make_uow, encounters.on_charge_captured, before)
    await handle(make_uow, accepted_rules.on_scrub_rule_accepted, accepted)
    await handle(make_uow, accepted_rules.on_scrub_rule_accepted, accepted)  # redelivered: stored once
    held = charges(service_date=RECENT, lines=[LINE], total_amount=Decimal("140"))
    authorized = charges(
        service_date=RECENT - timedelta(days=1),
        lines=[LINE],
        total_amount=Decimal("140"),
        prior_authorization_number="PA778",
    )
    for event in (held, authorized):
        await handle(make_uow, encounters.on_charge_captured, event)
    (first,) = await claims_of(make_uow, before.encounter_id)
    (second,) = await claims_of(make_uow, held.encounter_id)
    (third,) = await claims_of(make_uow, authorized.encounter_id)
    assert first.status == "ready"  # before the rule
    assert second.status == "held" and [r["rule"] for r in second.reasons] == [f"learned.{accepted.rule_id}"]
    assert third.status == "ready"  # the rule's condition is not met
    async with make_uow() as uow:
        claim = await handlers.locked_claim(uow, TENANT, second.id)
        remaining = await release.release(uow, claim, acknowledged=[f"learned.{accepted.rule_id}"], today=RECENT)
        await uow.commit()
    assert remaining == []
    (released,) = await claims_of(make_uow, held.encounter_id)
    assert released.status == "ready"
