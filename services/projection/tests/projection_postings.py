"""Posted lines and adjustments as remittance posting announces them, for the projection's test visits."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from claimstream_platform.adjustments import classify
from claimstream_platform.contracts import remittance_posting as rp

SERVED = date(2026, 10, 1)


def adjustments(*pairs: tuple[str, str, str]) -> list[rp.PostedAdjustment]:
    return [rp.PostedAdjustment(group=g, reason=r, amount=Decimal(a)) for g, r, a in pairs]


def classified(*pairs: tuple[str, str, str]) -> list[rp.PostedAdjustment]:
    """Adjustments with their class, as remittance posting announces them."""
    return [
        rp.PostedAdjustment(group=g, reason=r, amount=Decimal(a), adjustment_class=classify(g, r, SERVED))
        for g, r, a in pairs
    ]


def posted_lines(lines: Sequence[tuple[int, str, str, Sequence[tuple[str, str, str]]]]) -> list[rp.PostedLine]:
    """(line number, charge, paid, adjustments) each as a posted line of 90837, its adjustments classified."""
    return [
        rp.PostedLine(
            line_number=n,
            code="90837",
            modifiers=[],
            charge=Decimal(charge),
            paid=Decimal(paid),
            adjustments=classified(*adjusted),
            remarks=[],
        )
        for n, charge, paid, adjusted in lines
    ]
