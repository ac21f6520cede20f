"""All of eligibility's SQL: `checks` (checks and their answers, scoped to the caller's tenant and practices once)."""
