"""All of eligibility's SQL, reached from its unit of work (`EligibilityWork`): `uow.checks` (checks and their
answers) and `uow.estimates` (Good Faith Estimates and the charges billed against them), each scoped to the
caller's tenant and practices once."""

from functools import cached_property

from claimstream_platform.db import UnitOfWork

from eligibility.repository.checks import Checks
from eligibility.repository.estimates import Estimates


class EligibilityWork(UnitOfWork):
    """Eligibility's unit of work: one transaction, and its repositories (one of each per unit)."""

    @cached_property
    def checks(self) -> Checks:
        return Checks(self)

    @cached_property
    def estimates(self) -> Estimates:
        return Estimates(self)
