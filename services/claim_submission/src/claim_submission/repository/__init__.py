"""All of claim submission's SQL, reached from its unit of work (`ClaimWork`): `uow.claims` (the aggregate read,
locked and stored; the API's scoped reads), `uow.interchanges`, `uow.documents` (the 999s and 277CAs received),
`uow.submitters`, `uow.coverage` and `uow.carve_outs` (eligibility's answers), `uow.approvals` (prior
authorization's approvals, the platform's read model), `uow.early_answers` (its answers about a visit that came
before the visit's claim), `uow.payer_overrides` (a practice's own payer facts, the
platform's read model), `uow.learned` (learned scrub rules), `uow.visits`, `uow.readiness` (the billing office's
enrollments, credentialing spans and checks) and `uow.statuses` (claim status inquiries, 276/277).

Nothing outside this package, `tables` and `migrations` imports SQLAlchemy (an import contract keeps it so).
"""

from functools import cached_property

from claimstream_platform.approvals import Approvals
from claimstream_platform.db import UnitOfWork
from claimstream_platform.payer_overrides import PayerOverrides

from claim_submission.repository.claims import Claims
from claim_submission.repository.coverage import CarveOuts, CoverageAnswers
from claim_submission.repository.documents import Documents
from claim_submission.repository.early_answers import EarlyAnswers
from claim_submission.repository.interchanges import Interchanges
from claim_submission.repository.learned import LearnedRules
from claim_submission.repository.readiness import PayerReadiness
from claim_submission.repository.statuses import StatusInquiries
from claim_submission.repository.submitters import Submitters
from claim_submission.repository.visits import Visits


class ClaimWork(UnitOfWork):
    """Claim submission's unit of work: one transaction, and its repositories (one of each per unit)."""

    @cached_property
    def claims(self) -> Claims:
        return Claims(self)

    @cached_property
    def interchanges(self) -> Interchanges:
        return Interchanges(self)

    @cached_property
    def documents(self) -> Documents:
        return Documents(self)

    @cached_property
    def submitters(self) -> Submitters:
        return Submitters(self)

    @cached_property
    def coverage(self) -> CoverageAnswers:
        return CoverageAnswers(self)

    @cached_property
    def carve_outs(self) -> CarveOuts:
        return CarveOuts(self)

    @cached_property
    def approvals(self) -> Approvals:
        return Approvals(self)

    @cached_property
    def early_answers(self) -> EarlyAnswers:
        return EarlyAnswers(self)

    @cached_property
    def payer_overrides(self) -> PayerOverrides:
        return PayerOverrides(self)

    @cached_property
    def learned(self) -> LearnedRules:
        return LearnedRules(self)

    @cached_property
    def visits(self) -> Visits:
        return Visits(self)

    @cached_property
    def readiness(self) -> PayerReadiness:
        return PayerReadiness(self)

    @cached_property
    def statuses(self) -> StatusInquiries:
        return StatusInquiries(self)
