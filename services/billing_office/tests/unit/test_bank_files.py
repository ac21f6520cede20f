"""Bank files read: a BAI2 file's health care EFT credits with the trace from their CCD+ addenda (TRN02), other
credits and debits left out, totals checked; a CSV of date, amount and trace; a file that does not add up or a
bad line refused, naming the record and field."""

from datetime import date
from decimal import Decimal

import pytest
from billing_office.bank_files import BankFileError, read_bai2, read_csv

BAI2 = """01,BANKUS,DEMOBILL,261203,0800,1,,,2/
02,DEMOBILL,BANKUS,1,261203,,USD,2/
03,000012345678,USD,010,1500000,,,015,1600000,,/
16,165,125040,0,B1001,,ACH CREDIT HCCLAIMPMT SIMMCR TRN*1*EFT900001*1311111111\\
16,165,98000,0,B1002,EFT900002,ACH CREDIT HCCLAIMPMT BLUE PLAN
88,TRN*1*EFT900002*1222222222\\
16,169,4500,0,B1003,,CARD SETTLEMENT MERCHANT 4411
16,475,20000,0,B1004,,CHECK PAID 1001
49,3347540,6/
98,3347540,1,8/
99,3347540,1,10/
"""


def test_a_bai2_file_gives_its_health_care_eft_credits_with_their_traces() -> None:
    first, second = read_bai2(BAI2)
    assert (first.deposited_on, first.amount, first.trace, first.account) == (
        date(2026, 12, 3),
        Decimal("1250.40"),
        "EFT900001",
        "5678",
    )
    assert (second.amount, second.trace, second.bank_reference) == (Decimal("980.00"), "EFT900002", "B1002")


def test_a_bai2_file_whose_account_does_not_add_up_is_refused_naming_the_record() -> None:
    with pytest.raises(BankFileError) as refused:
        read_bai2(BAI2.replace("49,3347540,6/", "49,3347541,6/"))
    assert (refused.value.record, refused.value.field) == (9, "49-01")
    with pytest.raises(BankFileError, match="record 4, 16-02: not an amount"):
        read_bai2(BAI2.replace("16,165,125040,", "16,165,12x040,"))
    with pytest.raises(BankFileError, match="starts with 01"):
        read_bai2("16,165,100,0,B,,X/")


def test_a_csv_of_date_amount_and_trace_reads_and_a_bad_line_is_named() -> None:
    [deposit] = read_csv('Trace,Date,Amount\neft900003,2026-12-02,"1,020.55"\n\n')
    assert (deposit.trace, deposit.deposited_on, deposit.amount) == ("EFT900003", date(2026, 12, 2), Decimal("1020.55"))
    with pytest.raises(BankFileError, match="record 3, amount"):
        read_csv("date,amount,trace\n2026-12-02,10.00,A1\n2026-12-02,10.001,A2\n")
    with pytest.raises(BankFileError, match="header"):
        read_csv("when,how much\n")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (BAI2.replace("16,165,125040,", "16,ABC,125040,"), "record 4, 16-01: not a type code"),
        (BAI2.replace("02,DEMOBILL,BANKUS,1,261203,", "02,DEMOBILL,BANKUS,1,991203,"), "not a plausible date"),
        ("01,B,D,261201,0800,1,,,2/\n16,165,100,0,B,,TRN*1*X*1\\\n99,100,1,3/", "before its group's header"),
    ],
)
def test_a_bai2_file_that_cannot_be_true_is_refused_naming_the_record(text: str, reason: str) -> None:
    with pytest.raises(BankFileError, match=reason):
        read_bai2(text)


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "sNaN", "0", "-5.00", "10000000000.00"])
def test_a_csv_amount_that_is_no_deposit_is_refused(amount: str) -> None:
    with pytest.raises(BankFileError, match="record 2, amount"):
        read_csv(f"date,amount,trace\n2026-12-01,{amount},EFT1\n")
    with pytest.raises(BankFileError, match="record 2, date: not a plausible date"):
        read_csv("date,amount,trace\n0001-01-01,10.00,EFT1\n")
