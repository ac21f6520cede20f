"""The practice's time zone is kept with the claim's content (its business dates are days on that calendar), and a
claim stored before it was kept reads back with none (the platform's default zone)."""

from claim_submission.domain.content import ClaimContent
from claims_testkit import claim_content


def test_the_practices_time_zone_is_mapped_from_charge_capture() -> None:
    assert claim_content(time_zone="America/Los_Angeles").time_zone == "America/Los_Angeles"
    assert claim_content().time_zone is None  # the practice said none: the default zone


def test_a_claim_stored_without_a_time_zone_reads_back() -> None:
    stored = claim_content().model_dump(mode="json")
    del stored["time_zone"]
    assert ClaimContent.model_validate(stored).time_zone is None
