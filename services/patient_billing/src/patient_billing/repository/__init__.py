"""All of patient billing's SQL, reached from its unit of work (`PatientBillingWork`): `uow.accounts`, the patient
accounts stored from and read back into the aggregate, with their payments and adjustments; `uow.statements`, the
statements, the practices' settings and runs, and the patients' contacts; `uow.online`, payments through the
processor, refunds, and the credit balances; `uow.plans`, payment plans."""

from functools import cached_property

from claimstream_platform.db import UnitOfWork

from patient_billing.repository.accounts import Accounts
from patient_billing.repository.online import Online
from patient_billing.repository.plans import Plans
from patient_billing.repository.statements import Statements


class PatientBillingWork(UnitOfWork):
    """Patient billing's unit of work: one transaction, and its repositories (one of each per unit)."""

    @cached_property
    def accounts(self) -> Accounts:
        return Accounts(self)

    @cached_property
    def statements(self) -> Statements:
        return Statements(self)

    @cached_property
    def online(self) -> Online:
        return Online(self)

    @cached_property
    def plans(self) -> Plans:
        return Plans(self)
