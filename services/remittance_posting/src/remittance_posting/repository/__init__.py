"""All of remittance posting's SQL: `posting` (claims known, files, remittances, claim payments, the ledger and the
API's scoped reads) and `variance` (contract rates, variance items, payer silence)."""
