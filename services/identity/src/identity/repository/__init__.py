"""All of identity's SQL, reached from its unit of work (`IdentityWork`): `uow.accounts` (people, integrations and
operators; a tenant's filter written once), `uow.invitations`, `uow.integration_tokens`, `uow.failures` (sign-in
failures), `uow.revocations` (the list every service reads) and `uow.access_log` (the chained log)."""

from functools import cached_property

from claimstream_platform.db import UnitOfWork

from identity.repository.access_log import AccessLog
from identity.repository.accounts import Accounts, Invitations
from identity.repository.tokens import Failures, IntegrationTokens, Revocations


class IdentityWork(UnitOfWork):
    """Identity's unit of work: one transaction, and its repositories (one of each per unit)."""

    @cached_property
    def accounts(self) -> Accounts:
        return Accounts(self)

    @cached_property
    def invitations(self) -> Invitations:
        return Invitations(self)

    @cached_property
    def integration_tokens(self) -> IntegrationTokens:
        return IntegrationTokens(self)

    @cached_property
    def failures(self) -> Failures:
        return Failures(self)

    @cached_property
    def revocations(self) -> Revocations:
        return Revocations(self)

    @cached_property
    def access_log(self) -> AccessLog:
        return AccessLog(self)
