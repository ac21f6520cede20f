"""The payee's bank, pure: what the payers' EFTs put on its account on a day, as the bank reports it in a BAI2
file. Each 835 paid by ACH is one credit of its BPR02 on its BPR16 date, its text carrying NACHA's health care
claim payment description and the CCD+ addenda's TRN segment (the 835's own TRN), which is how a billing office
tells whose ERA the money is. A check (BPR04 CHK) is deposited by hand and never shows here."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from claimstream_platform.x12 import X12Error, parse_interchange

ACCOUNT = "000012345678"  # the demo practices' operating account


@dataclass(frozen=True)
class Eft:
    trace: str  # TRN02
    originator: str  # TRN03: the payer's id as a company (1 + its TIN)
    amount: Decimal
    paid_on: date


def efts(contents: Iterable[str]) -> list[Eft]:
    """Every ACH payment of the 835 files given (several interchanges to a file, as bundled)."""
    found: list[Eft] = []
    for content in contents:
        for part in re.split(r"(?=ISA\*)", content):
            if part.strip():
                found += _efts_of(part)
    return found


def _efts_of(text: str) -> list[Eft]:
    try:
        interchange = parse_interchange(text)
    except X12Error:
        return []
    found = []
    for transaction in (t for g in interchange.groups for t in g.transactions if t.set_id == "835"):
        bpr = next(s for s in transaction.segments if s.tag == "BPR")
        trn = next(s for s in transaction.segments if s.tag == "TRN")
        if bpr.get(4) == "ACH" and bpr.get(16):
            paid_on = datetime.strptime(bpr.get(16), "%Y%m%d").date()
            found.append(Eft(trn.get(2), trn.get(3), Decimal(bpr.get(2)), paid_on))
    return found


def bai2(payments: Iterable[Eft], day: date, created: datetime) -> str:
    """The day's BAI2 file for the one account: its credits, with the totals a bank writes."""
    credits = [p for p in payments if p.paid_on == day]
    details = [
        f"16,165,{_cents(p.amount)},0,{day:%y%m%d}{n:04d},,ACH CREDIT HCCLAIMPMT TRN*1*{p.trace}*{p.originator}\\"
        for n, p in enumerate(credits, start=1)
    ]
    total = sum(_cents(p.amount) for p in credits)
    header = [
        f"01,SIMBANK,DEMOBILLING,{created:%y%m%d},{created:%H%M},1,,,2/",
        f"02,DEMOBILLING,SIMBANK,1,{day:%y%m%d},,USD,2/",
        f"03,{ACCOUNT},USD,015,{total},{len(credits)},/",
    ]
    trailer = [f"49,{2 * total},{len(details) + 2}/", f"98,{2 * total},1,{len(details) + 4}/"]
    return "\n".join([*header, *details, *trailer, f"99,{2 * total},1,{len(details) + 6}/"]) + "\n"


def _cents(amount: Decimal) -> int:
    return int(amount * 100)
