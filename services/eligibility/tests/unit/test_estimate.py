"""The Good Faith Estimate's arithmetic and its dispute threshold."""

from datetime import date
from decimal import Decimal

from claimstream_platform.pdf import render_pdf
from eligibility.estimate import Estimate, Service, estimate_lines, exceeded_by

ESTIMATE = Estimate("P-1", "Zoë Núñez", date(1990, 1, 2), "Calm Minds", "1497758544", date(2026, 12, 1),
                    date(2027, 2, 28), (Service("90791", "Intake assessment", Decimal("200"), 1),
                                        Service("90837", "Therapy, 60 minutes", Decimal("150"), 10)),
                    date(2026, 11, 20))  # fmt: skip


def test_the_total_is_each_service_at_its_fee_times_its_count() -> None:
    assert ESTIMATE.total == Decimal("1700")
    assert "- 90837 Therapy, 60 minutes: 10 x 150.00 = 1500.00" in estimate_lines(ESTIMATE)


def test_billed_charges_exceed_the_estimate_from_400_over() -> None:
    assert exceeded_by(Decimal("1700"), Decimal("2099.99")) is None
    assert exceeded_by(Decimal("1700"), Decimal("2100.00")) == Decimal("400.00")


def test_the_estimate_renders_as_a_pdf_with_accents_kept_in_latin_1() -> None:
    pdf = render_pdf(estimate_lines(ESTIMATE))
    assert pdf.startswith(b"%PDF-1.4") and b"Zo\xeb N\xfa\xf1ez" in pdf and pdf.rstrip().endswith(b"%%EOF")
