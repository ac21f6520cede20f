"""A claim's status inquiry, pure: its 276 reads back as the claim asked about (our CLM01, the charge, the date of
service, the payer and the member), and the 277's category says what it means: F1 paid (with no ERA here: a
missing ERA), F2 and F4 denied, A4 not found, anything else pending; a 277 about another claim answers nothing."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from claim_submission.inbound.claim_status import Asked, answer_of, inquiry_276
from claims_testkit import RECENT, answered_277, claim_content
from claimstream_platform.x12 import parse_interchange
from claimstream_platform.x12.status import IMPLEMENTATION, read_status
from claimstream_platform.x12.status_model import Status

NOW = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
ASKED = Asked("CSBILLING", "CLAIMSTREAM TEST BILLING", "CLAIMSTREAMSIM")


def test_the_276_names_the_claim_as_the_payer_knows_it() -> None:
    text = inquiry_276(claim_content(), "CS0000000042", "TRACE42", ASKED, 77, NOW)
    interchange = parse_interchange(text)
    [group] = interchange.groups
    assert (group.functional_id, group.version, interchange.control_number) == ("HR", IMPLEMENTATION, "000000077")
    [asked] = read_status(group.transactions[0], interchange.delimiters)
    assert (asked.trace, asked.patient_control_number, asked.charge) == ("TRACE42", "CS0000000042", Decimal("185.00"))
    assert (asked.service_from, asked.payer.identifier, asked.subscriber and asked.subscriber.identifier) == (
        RECENT,
        "SIMMCR",
        "1EG4TE5MK73",
    )


@pytest.mark.parametrize(
    ("category", "finding"),
    [("F1", "paid_without_era"), ("F2", "denied"), ("F4", "pending"), ("A4", "not_found"), ("P1", "pending")],
)
def test_the_277s_category_says_what_it_means(category: str, finding: str) -> None:
    status = Status(
        category, "65", "PR", effective=date(2026, 11, 20), paid=Decimal("88.10"), paid_on=date(2026, 11, 20)
    )
    answer = answer_of(["not x12", answered_277("TRACE42", status)], "TRACE42")
    assert answer is not None and (answer.category, answer.finding) == (category, finding)
    assert (answer.paid, answer.paid_on) == (Decimal("88.10"), date(2026, 11, 20))
    assert answer_of([answered_277("ANOTHER", status)], "TRACE42") is None
