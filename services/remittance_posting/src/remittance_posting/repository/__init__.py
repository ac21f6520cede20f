"""All of remittance posting's SQL, and the only place its rows are built, reached from its unit of work
(`PostingWork`): `uow.claims` (the claims it expects to be paid for), `uow.posting` (files, remittances, claim
payments, the provider ledger's entries, the exceptions queue), `uow.reads` and `uow.ledger` (the API's scoped
reads) and `uow.variance` (contract rates, variance items, payer silence)."""

from functools import cached_property

from claimstream_platform.db import UnitOfWork

from remittance_posting.repository.claims import KnownClaims
from remittance_posting.repository.ledger import LedgerReads
from remittance_posting.repository.posting import Postings
from remittance_posting.repository.reads import Reads
from remittance_posting.repository.variance import Variances


class PostingWork(UnitOfWork):
    """Remittance posting's unit of work: one transaction, and its repositories (one of each per unit)."""

    @cached_property
    def claims(self) -> KnownClaims:
        return KnownClaims(self)

    @cached_property
    def posting(self) -> Postings:
        return Postings(self)

    @cached_property
    def reads(self) -> Reads:
        return Reads(self)

    @cached_property
    def ledger(self) -> LedgerReads:
        return LedgerReads(self)

    @cached_property
    def variance(self) -> Variances:
        return Variances(self)
