from decimal import Decimal

from console.charts import WIDTH, aging_bars, columns


def row(key: str, *buckets: str) -> dict[str, str]:
    names = ("d0_30", "d31_60", "d61_90", "d91_120", "over_120")
    return {"key": key, **dict(zip(names, buckets, strict=True)), "total": str(sum(Decimal(b) for b in buckets))}


def test_the_largest_total_fills_the_width_and_segments_sit_side_by_side() -> None:
    big, small = aging_bars([row("SIMMCR", "100", "50", "0", "0", "50"), row("SIMAHP", "50", "0", "0", "0", "0")])
    assert sum(s.width for s in big.segments) == WIDTH
    assert [s.x for s in big.segments][:3] == [Decimal(0), Decimal(280), Decimal(420)]
    assert sum(s.width for s in small.segments) == WIDTH / 4
    assert (big.key, big.total) == ("SIMMCR", Decimal(200))


def test_a_credit_draws_nothing_and_nothing_open_draws_no_bar_at_all() -> None:
    (bar,) = aging_bars([row("SIMMCR", "-20", "0", "0", "0", "0")])
    assert all(s.width == 0 for s in bar.segments)
    assert aging_bars([]) == []


def test_columns_scale_to_the_largest_and_leave_a_gap_for_no_value() -> None:
    made = columns([("Jan", Decimal("0.5")), ("Feb", None), ("Mar", Decimal("1.0"))], room=80)
    assert [c.height for c in made] == [Decimal(40), Decimal(0), Decimal(80)]
    assert made[1].value is None
