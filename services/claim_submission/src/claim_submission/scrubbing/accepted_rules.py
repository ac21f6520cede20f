"""Denial management's learned rules, accepted by billing staff, kept for the scrubber (`learned.py`)."""

from claimstream_platform.contracts.denial_management import ScrubRuleAccepted

from claim_submission.repository import ClaimWork


async def on_scrub_rule_accepted(event: ScrubRuleAccepted, uow: ClaimWork) -> None:
    """A rule learned from denials, accepted by billing staff: the scrubber applies it to claims from now on."""
    await uow.learned.remember(
        {
            "rule_id": event.rule_id,
            "tenant_id": event.tenant_id,
            "payer_id": event.payer_id[:80],
            "code": event.code[:5],
            "condition": event.condition,
            "category": event.category[:40],
            "message": event.message[:300],
        },
    )
