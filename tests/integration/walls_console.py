"""The console's pages in the walls sweep (test_walls_sweep.py): each called with the sweep's bearer token and no
session. A form (POST) carries no CSRF token of a session, so every form is refused alike (403) whoever's ids it
names; the pages read through the services, whose walls answer for them."""

from walls_sweep import Kind

OBJ, L, W, X = Kind.OBJECT, Kind.LIST, Kind.OWN, Kind.OPERATOR
CONSOLE: dict[tuple[str, str, str], Kind] = {
    ("console", "GET", "/sign-in"): W,
    ("console", "POST", "/sign-in"): Kind.PUBLIC,
    ("console", "POST", "/sign-out"): Kind.SESSION,
    ("console", "GET", "/"): W,
    ("console", "GET", "/denials"): L,
    ("console", "POST", "/denials/bulk"): W,
    ("console", "GET", "/denials/{case_id}"): OBJ,
    ("console", "POST", "/denials/{case_id}/{action}"): OBJ,
    ("console", "GET", "/denials/{case_id}/appeals/{appeal_id}/letter"): OBJ,
    ("console", "GET", "/claims"): L,
    ("console", "GET", "/claims/{claim_id}"): OBJ,
    ("console", "GET", "/claims/{claim_id}/x12"): OBJ,
    ("console", "GET", "/held"): L,
    ("console", "POST", "/claims/{claim_id}/release"): OBJ,
    ("console", "GET", "/exceptions"): L,
    ("console", "POST", "/exceptions/{payment_id}/assign"): OBJ,
    ("console", "GET", "/variances"): L,
    ("console", "GET", "/patients"): L,
    ("console", "GET", "/patients/{account_id}"): OBJ,
    ("console", "POST", "/patients/{account_id}/payments"): OBJ,
    ("console", "GET", "/patients/statements/{statement_id}/pdf"): OBJ,
    ("console", "GET", "/office"): L,
    ("console", "GET", "/office/invoices/{invoice_id}/pdf"): OBJ,
    ("console", "GET", "/coverage"): L,
    ("console", "POST", "/coverage"): W,
    ("console", "GET", "/authorizations"): L,
    ("console", "GET", "/ar"): L,
    ("console", "GET", "/kpis"): L,
    ("console", "GET", "/kpis/claims"): L,
    ("console", "GET", "/setup"): L,
    ("console", "POST", "/setup/users"): W,
    ("console", "POST", "/setup/users/{user_id}/disable"): OBJ,
    ("console", "POST", "/setup/practices"): W,
    ("console", "GET", "/setup/practices/{practice_id}"): OBJ,
    ("console", "POST", "/setup/practices/{practice_id}/{part}"): OBJ,
    ("console", "GET", "/ops"): X,
    ("console", "POST", "/ops/dead-letters/redrive"): X,
    ("console", "POST", "/ops/documents/{document_id}/{action}"): X,
}
