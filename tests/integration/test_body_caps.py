"""The body caps fit the largest legitimate bodies: a route's schema filled to its limits (lists at their longest,
names at their longest in accented letters sent escaped, pretty-printed) is accepted by the schema and fits the
route's cap, the platform's default for an ordinary command; a batch of 1,000 visits as the workload and the
benchmarks send them fits the encounter batch's (its schema admits 1,000 of the largest encounter, 60 MB, which no
EHR sends). Only batches and files are given more than the default. No stack: the routes' own declarations
(docs/security.md, "Nothing is read before the caller is known")."""

import json
import random
from datetime import date
from typing import Any
from uuid import uuid4

import pytest
from claimstream_devtools.routes import routes
from claimstream_platform.access import declared
from claimstream_platform.middleware import MAX_BODY_BYTES
from clearinghouse_simulator.practices import plan_practice
from clearinghouse_simulator.workload import encounter
from pydantic import TypeAdapter

ROUTES = {(service, method, route.path): route for service, method, route in routes()}
NPI = "1245319599"
DIAGNOSES = ["F33.1", "F41.1", "F43.10", "F90.0", "F32.9", "F40.10", "F42.2", "F43.22", "F50.00", "F60.3", "F84.0"]


def longest(n: int) -> str:
    """A name at its longest in accented letters: six bytes each once a client escapes them (`\\u00d1`)."""
    return "Ñ" * n


def cap(service: str, method: str, path: str) -> int:
    access = declared(ROUTES[(service, method, path)])
    assert access is not None
    return access.max_body_bytes or MAX_BODY_BYTES


def admitted_size(service: str, method: str, path: str, body: Any) -> int:
    """The body's bytes as a client may send it, once the route's schema has accepted it (so it is legitimate)."""
    field = ROUTES[(service, method, path)].body_field
    assert field is not None
    TypeAdapter(field.field_info.annotation).validate_python(body)
    return len(json.dumps(body, indent=2).encode())


def an_encounter() -> dict[str, Any]:
    address = {
        "line1": longest(200),
        "line2": longest(200),
        "city": longest(100),
        "state": "OR",
        "postal_code": "97209",
    }
    person = {"first_name": longest(100), "last_name": longest(100), "birth_date": "1980-01-01", "sex": "F"}
    person["address"] = address
    coverage = {"payer_id": longest(80), "member_id": longest(80), "group_number": longest(50)}
    coverage |= {"relationship": "spouse", "subscriber": person, "patient_has_own_id": False}
    others = [
        coverage | {"payer_id": f"{n}{longest(79)}", "responsibility": r}
        for n, r in enumerate(("secondary", "tertiary"))
    ]
    procedure = {"code": "90837", "modifiers": ["95", "GT", "HO", "HP"], "units": 999, "minutes": 1440}
    procedure |= {"diagnosis_pointers": [1, 2, 3, 4], "prior_authorization_number": longest(50)}
    return {
        "practice_id": str(uuid4()),
        "external_id": longest(80),
        "service_date": "2026-01-02",
        "rendering_provider_npi": NPI,
        "supervising_provider_npi": NPI,
        "patient": person | {"external_id": longest(80)},
        "coverage": coverage,
        "other_coverages": others,
        "diagnoses": [*DIAGNOSES, "Z63.0"],
        "place_of_service": "11",
        "telehealth": {"modality": "video", "patient_at_home": True},
        "prior_authorization_number": longest(50),
        "procedures": [procedure] * 50,
        "referring_provider": {"npi": NPI, "first_name": longest(100), "last_name": longest(100)},
        "referral_number": longest(50),
        "service_facility": {"name": longest(200), "npi": NPI, "address": address},
        "delay_reason_code": "1",
    }


def a_patient() -> dict[str, str]:
    return {"external_id": "P" * 80, "first_name": longest(60), "last_name": longest(60), "birth_date": "1990-01-02"}


def a_check() -> dict[str, Any]:
    return {
        "practice_id": str(uuid4()),
        "patient": a_patient(),
        "coverage": {"payer_id": "P" * 80, "member_id": "M" * 80},
        "provider": {"npi": NPI, "name": longest(60)},
        "service_date": "2026-12-03",
        "service_types": ["30", "MH", "A4", "A6", "A7", "A8"],
        "expected_charge": "99999.99",
        "allowed_amount": "99999.99",
    }


