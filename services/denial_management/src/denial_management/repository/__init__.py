"""All of denial management's SQL: `claims` (the claims denials concern, as we keep them) and `cases` (cases, their
history and appeals, and the work queue's reads, scoped to the caller's tenant and practices once)."""
