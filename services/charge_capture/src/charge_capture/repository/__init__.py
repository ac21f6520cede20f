"""All of charge capture's SQL, reached from its unit of work (`CaptureWork`): `uow.reference` (set-up as coding and
the set-up API read it), `uow.setup` (set-up as the API writes it), `uow.fee_schedules`, `uow.encounters` and
`uow.payer_facts` (a practice's own facts for its payers). Nothing outside this package, `tables` and `migrations`
imports SQLAlchemy (an import contract keeps it so)."""

from functools import cached_property

from claimstream_platform.db import UnitOfWork

from charge_capture.repository.encounters import Encounters
from charge_capture.repository.fee_schedules import FeeSchedules
from charge_capture.repository.payer_facts import PayerFactOverrides
from charge_capture.repository.reference import ReferenceData
from charge_capture.repository.setup import Setup


class CaptureWork(UnitOfWork):
    """Charge capture's unit of work: one transaction, and its repositories (one of each per unit)."""

    @cached_property
    def encounters(self) -> Encounters:
        return Encounters(self)

    @cached_property
    def reference(self) -> ReferenceData:
        return ReferenceData(self)

    @cached_property
    def setup(self) -> Setup:
        return Setup(self)

    @cached_property
    def fee_schedules(self) -> FeeSchedules:
        return FeeSchedules(self)

    @cached_property
    def payer_facts(self) -> PayerFactOverrides:
        return PayerFactOverrides(self)
