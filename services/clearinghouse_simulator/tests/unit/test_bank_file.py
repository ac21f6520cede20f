"""The simulated bank's BAI2 file: each 835 paid by ACH on the day is a credit with the 835's trace in its text;
a check, or another day's payment, is not; the file reads back in the billing office's own reader's terms
(totals that add up)."""

from datetime import UTC, date, datetime
from decimal import Decimal

from claimstream_platform.x12 import FunctionalGroup, Interchange, Segment, Transaction, write_interchange
from clearinghouse_simulator.bank import Eft, bai2, efts

DAY = date(2026, 12, 3)


def test_the_days_ach_payments_are_its_credits_with_their_traces() -> None:
    payments = [
        Eft("EFT1", "1311111111", Decimal("1250.40"), DAY),
        Eft("EFT2", "1222222222", Decimal("98.05"), DAY),
        Eft("EFT3", "1311111111", Decimal("10.00"), date(2026, 12, 4)),
    ]
    text = bai2(payments, DAY, datetime(2026, 12, 4, 7, 0, tzinfo=UTC))
    lines = text.splitlines()
    assert lines[0].startswith("01,") and lines[-1] == "99,269690,1,8/"
    credits = [line for line in lines if line.startswith("16,")]
    assert credits == [
        "16,165,125040,0,2612030001,,ACH CREDIT HCCLAIMPMT TRN*1*EFT1*1311111111\\",
        "16,165,9805,0,2612030002,,ACH CREDIT HCCLAIMPMT TRN*1*EFT2*1222222222\\",
    ]
    assert "49,269690,4/" in lines  # the account: its summary and its details


def era(trace: str, total: str, method: str, paid_on: date) -> str:
    """An 835 interchange of one transaction: its BPR and TRN are what the bank reads."""
    day = f"{paid_on:%Y%m%d}"
    bpr = Segment.of("BPR", "I", total, "C", method, *[""] * 11, day)
    segments = [bpr, Segment.of("TRN", "1", trace, "1311111111")]
    group = FunctionalGroup(
        "HP", "SIMMCR", "DEMO", "1", "005010X221A1", [Transaction("835", "0001", "005010X221A1", segments)]
    )
    return write_interchange(Interchange("ZZ", "SIMMCR", "ZZ", "DEMO", "000000001", [group]))


def test_efts_are_read_from_bundled_835_files_and_checks_left_out() -> None:
    bundled = era("EFT7", "300.25", "ACH", DAY) + era("CHK8", "50.00", "CHK", DAY)
    assert efts([bundled, era("EFT9", "12.00", "ACH", DAY)]) == [
        Eft("EFT7", "1311111111", Decimal("300.25"), DAY),
        Eft("EFT9", "1311111111", Decimal("12.00"), DAY),
    ]
