"""Request rate limits shared by every replica of every service: budgets per route class, per tenant and per
client, counted in PostgreSQL (schema `limits`) and leased to each process in blocks (docs/security.md, "Limits
and the access log's emission")."""

from claimstream_platform.limits.budgets import DEFAULT_BUDGETS, Budget
from claimstream_platform.limits.limiter import Decision, RateLimiter

__all__ = ["DEFAULT_BUDGETS", "Budget", "Decision", "RateLimiter"]
