"""Claim submission's HTTP routers: the claims and the work queue (`claims`), recovery (`operations`), the
tenant's submitter (`submitter`)."""
