"""The billing office: the billing company's own business with its practices (docs/billing-office.md)."""
