"""All of remittance posting's SQL, and the only place its rows are built: `claims` (the claims it expects to be
paid for), `posting` (files, remittances, claim payments, the provider ledger's entries, the exceptions queue),
`reads` and `ledger` (the API's scoped reads) and `variance` (contract rates, variance items, payer silence)."""
