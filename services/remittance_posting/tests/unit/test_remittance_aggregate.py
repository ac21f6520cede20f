"""What the RemittancePosting aggregate records for a paid, a denied and an unmatched claim payment, a PLB, a
variance and the remittance received; and what PayerSilence records. Pure."""

from datetime import date
from decimal import Decimal
from uuid import uuid4

from claimstream_platform.contracts import remittance_posting as contract
from remittance_posting.era import read_file
from remittance_posting.known import KnownClaim, KnownLine
from remittance_posting.model import Remittance as Read
from remittance_posting.model import StoredRemittance
from remittance_posting.remittance import RemittancePosting, sender_of
from remittance_posting.silence import PayerSilence
from remittance_posting.variance import rate_key
from remittance_testkit import NOW, PRACTICE, TENANT, Line, Payment, era

D = Decimal
PAID_ON = date(2026, 11, 20)  # the testkit's BPR16


def _read(*payments: Payment, plb: tuple[tuple[str, str, Decimal], ...] = ()) -> Read:
    (read,) = read_file(era(*payments, plb=plb))
    return read


def _claim(pcn: str = "CS1", payer_claim_number: str | None = None) -> KnownClaim:
    line = KnownLine(1, "90837", ("95",), D("180"), f"{pcn}-1")
    return KnownClaim(uuid4(), TENANT, PRACTICE, pcn, "SIMCOM", payer_claim_number, (line,), NOW.date())


def _remittance(read: Read, *, owner: bool = True) -> RemittancePosting:
    return RemittancePosting(uuid4(), sender_of(read), (TENANT, PRACTICE) if owner else (None, None))


def test_a_paid_claim_records_its_posting_and_nothing_else() -> None:
    read = _read(Payment("CS1"))
    remittance, claim = _remittance(read), _claim()
    posted = remittance.post(read.claims[0], claim)
    (event,) = remittance.take_events()
    assert event is posted and isinstance(event, contract.PaymentPosted)
    assert (event.outcome, event.paid, event.claim_id, event.remittance_id) == (
        "paid",
        D("140"),
        claim.claim_id,
        remittance.id,
    )
    assert (event.payer_id, event.paid_on) == ("SIMCOM", PAID_ON)
    assert remittance.take_events() == []  # taken once


def test_a_denied_claim_records_its_posting_then_one_denial_for_the_whole_claim() -> None:
    read = _read(Payment("CS1", lines=[Line(adjustments=[("CO", "197", D("180"))])]))
    remittance = _remittance(read)
    remittance.post(read.claims[0], _claim())
    posted, denied = remittance.take_events()
    assert isinstance(posted, contract.PaymentPosted) and posted.outcome == "denied"
    assert isinstance(denied, contract.ClaimDenied)
    assert (denied.level, denied.amount, denied.paid_on) == ("claim", D("180"), PAID_ON)


def test_an_unmatched_claim_is_queued_with_its_reason_and_recorded_when_its_tenant_is_known() -> None:
    read = _read(Payment("NOPE1"))
    remittance = _remittance(read)
    stored = remittance.unmatched(read.claims[0], today=date(2027, 1, 5))
    (event,) = remittance.take_events()
    assert isinstance(event, contract.RemittanceUnmatched)
    assert (event.patient_control_number, event.paid, event.tenant_id) == ("NOPE1", D("140"), TENANT)
    assert stored.reason == event.reason == "no claim with patient control number NOPE1"
    assert (stored.claim, stored.outcome, stored.owner) == (None, "paid", (TENANT, PRACTICE))

    nobodys = _remittance(read, owner=False)  # an inbox ERA whose claims match no tenant: kept, not announced
    assert nobodys.unmatched(read.claims[0], today=date(2027, 1, 5)).reason == stored.reason
    assert nobodys.take_events() == []


def test_plb_amounts_go_on_the_ledger_linked_to_the_claim_they_name_and_are_recorded_with_their_kind() -> None:
    read = _read(Payment("CS1"), plb=(("WO", "SIMCOM000999", D("25")), ("L6", "", D("-1.50"))))
    remittance, named = _remittance(read), _claim("CS9", "SIMCOM000999")
    recoupment, interest = remittance.on_ledger(read.provider_adjustments, {"SIMCOM000999": named})
    assert (recoupment.claim_id, recoupment.tenant_id, interest.claim_id) == (named.claim_id, TENANT, None)
    first, second = remittance.take_events()
    assert isinstance(first, contract.ProviderAdjustmentPosted) and isinstance(
        second, contract.ProviderAdjustmentPosted
    )
    assert (first.kind, first.amount, first.claim_id, first.reference) == (
        "recoupment",
        D("25"),
        named.claim_id,
        "SIMCOM000999",
    )
    assert (second.kind, second.amount, second.claim_id) == ("interest", D("-1.50"), None)


def test_an_underpaid_line_is_recorded_after_its_posting() -> None:
    read = _read(Payment("CS1"))
    remittance, claim = _remittance(read), _claim()
    posted = remittance.post(read.claims[0], claim)
    assert not remittance.from_another_payer(read.claims[0], claim)
    (found,) = remittance.check_rates(read.claims[0], claim, posted, {rate_key("90837", ("95",)): D("150")})
    _, variance = remittance.take_events()
    assert isinstance(variance, contract.PaymentVarianceDetected)
    assert (variance.kind, variance.expected, variance.allowed, variance.difference) == (
        "underpaid",
        D("150"),
        D("140"),
        D("10"),
    )
    assert found.kind == "underpaid"


def test_the_remittance_received_is_recorded_when_its_tenant_is_known() -> None:
    read = _read(Payment("CS1"), Payment("CS2"))
    remittance = _remittance(read)
    remittance.received(StoredRemittance(read, "SIMCOM", remittance.owner, "posted", []))
    (event,) = remittance.take_events()
    assert isinstance(event, contract.RemittanceReceived)
    assert (event.remittance_id, event.payer_id, event.claims, event.total, event.balanced) == (
        remittance.id,
        "SIMCOM",
        2,
        D("280"),
        True,
    )
    nobodys = _remittance(read, owner=False)
    nobodys.received(StoredRemittance(read, "SIMCOM", nobodys.owner, "posted", []))
    assert nobodys.take_events() == []


def test_a_silent_payer_records_payer_silent_when_reported() -> None:
    silence = PayerSilence(TENANT, "SIMCOM", 3, date(2026, 10, 1), None)
    assert silence.take_events() == []
    silence.report()
    (event,) = silence.take_events()
    assert isinstance(event, contract.PayerSilent)
    assert (event.tenant_id, event.payer_id, event.claims_waiting, event.oldest_accepted_on) == (
        TENANT,
        "SIMCOM",
        3,
        date(2026, 10, 1),
    )
