"""The Good Faith Estimate's arithmetic, its parts per provider or facility, its period, its dispute threshold and a
part's excess announced once."""

from datetime import date
from decimal import Decimal
from uuid import uuid4

from claimstream_platform.contracts.eligibility import GoodFaithEstimateExceeded
from claimstream_platform.pdf import render_pdf
from eligibility.estimate import (
    Estimate,
    PartStanding,
    Service,
    estimate_lines,
    exceeded_by,
    part_for,
    period_too_long,
)

ESTIMATE = Estimate(
    "P-1",
    "Zoë Núñez",
    date(1990, 1, 2),
    "Calm Minds",
    "1497758544",
    date(2026, 12, 1),
    date(2027, 2, 28),
    (
        Service("90791", "Intake assessment", Decimal("200"), 1),
        Service("90837", "Therapy, 60 minutes", Decimal("150"), 10),
    ),
    date(2026, 11, 20),
)
TESTING = Service("96130", "Psychological testing evaluation", Decimal("250"), 2, provider_npi="1234567893")
WITH_A_CO_PROVIDER = Estimate(
    "P-1",
    "Zoë Núñez",
    date(1990, 1, 2),
    "Calm Minds",
    "1497758544",
    date(2026, 12, 1),
    date(2027, 2, 28),
    (*ESTIMATE.services, TESTING),
    date(2026, 11, 20),
    co_providers=(("1234567893", "Lakeside Testing"),),
)


def test_the_total_is_each_service_at_its_fee_times_its_count() -> None:
    assert ESTIMATE.total == Decimal("1700")
    assert "- 90837 Therapy, 60 minutes: 10 x 150.00 = 1500.00" in estimate_lines(ESTIMATE)


def test_each_provider_or_facility_has_its_part_of_the_estimate() -> None:
    assert WITH_A_CO_PROVIDER.parts() == {"1497758544": Decimal("1700"), "1234567893": Decimal("500")}
    assert ESTIMATE.parts() == {"1497758544": Decimal("1700")}
    lines = estimate_lines(WITH_A_CO_PROVIDER)
    assert "- Lakeside Testing (NPI 1234567893): 500.00" in lines and "Estimated total: 2200.00" in lines


def test_a_charge_counts_against_the_part_of_its_rendering_provider_else_of_its_billing_provider() -> None:
    parts = WITH_A_CO_PROVIDER.parts()
    assert part_for(parts, rendering_npi="1234567893", billing_npi="1497758544") == "1234567893"
    assert part_for(parts, rendering_npi="1999999984", billing_npi="1497758544") == "1497758544"
    assert part_for(parts, rendering_npi="1999999984", billing_npi="1888888885") is None  # not this estimate's


def test_an_estimate_period_is_at_most_12_months() -> None:
    assert not period_too_long(date(2026, 12, 1), date(2027, 11, 30))
    assert period_too_long(date(2026, 12, 1), date(2027, 12, 1))
    leap_day = date(2028, 2, 29)
    assert not period_too_long(leap_day, date(2029, 2, 27)) and period_too_long(leap_day, date(2029, 2, 28))


def test_billed_charges_exceed_the_estimate_from_400_over() -> None:
    assert exceeded_by(Decimal("1700"), Decimal("2099.99")) is None
    assert exceeded_by(Decimal("1700"), Decimal("2100.00")) == Decimal("400.00")


def standing(billed: str, *, announced: bool = False) -> PartStanding:
    estimated = WITH_A_CO_PROVIDER.parts()["1234567893"]
    return PartStanding(uuid4(), uuid4(), uuid4(), "P-1", "1234567893", estimated, Decimal(billed), announced)


def test_a_part_exceeded_by_400_or_more_records_the_excess_once() -> None:
    part = standing("900.00")
    part.compare()
    taken = part.take_events()
    assert len(taken) == 1 and isinstance(taken[0], GoodFaithEstimateExceeded)
    exceeded = taken[0]
    assert (exceeded.estimated, exceeded.billed, exceeded.excess) == (
        Decimal("500"),
        Decimal("900.00"),
        Decimal("400.00"),
    )
    assert (exceeded.tenant_id, exceeded.practice_id, exceeded.estimate_id) == (
        part.tenant_id,
        part.practice_id,
        part.estimate_id,
    )
    assert (exceeded.patient_ref, exceeded.provider_npi, part.announced) == ("P-1", "1234567893", True)
    part.billed = Decimal("1200.00")
    part.compare()  # billed further: announced already
    assert part.take_events() == []


def test_a_part_under_the_threshold_or_announced_before_records_nothing() -> None:
    under = standing("899.99")
    under.compare()
    assert (under.take_events(), under.announced) == ([], False)
    before = standing("2000.00", announced=True)
    before.compare()
    assert before.take_events() == []


def test_the_estimate_renders_as_a_pdf_with_accents_kept_in_latin_1() -> None:
    pdf = render_pdf(estimate_lines(ESTIMATE))
    assert pdf.startswith(b"%PDF-1.4") and b"Zo\xeb N\xfa\xf1ez" in pdf and pdf.rstrip().endswith(b"%%EOF")
