"""A partition's run of the ledger's words on visits (handlers.shares_changed) leaves the accounts, their visits and
their events exactly as the same words one at a time: a visit's later word, an older one, a redelivery, a visit whose
patient id was corrected in the run or before it; each word's events are caused by its own delivery. Saving writes
only the visits that changed, and a save undone by a savepoint is written again."""

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.contracts.projection import PatientShareChanged
from claimstream_platform.messaging.envelope import DecodedEvent, EventMetadata
from patient_billing import handlers
from patient_billing.domain import InsuranceWord
from patient_billing.repository import PatientBillingWork
from patient_billing.repository.accounts import account_id
from patient_billing_testkit import PRACTICE, TENANT, announce, share
from sqlalchemy import text

MakeUow = Callable[[], PatientBillingWork]


def words(prefix: str, encounters: dict[str, UUID]) -> list[PatientShareChanged]:
    """Patients `<prefix>-1` to `-5`; the visit `s` was on `-4`'s account before these words."""
    a, b, c, d, s = (encounters[name] for name in "abcds")
    return [
        share(a, "30.00", patient=f"{prefix}-1"),
        share(b, "10.00", patient=f"{prefix}-2"),
        share(a, "45.00", version=2, patient=f"{prefix}-1"),
        share(a, "5.00", version=1, patient=f"{prefix}-1"),  # older than the word kept: changes nothing
        share(c, "20.00", patient=f"{prefix}-2"),
        share(c, "25.00", version=2, patient=f"{prefix}-3"),  # its patient id corrected: it stays on -2's account
        share(d, "0", patient=f"{prefix}-3"),
        share(b, "10.00", patient=f"{prefix}-2"),  # redelivered
        share(s, "14.00", version=2, patient=f"{prefix}-5"),  # corrected before the run: it stays on -4's account
    ]


def delivered(event: PatientShareChanged) -> DecodedEvent:
    meta = EventMetadata(event_id=uuid4(), source="projection", time=datetime.now(UTC), correlation_id=uuid4())
    return DecodedEvent(event, meta)


async def outcome(make_uow: MakeUow, prefix: str, names: dict[UUID, str]) -> dict[str, Any]:
    """The prefix's accounts, visits and events, with its patients and encounters named as in `words`."""
    patient = {account_id(TENANT, PRACTICE, f"{prefix}-{n}"): str(n) for n in range(1, 6)}
    async with make_uow() as uow:
        visits = await uow.session.execute(text("SELECT account_id, encounter_id, share, version, paid FROM visits"))
        accounts = await uow.session.execute(text("SELECT id, movements, unapplied FROM accounts"))
        events = await uow.session.execute(
            text("SELECT event_type, convert_from(payload, 'UTF8')::jsonb AS body FROM outbox ORDER BY seq")
        )
        return {
            "visits": sorted(
                (patient[v.account_id], names[v.encounter_id], v.share, v.version, v.paid)
                for v in visits
                if v.account_id in patient
            ),
            "accounts": sorted((patient[r.id], r.movements, r.unapplied) for r in accounts if r.id in patient),
            "events": [_named(e.event_type, e.body, patient, names) for e in events if _of(e.body) in patient],
        }


def _of(body: dict[str, Any]) -> UUID | None:
    return UUID(body["account_id"]) if "account_id" in body else None


def _named(kind: str, body: dict[str, Any], patient: dict[UUID, str], names: dict[UUID, str]) -> tuple[Any, ...]:
    encounter = names[UUID(body["encounter_id"])] if "encounter_id" in body else None
    return kind, patient[UUID(body["account_id"])], encounter, body.get("amount"), body.get("standing")


async def scenario(make_uow: MakeUow, prefix: str) -> tuple[list[PatientShareChanged], dict[UUID, str]]:
    encounters = {name: uuid4() for name in "abcds"}
    await announce(make_uow, share(encounters["s"], "12.00", patient=f"{prefix}-4"))
    return words(prefix, encounters), {value: name for name, value in encounters.items()}


async def test_a_run_of_words_leaves_what_the_same_words_one_at_a_time_leave(make_uow: MakeUow) -> None:
    one_by_one, alone_names = await scenario(make_uow, "ALONE")
    await announce(make_uow, *one_by_one)
    run, run_names = await scenario(make_uow, "RUN")
    deliveries = [delivered(event) for event in run]
    async with make_uow() as uow:
        await handlers.on_patient_shares_changed(deliveries, uow)
        await uow.commit()

    alone, together = await outcome(make_uow, "ALONE", alone_names), await outcome(make_uow, "RUN", run_names)
    assert together == alone
    assert ("2", "c", Decimal("25.00"), 2, Decimal("0.00")) in together["visits"]  # stayed on -2's account
    assert ("4", "s", Decimal("14.00"), 2, Decimal("0.00")) in together["visits"]  # stayed on -4's account
    async with make_uow() as uow:  # each word's events are caused by its own delivery, not the run's first
        query = "SELECT causation_id, convert_from(payload, 'UTF8')::jsonb ->> 'encounter_id' AS encounter FROM outbox"
        rows = (await uow.session.execute(text(query + " WHERE event_type = 'claimstream.patient.charged.v1'"))).all()
    causes = {d.metadata.event_id: d.event.encounter_id for d in deliveries}  # type: ignore[attr-defined]
    caused = [(row.causation_id, UUID(row.encounter)) for row in rows if row.causation_id in causes]
    assert len(caused) == 6 and all(causes[cause] == encounter for cause, encounter in caused), caused


async def xmins(make_uow: MakeUow, account: UUID) -> dict[UUID, str]:
    async with make_uow() as uow:
        query = text("SELECT encounter_id, xmin::text AS version FROM visits WHERE account_id = :a")
        return {row.encounter_id: row.version for row in await uow.session.execute(query, {"a": account})}


async def test_a_word_on_one_visit_writes_that_visit_and_leaves_the_others_rows_alone(make_uow: MakeUow) -> None:
    first, second, third = uuid4(), uuid4(), uuid4()
    account = await announce(make_uow, *(share(e, "10.00", patient="X-1") for e in (first, second, third)))
    before = await xmins(make_uow, account)
    await announce(make_uow, share(second, "15.00", version=2, patient="X-1"))
    after = await xmins(make_uow, account)
    assert [before[e] == after[e] for e in (first, second, third)] == [True, False, True]


async def test_a_visit_saved_in_a_savepoint_that_was_undone_is_saved_again(make_uow: MakeUow) -> None:
    visit, word = uuid4(), InsuranceWord(service_date=date(2026, 3, 2), version=1, share=Decimal("20.00"))
    async with make_uow() as uow:
        try:
            async with uow.savepoint():
                [account] = (await uow.accounts.of_patients(TENANT, [(PRACTICE, "X-2")])).values()
                account.share_changed(visit, word, date(2026, 3, 30))
                await uow.accounts.save(account)
                raise LookupError("an attempt that failed after the save")
        except LookupError:
            pass
        [account] = (await uow.accounts.of_patients(TENANT, [(PRACTICE, "X-2")])).values()  # read again, as a retry
        assert visit not in account.visits
        account.share_changed(visit, word, date(2026, 3, 30))
        await uow.accounts.save(account)
        await uow.commit()
    assert list(await xmins(make_uow, account.id)) == [visit]
