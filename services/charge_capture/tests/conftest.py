"""Fixtures for charge capture's service tests: a migrated schema per test, the app, a set-up practice."""

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID, uuid4

import pytest
from charge_capture.service import SERVICE
from charge_capture_testkit import (
    PRACTICE_NPI,
    PSYCHIATRIST_NPI,
    PSYCHOLOGIST_NPI,
    SOCIAL_WORKER_NPI,
    Practice,
    address,
    post_ok,
)
from claimstream_devtools.testing import Keys, StackUnderTest, service_client, service_schema, service_settings
from claimstream_platform.engines import create_engine
from claimstream_platform.settings import ServiceSettings
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine


@pytest.fixture
async def schema(stack: StackUnderTest) -> AsyncIterator[str]:
    async with service_schema(stack, SERVICE) as name:
        yield name


@pytest.fixture
def settings(stack: StackUnderTest, schema: str, keys: Keys) -> ServiceSettings:
    return service_settings(SERVICE, stack, schema, keys.public_key_file)  # type: ignore[no-any-return]


@pytest.fixture
async def engine(stack: StackUnderTest, schema: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(stack.database_url, schema=schema, connections=4)
    yield engine
    await engine.dispose()


@pytest.fixture
async def client(settings: ServiceSettings) -> AsyncIterator[AsyncClient]:
    async with service_client(SERVICE, settings) as client:
        yield client


@pytest.fixture
def tenant() -> UUID:
    return uuid4()


@pytest.fixture
def auth(keys: Keys, tenant: UUID) -> dict[str, str]:
    return {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant)}"}


# One fee schedule for every payer: code, amount (H0004 also at the Medicaid tier's own rate, modifier HO).
FEES = [
    {"code": code, "amount": amount}
    for code, amount in [
        ("90791", "180.00"), ("90792", "210.00"), ("90832", "75.00"), ("90834", "100.00"), ("90837", "140.00"),
        ("90833", "70.00"), ("90836", "90.00"), ("90838", "120.00"), ("90839", "150.00"), ("90840", "70.00"),
        ("90846", "95.00"), ("90847", "100.00"), ("90853", "30.00"), ("90785", "15.00"), ("99213", "90.00"),
        ("99214", "130.00"), ("96130", "120.00"), ("96131", "95.00"), ("96136", "45.00"), ("96137", "40.00"),
        ("H0004", "20.00"),
    ]
] + [{"code": "H0004", "modifiers": ["HO"], "amount": "18.75"}]  # fmt: skip
PROVIDERS = [
    (PSYCHIATRIST_NPI, "Ada", "Moreno", "MD", "2084P0800X"),
    (SOCIAL_WORKER_NPI, "Ben", "Okafor", "LCSW", "1041C0700X"),
    (PSYCHOLOGIST_NPI, "Cleo", "Park", "PhD", "103TC0700X"),
]
PAYERS = [
    {"payer_id": "MCR01", "name": "Medicare Part B", "kind": "medicare", "claim_filing_indicator": "MB"},
    {
        "payer_id": "MCD01",
        "name": "State Medicaid",
        "kind": "medicaid",
        "claim_filing_indicator": "MC",
        "policy_profile": "medicaid-credential-tiers",
    },
    {"payer_id": "COM01", "name": "Commercial Health", "kind": "commercial", "claim_filing_indicator": "CI"},
]


@pytest.fixture
async def practice(client: AsyncClient, auth: dict[str, str]) -> Practice:
    """A group practice with a psychiatrist, a social worker and a psychologist, and three payers with fees."""
    return await set_up_practice(client, auth)


@pytest.fixture
async def practice_in_los_angeles(client: AsyncClient, auth: dict[str, str]) -> Practice:
    """The same practice, set up with its calendar in Los Angeles."""
    return await set_up_practice(client, auth, time_zone="America/Los_Angeles")


async def set_up_practice(client: AsyncClient, auth: dict[str, str], **changes: Any) -> Practice:
    """The `practice` fixture's practice, with `changes` to its body (another tenant's, or in another zone)."""
    body = {
        "name": "Lakeside Behavioral Health",
        "npi": PRACTICE_NPI,
        "tax_id": "12-3456789",
        "taxonomy": "261QM0801X",
        "address": address(),
    }
    created = await post_ok(client, "/v1/practices", {**body, **changes}, auth)
    practice_id = created["id"]
    for npi, first, last, credential, taxonomy in PROVIDERS:
        provider = {"npi": npi, "first_name": first, "last_name": last, "credential": credential, "taxonomy": taxonomy}
        await post_ok(client, f"/v1/practices/{practice_id}/providers", provider, auth)
    for payer in PAYERS:
        await _payer_with_fees(client, auth, practice_id, payer)
    return Practice(UUID(practice_id), created)


async def _payer_with_fees(client: AsyncClient, auth: dict[str, str], practice_id: str, payer: dict[str, str]) -> None:
    await post_ok(client, f"/v1/practices/{practice_id}/payers", payer, auth)
    response = await client.put(
        f"/v1/practices/{practice_id}/fee-schedules/{payer['payer_id']}",
        json={"effective_from": "2025-01-01", "entries": FEES},
        headers=auth,
    )
    assert response.status_code == 200, response.text
