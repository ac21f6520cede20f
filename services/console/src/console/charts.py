"""Charts drawn on the server as SVG from the read models' figures (pure): the geometry here, the drawing in the
templates. Every chart has its figures beside it as a table, for screen readers and for copying."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

BUCKETS: tuple[tuple[str, str], ...] = (("d0_30", "0–30 days"), ("d31_60", "31–60"), ("d61_90", "61–90"))
BUCKETS += (("d91_120", "91–120"), ("over_120", "over 120"))
WIDTH = 560  # the bars' room in the SVG's units; labels sit left of it


@dataclass(frozen=True)
class Segment:
    bucket: str
    label: str
    amount: Decimal
    x: Decimal
    width: Decimal


@dataclass(frozen=True)
class Bar:
    key: str
    total: Decimal
    segments: list[Segment]


def aging_bars(rows: Sequence[Mapping[str, Any]]) -> list[Bar]:
    """One stacked bar per row, its buckets side by side, scaled so the largest total fills the width."""
    largest = max((Decimal(str(row["total"])) for row in rows), default=Decimal(0))
    scale = Decimal(WIDTH) / largest if largest > 0 else Decimal(0)
    bars = []
    for row in rows:
        x, segments = Decimal(0), []
        for bucket, label in BUCKETS:
            amount = max(Decimal(str(row[bucket])), Decimal(0))
            width = (amount * scale).quantize(Decimal("0.1"))
            segments.append(Segment(bucket, label, amount, x, width))
            x += width
        bars.append(Bar(str(row["key"] or "—"), Decimal(str(row["total"])), segments))
    return bars


@dataclass(frozen=True)
class Column:
    label: str
    value: Decimal | None
    height: Decimal


def columns(points: Sequence[tuple[str, Decimal | None]], room: int = 80) -> list[Column]:
    """A small column chart over time (a KPI month by month): the largest value fills `room`; none is a gap."""
    largest = max((abs(value) for _, value in points if value is not None), default=Decimal(0))
    made = []
    for label, value in points:
        height = Decimal(0) if value is None or largest == 0 else (abs(value) * room / largest).quantize(Decimal("0.1"))
        made.append(Column(label, value, height))
    return made
