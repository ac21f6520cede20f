"""All of the projection's SQL, reached from its unit of work (`ProjectionWork`): `uow.folding` (storing facts
and the read models folded from them: the consumer's writes), `uow.reads` (the claim list and detail),
`uow.reports` (aging, balances and denial analytics, as of any date), `uow.kpis` (the KPIs' figures and their
drill-down), `uow.checks` (the money checksum), `uow.patients` (the patients' money beside the ledger),
`uow.stream` (event counts), `uow.bulk` (the rebuild's COPY into a fresh schema) and `uow.rebuilds` (the rebuild's
runs and their progress: the installation's, no tenant's). Every read of the read model is scoped to the caller's
tenant and practices in one place, `scope.ReadModel`. `swap` (the rebuild's schemas, compared and swapped) works
on engines, outside any unit of work."""

from functools import cached_property

from claimstream_platform.db import UnitOfWork

from projection.repository.bulk import Bulk
from projection.repository.checks import Checks
from projection.repository.folding import Folding
from projection.repository.kpis import Kpis
from projection.repository.patients import PatientFacts
from projection.repository.reads import Reads
from projection.repository.rebuilds import Rebuilds
from projection.repository.reports import Reports
from projection.repository.stream import Stream


class ProjectionWork(UnitOfWork):
    """The projection's unit of work: one transaction, and its repositories (one of each per unit)."""

    @cached_property
    def folding(self) -> Folding:
        return Folding(self)

    @cached_property
    def reads(self) -> Reads:
        return Reads(self)

    @cached_property
    def reports(self) -> Reports:
        return Reports(self)

    @cached_property
    def kpis(self) -> Kpis:
        return Kpis(self)

    @cached_property
    def checks(self) -> Checks:
        return Checks(self)

    @cached_property
    def patients(self) -> PatientFacts:
        return PatientFacts(self)

    @cached_property
    def stream(self) -> Stream:
        return Stream(self)

    @cached_property
    def bulk(self) -> Bulk:
        return Bulk(self)

    @cached_property
    def rebuilds(self) -> Rebuilds:
        return Rebuilds(self)
