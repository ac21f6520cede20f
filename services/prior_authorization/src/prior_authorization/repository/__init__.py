"""All of prior authorization's SQL, reached from its unit of work (`PriorAuthorizationWork`): `uow.authorizations`
(the requests, their decisions and their burn-down, scoped to the caller's tenant and practices in one place),
`uow.consumptions` (what each captured charge used), `uow.visits` (each patient's visits with each payer) and
`uow.payer_overrides` (a practice's overrides of our payer facts, the platform's read model that claim submission
and denial management keep too)."""

from functools import cached_property

from claimstream_platform.db import UnitOfWork
from claimstream_platform.payer_overrides import PayerOverrides

from prior_authorization.repository.authorizations import Authorizations
from prior_authorization.repository.consumptions import Consumptions
from prior_authorization.repository.visits import Visits


class PriorAuthorizationWork(UnitOfWork):
    """Prior authorization's unit of work: one transaction, and its repositories (one of each per unit)."""

    @cached_property
    def authorizations(self) -> Authorizations:
        return Authorizations(self)

    @cached_property
    def consumptions(self) -> Consumptions:
        return Consumptions(self)

    @cached_property
    def visits(self) -> Visits:
        return Visits(self)

    @cached_property
    def payer_overrides(self) -> PayerOverrides:
        return PayerOverrides(self)