def an_estimate() -> dict[str, Any]:
    providers = [{"npi": f"{n:010d}", "name": longest(60)} for n in range(10)]
    service = {"code": "90837", "label": longest(60), "fee": "99999.99", "quantity": 200, "provider_npi": NPI}
    return {
        "practice_id": str(uuid4()),
        "patient": a_patient(),
        "provider": {"npi": NPI, "name": longest(60)},
        "co_providers": providers,
        "period_from": "2026-12-01",
        "period_to": "2027-11-30",
        "services": [service | {"code": f"{n:05d}"} for n in range(30)],
    }


def an_authorization() -> dict[str, Any]:
    asked = {k: v for k, v in a_check().items() if k in ("practice_id", "patient", "coverage", "provider")}
    asked["services"] = [{"code": f"{n:05d}", "quantity": 999} for n in range(12)]
    return asked | {"unit": "units", "start": "2026-12-01", "end": "2027-11-30", "diagnoses": [*DIAGNOSES, "F43.23"]}


def entries(count: int) -> list[dict[str, Any]]:
    return [{"code": f"{n:05d}", "modifiers": ["95", "GT", "HO", "HP"], "amount": "12345678.90"} for n in range(count)]


def a_fee_schedule() -> dict[str, Any]:
    return {"effective_from": "2026-01-01", "entries": entries(10_000)}


def contract_rates() -> dict[str, Any]:
    return {"practice_id": str(uuid4()), "effective_from": "2026-01-01", "rates": entries(2000)}


def a_batch_of_checks() -> dict[str, Any]:
    return {"checks": [a_check() for _ in range(200)]}


def an_invitation() -> dict[str, Any]:
    practices = [str(uuid4()) for _ in range(500)]
    return {"roles": ["biller"], "practice_ids": practices, "name": longest(200), "email": f"{'e' * 240}@example.test"}


LARGEST = [
    ("charge-capture", "POST", "/v1/encounters", an_encounter),
    ("charge-capture", "PUT", "/v1/practices/{practice_id}/fee-schedules/{payer_id}", a_fee_schedule),
    ("eligibility", "POST", "/v1/eligibility-checks", a_check),
    ("eligibility", "POST", "/v1/eligibility-checks/batch", a_batch_of_checks),
    ("eligibility", "POST", "/v1/good-faith-estimates", an_estimate),
    ("prior-authorization", "POST", "/v1/authorizations", an_authorization),
    ("remittance-posting", "PUT", "/v1/contract-rates/{payer_id}", contract_rates),
    ("identity", "POST", "/v1/users", an_invitation),
]


@pytest.mark.parametrize(("service", "method", "path", "largest"), LARGEST, ids=[f"{m} {p}" for _, m, p, _ in LARGEST])
def test_the_largest_body_a_routes_schema_admits_fits_its_cap(
    service: str, method: str, path: str, largest: Any
) -> None:
    assert admitted_size(service, method, path, largest()) <= cap(service, method, path)


def test_an_ordinary_command_keeps_the_default_and_only_batches_and_files_are_given_more() -> None:
    larger = sorted(
        f"{s} {m} {r.path}" for s, m, r in routes() if (a := declared(r)) and (a.max_body_bytes or 0) > MAX_BODY_BYTES
    )
    assert larger == [
        "charge-capture POST /v1/encounters/batch",
        "charge-capture PUT /v1/practices/{practice_id}/fee-schedules/{payer_id}",
        "clearinghouse-simulator POST /v1/interchanges",
        "eligibility POST /v1/eligibility-checks/batch",
        "remittance-posting POST /v1/remittances",
        "remittance-posting PUT /v1/contract-rates/{payer_id}",
    ]


def test_a_batch_of_a_thousand_visits_as_the_workload_sends_them_fits_the_batch_cap() -> None:
    rng = random.Random(7)
    plan = plan_practice(rng, 1)
    visits = [encounter(rng, plan, today=date(2026, 3, 2), defect_share=0) for _ in range(1000)]
    batch_cap = cap("charge-capture", "POST", "/v1/encounters/batch")
    assert admitted_size("charge-capture", "POST", "/v1/encounters/batch", {"encounters": visits}) <= batch_cap
