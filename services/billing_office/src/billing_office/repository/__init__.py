"""All of the billing office's SQL, reached from its unit of work (`BillingOfficeWork`): `uow.agreements`, the
practices' fee agreements; `uow.collections`, the money each practice collected and the claims and statements it
was billed for, each counted by one invoice; `uow.invoices`, invoices with their credit notes and payments;
`uow.deposits`, remittances awaiting their deposit and the bank's deposits, matched; `uow.enrollment`, payer
enrollments, credentialing spans, each practice's checks per payer and the silent payers."""

from functools import cached_property

from claimstream_platform.db import UnitOfWork

from billing_office.repository.agreements import Agreements
from billing_office.repository.collections import Collections
from billing_office.repository.deposits import Deposits
from billing_office.repository.enrollment import Enrollment
from billing_office.repository.invoices import Invoices


class BillingOfficeWork(UnitOfWork):
    """The billing office's unit of work: one transaction, and its repositories (one of each per unit)."""

    @cached_property
    def agreements(self) -> Agreements:
        return Agreements(self)

    @cached_property
    def collections(self) -> Collections:
        return Collections(self)

    @cached_property
    def invoices(self) -> Invoices:
        return Invoices(self)

    @cached_property
    def deposits(self) -> Deposits:
        return Deposits(self)

    @cached_property
    def enrollment(self) -> Enrollment:
        return Enrollment(self)
