"""A claim's own copy of its 837P is read from the interchange it was sent in, and is the interchange the claim
alone would have made: the same envelope, its billing provider's loop, its own loops numbered from HL 2."""

from datetime import datetime

from claim_submission.domain.content import Person
from claim_submission.outbound.copies import own_copy
from claim_submission.outbound.x837 import ClaimToSend, Party, Submitter, build_837, transaction_controls
from claims_testkit import claim_content

SUBMITTER = Submitter("HARBORBILL", "HARBOR BILLING CO", "EDI DESK", "5035550142")
RECEIVER = Party("CLAIMSTREAMSIM", "SIMULATOR")
NOW = datetime(2026, 11, 27, 10, 0)
CHILD = {"first_name": "Pat", "last_name": "Doe", "birth_date": "1975-02-02", "sex": "M"}


def write(items: list[ClaimToSend]) -> str:
    return build_837(items, submitter=SUBMITTER, receiver=RECEIVER, control_number="77", now=NOW)


def claims() -> list[ClaimToSend]:
    """Three claims of two billing providers; the first is a child's (its own patient loop, HL 23)."""
    own = claim_content()
    other_provider = own.billing_provider.model_copy(update={"npi": "1245319599", "name": "OTHER PRACTICE"})
    subscriber = Person.model_validate({**CHILD, "address": own.patient.address.model_dump()})
    child = own.coverage.model_copy(update={"relationship": "child", "subscriber": subscriber})
    return [
        ClaimToSend("CS1", "1", own.model_copy(update={"coverage": child})),
        ClaimToSend("CS2", "1", own.model_copy(update={"billing_provider": other_provider})),
        ClaimToSend("CS3", "1", own),
    ]


def test_each_claims_copy_is_the_interchange_it_would_have_made_alone() -> None:
    items = claims()
    sent = write(items)
    for item in items:
        assert own_copy(sent, item.patient_control_number) == write([item])


def test_a_claim_the_interchange_does_not_carry_has_no_copy_in_it() -> None:
    assert own_copy(write(claims()), "CS9") is None


def test_transaction_set_numbers_follow_each_billing_providers_first_claim() -> None:
    items = claims()
    controls = transaction_controls(items)
    assert [controls[item.content.billing_provider.npi] for item in items] == ["0001", "0002", "0001"]
    assert "ST*837*0002*005010X222A1~" in write(items)
