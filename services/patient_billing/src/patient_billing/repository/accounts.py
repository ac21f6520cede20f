"""Patient accounts (`uow.accounts`): one per tenant, practice and patient, its id derived from the three, so
two transactions that meet the patient at once make one account. The tenant filter is written once (`mine`),
narrowed to the caller's practices for a request's reads (`mine_in`)."""

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from claimstream_platform.auth import Principal
from claimstream_platform.contracts.patient_billing import Totals
from claimstream_platform.db import Repository, UnitOfWork
from claimstream_platform.many_rows import insert_many, one_of, skip_existing, update_many
from claimstream_platform.paging import OrderedPageRequest, ordered_page
from sqlalchemy import Numeric, cast, func, select
from sqlalchemy.dialects.postgresql import Insert, insert

from patient_billing.commands import Adjustment, Payment
from patient_billing.domain import AR_AGES, ZERO, InsuranceWord, PatientAccount, Visit
from patient_billing.tables import accounts, adjustments, applications, payments, refunds, visits

a, v = accounts.c, visits.c
_KEYS = frozenset({"encounter_id", "tenant_id", "account_id"})


def account_id(tenant_id: UUID, practice_id: UUID, patient_ref: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"claimstream:patient-account:{tenant_id}:{practice_id}:{patient_ref}")


def account_lock(tenant_id: UUID, practice_id: UUID, patient_ref: str) -> str:
    """The advisory lock a consumer's batch takes on each account before any row (messaging/subscriptions.py)."""
    return f"patient-billing:account:{account_id(tenant_id, practice_id, patient_ref)}"


