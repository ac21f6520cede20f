"""All of prior authorization's SQL: `authorizations` (the requests, their decisions and their burn-down, scoped to
the caller's tenant and practices in one place) and `consumptions` (what each captured charge used)."""
