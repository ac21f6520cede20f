"""A run's visits in memory (visit_counts.RunVisits) count what the visits table would: the patient's other visits
with the payer in the year up to the day, an encounter once (its latest version, wherever a correction moved it)."""

from datetime import date
from uuid import uuid4

from prior_authorization.visit_counts import RunVisits, VisitRow, count_key

TENANT, PRACTICE = uuid4(), uuid4()
MINE, OTHER_PAYER = count_key(TENANT, PRACTICE, "P-1", "SIMMCD"), count_key(TENANT, PRACTICE, "P-1", "SIMBCX")


def test_the_count_is_the_years_other_visits_up_to_the_day() -> None:
    this, same_day, later, last_year, elsewhere = (uuid4() for _ in range(5))
    visits = RunVisits.of(
        [
            VisitRow(same_day, 1, MINE, date(2026, 3, 2)),
            VisitRow(later, 1, MINE, date(2026, 3, 9)),
            VisitRow(last_year, 1, MINE, date(2025, 12, 29)),
            VisitRow(elsewhere, 1, OTHER_PAYER, date(2026, 2, 2)),
            VisitRow(this, 1, MINE, date(2026, 1, 5)),  # its own row: not counted
        ]
    )
    assert visits.earlier(MINE, this, date(2026, 3, 2)) == 1


def test_a_newer_version_replaces_the_row_and_an_older_one_does_not() -> None:
    encounter = uuid4()
    visits = RunVisits.of([VisitRow(encounter, 2, MINE, date(2026, 3, 2))])
    visits.record(VisitRow(encounter, 1, MINE, date(2026, 2, 2)))  # a redelivered older capture
    assert visits.written() == []
    visits.record(VisitRow(encounter, 3, OTHER_PAYER, date(2026, 3, 3)))  # corrected to another payer
    assert visits.written() == [VisitRow(encounter, 3, OTHER_PAYER, date(2026, 3, 3))]
    assert visits.earlier(MINE, uuid4(), date(2026, 12, 31)) == 0
