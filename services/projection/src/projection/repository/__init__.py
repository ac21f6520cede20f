"""All of the projection's SQL: `folding` (storing facts and the read models folded from them), `reads` (the
claim list and detail), `reports` (aging, balances, KPIs and denial analytics, as of any date) and `stream` (event
counts). Every read is scoped to the caller's tenant and practices in one place, `scope.py`."""
