"""Bank deposit files read, pure: BAI2 (the cash-management format banks send: a file of groups of accounts of
transactions) and a plain CSV of date, amount and trace for banks without BAI2. Each credit is a `Deposit`; a
healthcare EFT's trace is the CCD+ addenda's TRN02 (`TRN*1*<trace>*<payer>\\`), which banks pass in the
transaction's text, else the customer reference. A file that does not add up is refused whole, naming the record
and field."""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

TRN = re.compile(r"TRN\*1\*([^*\\~]{1,50})")
HEALTHCARE_EFT = "HCCLAIMPMT"  # the company entry description NACHA requires on a health care claim payment
CREDITS = range(100, 400)  # BAI2 detail type codes 100-399 are credits (400-699 debits)
LARGEST = Decimal("9999999999.99")  # what the books hold (NUMERIC(12, 2))
FUNDS_EXTRA = {"S": 3, "V": 2}  # fields after a funds type before the references ("D" counts its own)


class BankFileError(ValueError):
    def __init__(self, message: str, record: int, field: str) -> None:
        super().__init__(f"record {record}, {field}: {message}")
        self.record, self.field = record, field


@dataclass(frozen=True)
class Deposit:
    deposited_on: date
    amount: Decimal
    trace: str  # the EFT's trace (TRN02), upper-cased, or the bank's customer reference
    account: str  # the bank account it reached (its last four digits)
    bank_reference: str
    healthcare: bool = True  # a payer's claim payment (a CSV's rows are, by the file's purpose)


def stored(deposit: Deposit) -> dict[str, Any]:
    """The deposit's columns as the billing office keeps it."""
    fields = ("deposited_on", "amount", "trace", "account", "bank_reference")
    return {name: getattr(deposit, name) for name in fields}


def read_bai2(text: str) -> list[Deposit]:
    """The file's health care claim payments: its credits that carry an EFT's trace or NACHA's HCCLAIMPMT (a
    card settlement or a cash deposit is not a payer's and is left out)."""
    records = _records(text)
    if not records or records[0][1][0] != "01" or records[-1][1][0] != "99":
        raise BankFileError("a BAI2 file starts with 01 and ends with 99", 1, "record type")
    credits: list[Deposit] = []
    as_of, account, control = date.min, "", Decimal(0)
    for number, fields in records:
        kind = fields[0]
        if kind == "02":
            as_of = _yymmdd(fields, 4, number)
        elif kind == "03":
            account, control = fields[1], _summaries(fields, number)
        elif kind == "16":
            amount = _cents(fields, 2, number)
            control += amount
            if as_of == date.min:
                raise BankFileError("a transaction before its group's header (02)", number, "record type")
            if _type_code(fields, number) in CREDITS:
                credits.append(_deposit(fields, number, as_of, account, amount))
        elif kind == "49" and _cents(fields, 1, number) != control:
            raise BankFileError(f"the account's control total is not its amounts' sum ({control})", number, "49-01")
    return [deposit for deposit in credits if deposit.healthcare]


def read_csv(text: str) -> list[Deposit]:
    """A header of date, amount and trace (any order, any case), then one deposit a line."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise BankFileError("the file is empty", 1, "header")
    header = [name.strip().lower() for name in rows[0]]
    if not {"date", "amount", "trace"} <= set(header):
        raise BankFileError("the header names date, amount and trace", 1, "header")
    where = {name: header.index(name) for name in ("date", "amount", "trace")}
    return [_csv_row(row, number, where) for number, row in enumerate(rows[1:], start=2) if any(row)]


def _csv_row(row: list[str], number: int, where: dict[str, int]) -> Deposit:
    try:
        on = date.fromisoformat(row[where["date"]].strip())
    except (ValueError, IndexError):
        raise BankFileError("not a date (YYYY-MM-DD)", number, "date") from None
    _plausible(on, number, "date")
    try:
        amount = Decimal(row[where["amount"]].strip().replace(",", ""))
    except (InvalidOperation, IndexError):
        raise BankFileError("not an amount", number, "amount") from None
    if not amount.is_finite() or not 0 < amount <= LARGEST or amount != amount.quantize(Decimal("0.01")):
        raise BankFileError(f"a deposit is a positive amount in cents, at most {LARGEST}", number, "amount")
    trace = row[where["trace"]].strip().upper() if len(row) > where["trace"] else ""
    if not trace:
        raise BankFileError("a deposit needs its trace", number, "trace")
    return Deposit(on, amount, trace[:50], "", f"csv:{number}")


def _records(text: str) -> list[tuple[int, list[str]]]:
    """Each record's fields, numbered from 1 by line; an 88 continues the record before it."""
    records: list[tuple[int, list[str]]] = []
    for number, line in enumerate(text.replace("\r", "").split("\n"), start=1):
        line = line.strip()
        if not line:
            continue
        fields = line.removesuffix("/").split(",")
        if fields[0] == "88":
            if not records:
                raise BankFileError("a continuation with no record before it", number, "record type")
            records[-1][1].extend(fields[1:])
        else:
            records.append((number, fields))
    return records


def _deposit(fields: list[str], number: int, as_of: date, account: str, amount: Decimal) -> Deposit:
    funds = _field(fields, 3, number)
    extra = FUNDS_EXTRA.get(funds, 0) if funds != "D" else 1 + 2 * int(_field(fields, 4, number) or 0)
    bank_ref, customer_ref = (fields[4 + extra : 6 + extra] + ["", ""])[:2]
    text = ",".join(fields[6 + extra :])
    found = TRN.search(text)
    trace = (found.group(1) if found else customer_ref).strip().upper()
    healthcare = found is not None or HEALTHCARE_EFT in text.upper()
    return Deposit(as_of, amount, trace[:50], account[-4:], bank_ref.strip()[:50], healthcare)


def _summaries(fields: list[str], number: int) -> Decimal:
    """An 03 record's summary amounts (type code, amount, item count, funds type, repeated): where the account's
    control total starts."""
    total, position = Decimal(0), 3
    while position + 1 < len(fields):
        if fields[position + 1].strip():
            total += _cents(fields, position + 1, number)
        funds = fields[position + 3].strip() if position + 3 < len(fields) else ""
        position += 4 + FUNDS_EXTRA.get(funds, 0)
    return total


def _field(fields: list[str], index: int, number: int) -> str:
    if index >= len(fields):
        raise BankFileError("missing", number, f"{fields[0]}-{index:02d}")
    return fields[index].strip()


def _type_code(fields: list[str], number: int) -> int:
    value = _field(fields, 1, number)
    if not re.fullmatch(r"\d{3}", value):
        raise BankFileError(f"not a type code ({value[:10]!r})", number, "16-01")
    return int(value)


def _plausible(day: date, number: int, field: str) -> date:
    if not date(2000, 1, 1) <= day <= date(2099, 12, 31):
        raise BankFileError(f"not a plausible date ({day})", number, field)
    return day


def _cents(fields: list[str], index: int, number: int) -> Decimal:
    value = _field(fields, index, number)
    if not re.fullmatch(r"[+-]?\d{1,12}", value):
        raise BankFileError(f"not an amount in cents ({value[:20]!r})", number, f"{fields[0]}-{index:02d}")
    return Decimal(int(value)) / 100


def _yymmdd(fields: list[str], index: int, number: int) -> date:
    try:
        day = datetime.strptime(_field(fields, index, number), "%y%m%d").date()
    except ValueError:
        raise BankFileError("not a date (YYMMDD)", number, f"{fields[0]}-{index:02d}") from None
    return _plausible(day, number, f"{fields[0]}-{index:02d}")