class Accounts(Repository):
    table = accounts

    def __init__(self, uow: UnitOfWork) -> None:
        super().__init__(uow)
        # Each account's row and its visits' rows (by encounter), as last read or written in this transaction.
        self._read: dict[UUID, tuple[dict[str, Any], dict[UUID, dict[str, Any]]]] = {}

    async def of_patients(self, tenant_id: UUID, patients: Sequence[tuple[UUID, str]]) -> dict[UUID, PatientAccount]:
        """The accounts of the tenant's patients (practice, patient ref), by id, each made on first sight, locked
        until this transaction ends (read first: a patient has one already but the first time)."""
        wanted = {
            account_id(tenant_id, practice, patient): (tenant_id, practice, patient) for practice, patient in patients
        }
        found = await self._loaded(tenant_id, [one_of(a.id, wanted)], lock=True)
        missing = [patient for id_, patient in wanted.items() if id_ not in found]
        if missing:
            made = await self.made(missing)
            found |= await self._loaded(tenant_id, [one_of(a.id, made)], lock=True)
        assert found.keys() == wanted.keys()  # made above, or by the transaction the lock waited for
        return found

    async def made(self, patients: Sequence[tuple[UUID, UUID, str]]) -> list[UUID]:
        """The accounts' ids of the patients (tenant, practice, patient ref), each made on first sight, in one
        statement (neither read nor locked)."""
        ids = [account_id(*patient) for patient in patients]
        rows = [
            {"id": found, "tenant_id": tenant_id, "practice_id": practice_id, "patient_ref": patient_ref}
            for found, (tenant_id, practice_id, patient_ref) in zip(ids, patients, strict=True)
        ]
        await insert_many(self.session, accounts, rows, on_conflict=skip_existing)
        return ids

    async def of_practice(self, tenant_id: UUID, practice_id: UUID) -> list[UUID]:
        """The practice's accounts, in the order a run locks them."""
        query = select(a.id).where(self.mine(tenant_id), a.practice_id == practice_id).order_by(a.id)
        return list((await self.session.scalars(query)).all())

    async def every_account(self) -> list[tuple[UUID, UUID]]:
        """Every tenant's accounts, as (tenant, account) (`announce-standings`, across tenants)."""
        query = select(a.tenant_id, a.id).order_by(a.tenant_id, a.id)
        return [(row.tenant_id, row.id) for row in await self.session.execute(query)]

    async def totals(self, account: PatientAccount) -> Totals:
        """The account's money to date from this service's own records: payments, refunds not refused,
        adjustments."""

        def summed(table: Any, *where: Any) -> Any:
            query = select(func.coalesce(func.sum(table.c.amount), 0)).where(
                self.mine(account.tenant_id, table), table.c.account_id == account.id, *where
            )
            return query.scalar_subquery()

        query = select(
            summed(payments).label("paid"),
            summed(refunds, refunds.c.status != "failed").label("refunded"),
            summed(adjustments).label("adjusted"),
        )
        row = (await self.session.execute(query)).one()
        return Totals(paid=row.paid, refunded=row.refunded, adjusted=row.adjusted)

    async def owner_of_visit(self, tenant_id: UUID, encounter_id: UUID) -> UUID | None:
        """The account a visit is on, if any: the one it was first billed to."""
        return (await self.owners_of_visits(tenant_id, [encounter_id])).get(encounter_id)

    async def owners_of_visits(self, tenant_id: UUID, encounter_ids: Sequence[UUID]) -> dict[UUID, UUID]:
        """The account each of the visits is on, of those on one: the one it was first billed to."""
        if not encounter_ids:
            return {}
        query = select(v.encounter_id, v.account_id).where(
            self.mine(tenant_id, visits), one_of(v.encounter_id, encounter_ids)
        )
        return {row.encounter_id: row.account_id for row in await self.session.execute(query)}

    async def read(self, tenant_id: UUID, account: UUID) -> PatientAccount | None:
        return (await self._loaded(tenant_id, [a.id == account], lock=False)).get(account)

    async def lock(self, tenant_id: UUID, account: UUID) -> PatientAccount:
        return (await self._loaded(tenant_id, [a.id == account], lock=True))[account]  # accounts are never deleted

    async def find(self, principal: Principal, account: UUID, *, lock: bool = False) -> PatientAccount | None:
        """The account, if it is the caller's tenant's and of one of the caller's practices."""
        where = [*self.mine_in(principal.tenant_id, principal.practice_ids), a.id == account]
        return (await self._loaded(principal.tenant_id, where, lock=lock)).get(account)

    async def listing(
        self, principal: Principal, practice_id: UUID | None, page: OrderedPageRequest, *, awaiting_decision: bool
    ) -> tuple[list[Any], str | None]:
        """A page of the caller's accounts, the largest balance first (then by id); or only those awaiting the
        practice's decision."""
        open_ = func.greatest(v.share - v.paid - v.adjusted, 0)
        balance = cast(func.coalesce(func.sum(open_), 0), Numeric(12, 2)).label("balance")
        grouped = (
            select(a.id, a.practice_id, a.patient_ref, a.unapplied, balance)
            .select_from(accounts.outerjoin(visits, v.account_id == a.id))
            .where(
                *self.mine_in(principal.tenant_id, principal.practice_ids),
                *([a.practice_id == practice_id] if practice_id else []),
                *([a.awaiting_decision_since.is_not(None)] if awaiting_decision else []),
            )
            .group_by(a.id)
            .subquery()
        )
        order = [grouped.c.balance, grouped.c.id]  # an aggregate: paged over the grouped rows, not inside them
        return await ordered_page(
            self.session, select(grouped), order, limit=page.limit, cursor=page.cursor, newest_first=True
        )

    async def aging(self, principal: Principal, practice_id: UUID | None, today: date) -> Any:
        """What the caller's patients owe, visit by visit, summed by age (domain.AR_AGES), and how many accounts."""
        open_ = v.share - v.paid - v.adjusted
        age = today - func.coalesce(v.first_statement_on, v.hers_since, today)
        buckets = [
            func.coalesce(func.sum(open_).filter(age >= low, *([age <= high] if high is not None else [])), 0).label(
                name
            )
            for name, low, high in AR_AGES
        ]
        query = (
            select(*buckets, func.count(func.distinct(a.id)).label("accounts"))
            .select_from(visits.join(accounts, v.account_id == a.id))
            .where(*self.mine_in(principal.tenant_id, principal.practice_ids), open_ > 0, v.version > 0)
            .where(*([a.practice_id == practice_id] if practice_id else []))
        )
        return (await self.session.execute(query)).one()

    async def save(self, *changed: PatientAccount) -> None:
        """Store the accounts, each with just the visits that changed since they were read: a patient's history is
        not written again for every word on one of her visits."""
        stored = {account.id: _rows(account) for account in changed}
        read = {account: self._read.get(account, ({}, {})) for account in stored}
        rows = [row for account, (row, _) in stored.items() if row != read[account][0]]
        await update_many(self.session, accounts, "id", rows)
        visit_rows = [
            row
            for account, (_, rows) in stored.items()
            for key, row in rows.items()
            if row != read[account][1].get(key)
        ]
        await insert_many(self.session, visits, visit_rows, on_conflict=_visits_kept)
        self._read |= stored

    async def add_payment(
        self, account: PatientAccount, payment: Payment, unapplied: Decimal, by: str, processor_ref: str | None = None
    ) -> None:
        row = {
            "id": payment.payment_id,
            "tenant_id": account.tenant_id,
            "account_id": account.id,
            "amount": payment.amount,
            "method": payment.method,
            "received_on": payment.received_on,
            "encounter_id": payment.encounter_id,
            "unapplied": unapplied,
            "recorded_by": by,
            "processor_ref": processor_ref,
        }
        await self.session.execute(insert(payments).values(row))

    async def add_applications(self, account: PatientAccount, payment_id: UUID, parts: Iterable[Any]) -> None:
        rows = [
            {
                "payment_id": payment_id,
                "encounter_id": p.encounter_id,
                "tenant_id": account.tenant_id,
                "amount": p.amount,
            }
            for p in parts
        ]
        if rows:
            await self.session.execute(insert(applications).values(rows))

    async def add_adjustment(self, account: PatientAccount, adjustment: Adjustment) -> None:
        row = {
            "id": adjustment.adjustment_id,
            "tenant_id": account.tenant_id,
            "account_id": account.id,
            "encounter_id": adjustment.encounter_id,
            "kind": adjustment.kind,
            "amount": adjustment.amount,
            "reason": adjustment.reason,
            "approved_by": adjustment.approved_by,
        }
        await self.session.execute(insert(adjustments).values(row))

    async def payments_of(self, account: PatientAccount) -> Sequence[Any]:
        query = select(payments).where(self.mine(account.tenant_id, payments), payments.c.account_id == account.id)
        return (await self.session.execute(query.order_by(payments.c.created_at, payments.c.id))).all()

    async def _loaded(self, tenant_id: UUID, where: list[Any], *, lock: bool) -> dict[UUID, PatientAccount]:
        """The tenant's accounts `where` picks, with their visits, by id; locked in id order (the order a statement
        run takes them in) if `lock`. What was read is kept, so that `save` writes only what changed."""
        query = select(accounts).where(self.mine(tenant_id), *where).order_by(a.id)
        found = {
            row.id: _account(row) for row in await self.session.execute(query.with_for_update() if lock else query)
        }
        if not found:
            return {}
        their_visits = select(visits).where(self.mine(tenant_id, visits), one_of(v.account_id, found))
        for r in await self.session.execute(their_visits):
            visit = Visit(r.encounter_id, _word(r), r.paid, r.adjusted, r.first_statement_on, r.hers_since)
            found[r.account_id].visits[r.encounter_id] = visit
        self._read |= {account.id: _rows(account) for account in found.values()}
        return found


