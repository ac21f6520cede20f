"""All of denial management's SQL, reached from its unit of work (`DenialWork`): `uow.claims` (the claims denials
concern, as we keep them), `uow.early_events` (events about a claim that came before it), `uow.cases` (cases, their
history and appeals, stored from and read back into the aggregate), `uow.queue` (the work queue's reads, scoped to
the caller's tenant and practices), `uow.rules` (scrub rules learned from denial patterns), `uow.limits` (the
write-off limit the tenant admin sets), `uow.bulk` (bulk actions' jobs), `uow.approvals` (the payers' approved
authorizations) and `uow.payer_overrides` (a practice's own payer facts): the last two are the platform's read
models, which claim submission keeps too."""

from functools import cached_property

from claimstream_platform.approvals import Approvals
from claimstream_platform.db import UnitOfWork
from claimstream_platform.payer_overrides import PayerOverrides

from denial_management.repository.bulk import BulkJobs
from denial_management.repository.cases import Cases
from denial_management.repository.claims import Claims
from denial_management.repository.early_events import EarlyEvents
from denial_management.repository.limits import WriteOffLimits
from denial_management.repository.queue import Queue
from denial_management.repository.rules import RuleSuggestions


class DenialWork(UnitOfWork):
    """Denial management's unit of work: one transaction, and its repositories (one of each per unit)."""

    @cached_property
    def claims(self) -> Claims:
        return Claims(self)

    @cached_property
    def early_events(self) -> EarlyEvents:
        return EarlyEvents(self)

    @cached_property
    def cases(self) -> Cases:
        return Cases(self)

    @cached_property
    def queue(self) -> Queue:
        return Queue(self)

    @cached_property
    def rules(self) -> RuleSuggestions:
        return RuleSuggestions(self)

    @cached_property
    def limits(self) -> WriteOffLimits:
        return WriteOffLimits(self)

    @cached_property
    def approvals(self) -> Approvals:
        return Approvals(self)

    @cached_property
    def payer_overrides(self) -> PayerOverrides:
        return PayerOverrides(self)

    @cached_property
    def bulk(self) -> BulkJobs:
        return BulkJobs(self)
