"""The values an 835 carries, read with the segment and position named when they are wrong: amounts, numbers,
dates, required elements, and the CAS and PLB composites. Pure."""

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from claimstream_platform.x12 import Delimiters, Segment, Transaction, X12Error

from remittance_posting.model import Adjustment, ProviderAdjustment


def adjustments(segment: Segment) -> Iterator[Adjustment]:
    """CAS: a group code, then up to six reason / amount / quantity triplets."""
    group = required(segment, 1)
    e = (*segment.elements, "", "")  # a last triplet may stop after its reason or amount
    for first in range(1, min(len(segment.elements), 19), 3):  # CAS02, 05, ... (0-based 1, 4, ...)
        if not e[first]:
            continue
        quantity = decimal_number(segment, first + 3) if e[first + 2] else None
        yield Adjustment(group, e[first], money_text(e[first + 1], segment, first + 2), quantity)


def provider_adjustments(segment: Segment, d: Delimiters) -> Iterator[ProviderAdjustment]:
    """PLB: provider id, fiscal period end, then up to six reason:reference / amount pairs."""
    provider = required(segment, 1)
    for first in range(3, 15, 2):
        if not segment.get(first):
            continue
        reason, _, reference = segment.get(first).partition(d.component)
        yield ProviderAdjustment(provider, reason, reference, money(segment, first + 1), segment.position)


# X12 R (decimal) values: an optional minus, digits with at most one point, no exponent, no spaces
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)", re.ASCII)
_AMOUNT = re.compile(r"-?(?:\d+\.?\d{0,2}|\.\d{1,2})", re.ASCII)  # money: cents at most


def money(segment: Segment, number: int, *, optional: bool = False) -> Decimal:
    text = segment.get(number)
    if optional and not text:
        return Decimal(0)
    return money_text(text, segment, number)


def money_text(text: str, segment: Segment, number: int) -> Decimal:
    """Element `number`'s `text` as money (the hot path: the caller has the text at hand)."""
    if _AMOUNT.fullmatch(text) is None:
        decimal_number(segment, number)  # names what is wrong when it is not a number at all
        raise X12Error(
            "an amount has more than two decimals", position=segment.position, tag=segment.tag, element=number
        )
    return Decimal(text)


def decimal_number(segment: Segment, number: int) -> Decimal:
    text = segment.get(number)
    if _NUMBER.fullmatch(text) is None:
        raise X12Error(f"'{text[:20]}' is not a number", position=segment.position, tag=segment.tag, element=number)
    return Decimal(text)


def required(segment: Segment, number: int) -> str:
    value = segment.get(number)
    if not value:
        raise X12Error("a required element is empty", position=segment.position, tag=segment.tag, element=number)
    return value


def component(segment: Segment, parts: list[str], number: int) -> str:
    if len(parts) < number or not parts[number - 1]:
        raise X12Error("the procedure code is missing", position=segment.position, tag=segment.tag, element=1)
    return parts[number - 1]


def read_date(segment: Segment, number: int) -> date:
    text = segment.get(number)
    try:  # by hand: strptime costs more than the rest of a claim's reading
        if len(text) != 8 or not text.isdigit():
            raise ValueError(text)
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise X12Error(
            f"'{text[:10]}' is not a date (CCYYMMDD)", position=segment.position, tag=segment.tag, element=number
        ) from None


def error(segment: Segment | None, transaction: Transaction, reason: str) -> X12Error:
    if segment is None:
        return X12Error(reason, position=transaction.position, tag="ST")
    return X12Error(reason, position=segment.position, tag=segment.tag)
