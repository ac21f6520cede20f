"""All of claim submission's SQL, in four parts: `claims` (the aggregate read and stored), `interchanges`,
`documents` (the 999s and 277CAs received) and `submitters`; `reads` has the claim API's scoped queries.

Nothing outside this package, `tables` and `migrations` imports SQLAlchemy (an import contract keeps it so).
"""
