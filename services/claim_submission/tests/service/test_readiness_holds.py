"""The billing office's enrollment and credentialing records hold claims on real PostgreSQL: with the practice's
checks on, a claim for a clinician not yet credentialed with the payer is held, and released when a span effective
back to its date of service arrives; a claim to a payer without an active claims enrollment is held, and goes when
the enrollment is active; a practice without the checks bills as before. Claims created at once share the practice's
word on the payer (its lock in share mode); an announcement that changes it waits for them."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from claim_submission.intake import encounters
from claim_submission.repository import ClaimWork
from claim_submission.scrubbing import readiness_answers
from claims_testkit import PRACTICE_AS_BILLER, RECENT, TENANT, charges, claims_of, handle
from claimstream_platform.contracts.billing_office import CredentialChanged, EnrollmentChanged, PayerChecksSet
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

CLINICIAN = "1245319599"


def of_practice(practice: UUID, **changes: Any) -> Any:
    return charges(practice_id=practice, billing_provider=PRACTICE_AS_BILLER | {"practice_id": practice}, **changes)


def span(practice: UUID, status: str, starts: object, credential: UUID) -> CredentialChanged:
    fields = {"npi": CLINICIAN, "payer_id": "SIMMCR", "state": "OR", "status": status, "effective_to": None}
    return CredentialChanged(
        tenant_id=TENANT, practice_id=practice, credential_id=credential, effective_from=starts, **fields
    )  # type: ignore[arg-type]


async def status_of(make_uow: Callable[[], ClaimWork], encounter_id: UUID) -> tuple[str, list[str]]:
    [claim] = await claims_of(make_uow, encounter_id)
    return claim.status, [reason["rule"] for reason in claim.reasons or []]


async def test_an_uncredentialed_clinicians_claim_is_held_and_a_retroactive_span_releases_it(
    make_uow: Callable[[], ClaimWork],
) -> None:
    practice, credential = uuid4(), uuid4()
    checks = PayerChecksSet(
        tenant_id=TENANT, practice_id=practice, payer_id="SIMMCR", enrollment=False, credentialing=True
    )
    await handle(make_uow, readiness_answers.on_payer_checks_set, checks)
    await handle(
        make_uow,
        readiness_answers.on_credential_changed,
        span(practice, "pending", RECENT + timedelta(days=20), credential),
    )
    visit = of_practice(practice, service_date=RECENT)
    await handle(make_uow, encounters.on_charge_captured, visit)
    assert await status_of(make_uow, visit.encounter_id) == ("held", ["credentialing.not-effective"])
    [held] = await claims_of(make_uow, visit.encounter_id)
    assert "effective from" in held.reasons[0]["message"]
    retroactive = span(practice, "active", RECENT - timedelta(days=60), credential)  # the payer backdated it
    await handle(make_uow, readiness_answers.on_credential_changed, retroactive)
    assert await status_of(make_uow, visit.encounter_id) == ("ready", [])
    unchecked = of_practice(uuid4(), service_date=RECENT - timedelta(days=1))  # no checks: bills as before
    await handle(make_uow, encounters.on_charge_captured, unchecked)
    assert await status_of(make_uow, unchecked.encounter_id) == ("ready", [])


async def test_a_claim_to_a_payer_without_claims_enrollment_is_held_until_it_is_active(
    make_uow: Callable[[], ClaimWork],
) -> None:
    practice, enrollment = uuid4(), uuid4()
    visit = of_practice(practice, service_date=RECENT)
    await handle(make_uow, encounters.on_charge_captured, visit)  # ready before the practice turned the check on
    checks = PayerChecksSet(
        tenant_id=TENANT, practice_id=practice, payer_id="SIMMCR", enrollment=True, credentialing=False
    )
    await handle(make_uow, readiness_answers.on_payer_checks_set, checks)
    assert await status_of(make_uow, visit.encounter_id) == ("held", ["enrollment.claims-not-active"])
    billing = PRACTICE_AS_BILLER
    fields = {"payer_id": "SIMMCR", "npi": billing["npi"], "tax_id": billing["tax_id"], "transaction": "claims"}
    ids = {"tenant_id": TENANT, "practice_id": practice, "enrollment_id": enrollment, "clearinghouse": None}
    era_only = EnrollmentChanged(
        **ids, **fields | {"transaction": "remittance"}, status="active", effective_from=RECENT
    )  # type: ignore[arg-type]
    await handle(make_uow, readiness_answers.on_enrollment_changed, era_only)
    assert (await status_of(make_uow, visit.encounter_id))[0] == "held"  # an ERA enrollment is not a claims one
    active = EnrollmentChanged(**ids, **fields, status="active", effective_from=RECENT)  # type: ignore[arg-type]
    await handle(make_uow, readiness_answers.on_enrollment_changed, active)
    assert await status_of(make_uow, visit.encounter_id) == ("ready", [])


async def test_claims_created_at_once_share_the_practices_word_and_an_announcement_waits_for_them(
    make_uow: Callable[[], ClaimWork],
) -> None:
    practice = uuid4()
    first, second = (of_practice(practice, service_date=RECENT - timedelta(days=n)) for n in (0, 1))
    second = second.model_copy(update={"patient": second.patient.model_copy(update={"external_id": "p-2"})})
    checks = PayerChecksSet(
        tenant_id=TENANT, practice_id=practice, payer_id="SIMMCR", enrollment=True, credentialing=False
    )
    async with make_uow() as one, make_uow() as two, make_uow() as office:
        await encounters.on_charge_captured(first, one)  # holds the practice's word on the payer until it commits
        await two.session.execute(text("SET LOCAL lock_timeout = '2s'"))
        await encounters.on_charge_captured(second, two)  # shares it: does not wait for the first
        await office.session.execute(text("SET LOCAL lock_timeout = '300ms'"))
        with pytest.raises(DBAPIError, match="lock timeout"):
            await readiness_answers.on_payer_checks_set(checks, office)  # changes it: waits for both
        await one.commit()
        await two.commit()
    assert (
        len(await claims_of(make_uow, first.encounter_id)) == len(await claims_of(make_uow, second.encounter_id)) == 1
    )