def _account(row: Any) -> PatientAccount:
    account = PatientAccount(row.id, row.tenant_id, row.practice_id, row.patient_ref, unapplied=row.unapplied)
    account.awaiting_decision_since, account.last_statement_on = row.awaiting_decision_since, row.last_statement_on
    account.credit_since, account.movements = row.credit_since, row.movements
    return account


def _rows(account: PatientAccount) -> tuple[dict[str, Any], dict[UUID, dict[str, Any]]]:
    """The account's row and its visits' rows, as `save` writes them."""
    row = {
        "id": account.id,
        "unapplied": account.unapplied,
        "awaiting_decision_since": account.awaiting_decision_since,
        "last_statement_on": account.last_statement_on,
        "credit_since": account.credit_since,
        "movements": account.movements,
    }
    return row, {key: _visit_row(account, visit) for key, visit in account.visits.items()}


def _visits_kept(statement: Insert, columns: tuple[str, ...]) -> Insert:
    """A stored visit takes the new values, but stays on the account it was first billed to: never taken over by
    another (owner_of_visit)."""
    kept = {name: statement.excluded[name] for name in columns if name not in _KEYS}
    same = v.account_id == statement.excluded.account_id
    return statement.on_conflict_do_update(index_elements=[v.encounter_id], set_=kept, where=same)


def _visit_row(account: PatientAccount, visit: Visit) -> dict[str, Any]:
    word = visit.word or InsuranceWord(date.min, 0, ZERO)
    return {
        "encounter_id": visit.encounter_id,
        "tenant_id": account.tenant_id,
        "account_id": account.id,
        "service_date": visit.service_date,
        "share": word.share,
        "version": word.version,
        "insurance_open": word.insurance_open,
        "charged": word.charged,
        "insurance_paid": word.insurance_paid,
        "insurance_adjusted": word.adjusted,
        "reasons": [[group, reason, str(amount)] for group, reason, amount in word.reasons],
        "paid": visit.paid,
        "adjusted": visit.adjusted,
        "first_statement_on": visit.first_statement_on,
        "hers_since": visit.hers_since,
    }


def _word(r: Any) -> InsuranceWord | None:
    """What the insurance said of the visit, as stored; None when it has said nothing yet (version 0)."""
    if r.version == 0:
        return None
    reasons = tuple((group, reason, Decimal(amount)) for group, reason, amount in r.reasons)
    return InsuranceWord(
        r.service_date, r.version, r.share, r.insurance_open, r.charged, r.insurance_paid, r.insurance_adjusted, reasons
    )
