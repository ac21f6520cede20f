"""Deposits and remittances matched, pure: an 835 says what a payer paid (BPR02) under its trace (TRN02); the bank
says what arrived under the EFT's trace (the CCD+ addenda's TRN02). They meet when trace and amount are the same.
The rule gives them three business days of each other (45 CFR 162.1603, CAQH CORE's EFT and ERA reassociation):
either one waiting longer is a mismatch to work, and announced once."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from claimstream_platform.dates import banking_days_between

EFT_METHODS = frozenset({"ACH", "FWT", "BOP"})  # BPR04 values whose money arrives by EFT (a check is deposited)
ALERT_AFTER = 3  # business days


@dataclass(frozen=True)
class Waiting:
    id: UUID
    trace: str
    amount: Decimal
    since: date  # the remittance's payment date, or the deposit's date


def awaits_deposit(method: str | None, amount: Decimal) -> bool:
    """An 835 whose money comes by EFT: a check is deposited by hand, a notice (NON) pays nothing."""
    return (method or "ACH").upper() in EFT_METHODS and amount > 0


def pairs(remittances: Sequence[Waiting], deposits: Sequence[Waiting]) -> list[tuple[UUID, UUID]]:
    """(remittance, deposit) of the same trace and amount, the oldest of each first; each used once."""
    free = sorted(deposits, key=lambda d: (d.since, str(d.id)))
    matched = []
    for remittance in sorted(remittances, key=lambda r: (r.since, str(r.id))):
        deposit = next((d for d in free if (d.trace, d.amount) == (remittance.trace, remittance.amount)), None)
        if deposit is not None:
            free.remove(deposit)
            matched.append((remittance.id, deposit.id))
    return matched


def age(since: date, today: date) -> int:
    return banking_days_between(since, today)


def overdue(since: date, today: date) -> bool:
    return age(since, today) > ALERT_AFTER
