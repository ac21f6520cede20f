"""The visits a run of captured charges counts, pure: the patients' visits with their payers as the visits table holds
them (a row per encounter, its latest captured version, moved to another patient or payer if a correction moved
it), kept up to date as the run records its own charges, so that each charge counts what the table would hold at
that point (the run writes its rows once, at its end: `Visits.record_all`)."""

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

CountKey = tuple[UUID, UUID, str, str]  # tenant, practice, patient ref, payer (as stored: cut to 80)


@dataclass(frozen=True)
class VisitRow:
    encounter_id: UUID
    version: int
    key: CountKey
    service_date: date


@dataclass
class RunVisits:
    rows: dict[UUID, VisitRow]  # by encounter: what the table holds
    recorded: set[UUID] = field(default_factory=set)  # the encounters the run wrote

    @classmethod
    def of(cls, rows: list[VisitRow]) -> "RunVisits":
        return cls({row.encounter_id: row for row in rows})

    def earlier(self, key: CountKey, encounter_id: UUID, day: date) -> int:
        """The patient's other visits with the payer in `day`'s calendar year, up to it."""
        since = date(day.year, 1, 1)
        return sum(
            1
            for row in self.rows.values()
            if row.key == key and row.encounter_id != encounter_id and since <= row.service_date <= day
        )

    def record(self, row: VisitRow) -> None:
        """The encounter's visit, unless the table holds a newer version of it (a redelivered older capture)."""
        held = self.rows.get(row.encounter_id)
        if held is None or held.version <= row.version:
            self.rows[row.encounter_id] = row
            self.recorded.add(row.encounter_id)

    def written(self) -> list[VisitRow]:
        """The rows the run recorded, for the table."""
        return [self.rows[encounter] for encounter in sorted(self.recorded)]


def count_key(tenant_id: UUID, practice_id: UUID, patient_ref: str, payer_id: str) -> CountKey:
    return (tenant_id, practice_id, patient_ref[:80], payer_id[:80])
