"""Errors the domain raises; the web layer alone maps them to HTTP statuses."""


class DomainError(Exception):
    """Base of every error a handler may raise on purpose."""

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class NotFound(DomainError):
    """The object does not exist, or exists for another tenant (callers cannot tell which)."""


class Forbidden(DomainError):
    """The caller is known but its token does not allow this action (e.g. a practice-scoped token)."""


class Conflict(DomainError):
    """The request contradicts the current state (duplicate, wrong state transition)."""


class RuleViolation(DomainError):
    """The request is well-formed but breaks a business rule."""


class Unauthenticated(Exception):
    """No credential, or one that is missing, expired, forged or for another audience."""


class TransientError(Exception):
    """A failure worth retrying: the database, broker or clearinghouse is briefly unavailable. `retry_after` is
    the other side's own hint (seconds), when it gave one."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
