"""All of remittance posting's SQL. Reads for the API are scoped to the caller's tenant and the practices its
token allows, here once (`_scoped`)."""

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.db import UnitOfWork
from claimstream_platform.paging import in_scope, keyset_page
from sqlalchemy import ARRAY, Select, String, Table, cast, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Row

from remittance_posting.domain import KnownClaim, KnownLine, PaymentState
from remittance_posting.tables import claim_payments, era_files, known_claims, provider_adjustments, remittances


async def remember_claims(uow: UnitOfWork, rows: Sequence[dict[str, Any]]) -> None:
    """Claims as claim submission announced them; a redelivered announcement changes nothing."""
    if rows:
        await uow.session.execute(pg_insert(known_claims).values(list(rows)).on_conflict_do_nothing())


async def set_payer_claim_number(uow: UnitOfWork, claim_id: UUID, number: str) -> None:
    await set_payer_claim_numbers(uow, {claim_id: number})


async def set_payer_claim_numbers(uow: UnitOfWork, numbers: dict[UUID, str]) -> None:
    """Each claim's latest payer claim number, in one statement for any number of claims."""
    if not numbers:
        return
    given = select(
        func.unnest(cast(list(numbers), ARRAY(PgUUID(as_uuid=True)))).label("claim_id"),
        func.unnest(cast(list(numbers.values()), ARRAY(String))).label("number"),
    ).subquery()
    await uow.session.execute(
        update(known_claims)
        .where(known_claims.c.claim_id == given.c.claim_id)
        .values(payer_claim_number=given.c.number)
    )


def _known(row: Row[Any]) -> KnownClaim:
    lines = tuple(
        KnownLine(
            line["line_number"],
            line["code"],
            tuple(line["modifiers"]),
            Decimal(str(line["amount"])),
            line["control_number"],
        )  # fmt: skip
        for line in row.lines
    )
    return KnownClaim(row.claim_id, row.tenant_id, row.practice_id, row.patient_control_number, row.payer_id,
                      row.payer_claim_number, lines, row.service_date, row.responsibility)  # fmt: skip


async def claims_for(
    uow: UnitOfWork, control_numbers: Iterable[str], payer_numbers: Iterable[str], tenant_id: UUID | None
) -> tuple[dict[str, KnownClaim], dict[str, KnownClaim]]:
    """Known claims by patient control number and by payer claim number (of one tenant, when given)."""
    query = select(known_claims).where(
        or_(
            known_claims.c.patient_control_number.in_(list(set(control_numbers))),
            known_claims.c.payer_claim_number.in_([n for n in set(payer_numbers) if n]),
        )
    )
    if tenant_id is not None:
        query = query.where(known_claims.c.tenant_id == tenant_id)
    found = [_known(row) for row in await uow.session.execute(query)]
    by_number = {c.payer_claim_number: c for c in found if c.payer_claim_number}
    return {c.patient_control_number: c for c in found}, by_number


async def known_claim(uow: UnitOfWork, tenant_id: UUID, claim_id: UUID) -> KnownClaim | None:
    query = select(known_claims).where(known_claims.c.claim_id == claim_id, known_claims.c.tenant_id == tenant_id)
    row = (await uow.session.execute(query)).one_or_none()
    return _known(row) if row is not None else None


async def file_by_hash(uow: UnitOfWork, sha256: str) -> Row[Any] | None:
    return (await uow.session.execute(select(era_files).where(era_files.c.sha256 == sha256))).one_or_none()


async def store_file(uow: UnitOfWork, row: dict[str, Any]) -> bool:
    """The file, once per content hash; False when the same bytes were stored before (by anyone)."""
    stored = await uow.session.scalar(
        pg_insert(era_files).values(**row).on_conflict_do_nothing(index_elements=["sha256"]).returning(era_files.c.id)
    )
    return stored is not None


async def trace_posted(uow: UnitOfWork, originator: str, trace_number: str, payer_id: str) -> bool:
    """The payer's trace (TRN02 with TRN03) was posted before, in any file."""
    query = select(remittances.c.id).where(
        remittances.c.trace_originator == originator, remittances.c.trace_number == trace_number,
        remittances.c.payer_id == payer_id, remittances.c.status == "posted",
    )  # fmt: skip
    return (await uow.session.scalar(query.limit(1))) is not None


async def insert_rows(uow: UnitOfWork, table: str, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await uow.session.execute(insert(_TABLES[table]), list(rows))


_TABLES: dict[str, Table] = {
    "remittances": remittances, "claim_payments": claim_payments, "provider_adjustments": provider_adjustments,
}  # fmt: skip


async def reverse_earlier(uow: UnitOfWork, claim_ids: Iterable[UUID]) -> None:
    """The claims' earlier postings are taken back by a reversal."""
    ids = list(set(claim_ids))
    if ids:
        await uow.session.execute(
            update(claim_payments)
            .where(claim_payments.c.claim_id.in_(ids), claim_payments.c.state == PaymentState.POSTED)
            .where(claim_payments.c.claim_status != "22")
            .values(state=PaymentState.REVERSED)
        )


async def unmatched_with(uow: UnitOfWork, control_numbers: Iterable[str]) -> list[Row[Any]]:
    """Unmatched claim payments with these CLP01s, locked: a claim announced later may now match them."""
    query = select(claim_payments).where(
        claim_payments.c.state == PaymentState.UNMATCHED,
        claim_payments.c.patient_control_number.in_(list(set(control_numbers))),
    )
    return list((await uow.session.execute(query.with_for_update(skip_locked=True))).all())


async def unmatched_payment(uow: UnitOfWork, principal: Principal, payment_id: UUID) -> Row[Any] | None:
    """One exception the principal may work: its tenant's, or (operators) one no tenant is known for."""
    query = select(claim_payments).where(claim_payments.c.id == payment_id, claim_payments.c.state == "unmatched")
    row = (await uow.session.execute(query.with_for_update())).one_or_none()
    if row is None or not may_see(principal, row.tenant_id, row.practice_id):
        return None
    return row


async def mark_matched(uow: UnitOfWork, payment_id: UUID, claim: KnownClaim, matched_by: str) -> None:
    await uow.session.execute(
        update(claim_payments)
        .where(claim_payments.c.id == payment_id)
        .values(state=PaymentState.POSTED, claim_id=claim.claim_id, tenant_id=claim.tenant_id,
                practice_id=claim.practice_id, matched_by=matched_by, reason=None)
    )  # fmt: skip


async def remittance_of(uow: UnitOfWork, remittance_id: UUID) -> Row[Any]:
    return (await uow.session.execute(select(remittances).where(remittances.c.id == remittance_id))).one()


def may_see(principal: Principal, tenant_id: UUID | None, practice_id: UUID | None) -> bool:
    if tenant_id is None:
        return "operator" in principal.roles
    if tenant_id != principal.tenant_id:
        return False
    # a remittance of several practices is visible only to a token for all of the tenant's practices
    return principal.practice_ids is None if practice_id is None else principal.may_access(practice_id)


def _scoped(query: Select[Any], table: Table, principal: Principal, practice_id: UUID | None) -> Select[Any]:
    return in_scope(query.where(table.c.tenant_id == principal.tenant_id), table.c.practice_id, principal, practice_id)


async def remittance_in_scope(uow: UnitOfWork, principal: Principal, remittance_id: UUID) -> Row[Any] | None:
    row = (await uow.session.execute(select(remittances).where(remittances.c.id == remittance_id))).one_or_none()
    return row if row is not None and may_see(principal, row.tenant_id, row.practice_id) else None


async def payments_of(uow: UnitOfWork, remittance_id: UUID) -> list[Row[Any]]:
    query = select(claim_payments).where(claim_payments.c.remittance_id == remittance_id)
    return list((await uow.session.execute(query.order_by(claim_payments.c.created_at, claim_payments.c.id))).all())


async def remittances_page(
    uow: UnitOfWork, principal: Principal, *, practice_id: UUID | None, payer_id: str | None,
    received_from: Any, received_to: Any, limit: int, cursor: UUID | None,
) -> tuple[list[Row[Any]], UUID | None]:  # fmt: skip
    query = _scoped(select(remittances), remittances, principal, practice_id)
    if payer_id is not None:
        query = query.where(remittances.c.payer_id == payer_id)
    if received_from is not None:
        query = query.where(remittances.c.created_at >= received_from)
    if received_to is not None:
        query = query.where(remittances.c.created_at < received_to)
    page, next_cursor = await keyset_page(uow.session, query, remittances.c.id, limit=limit, cursor=cursor)
    return list(page), next_cursor


async def exceptions_page(uow: UnitOfWork, principal: Principal, limit: int) -> list[Row[Any]]:
    """Unmatched claim payments of the tenant; operators also see those no tenant is known for."""
    mine = claim_payments.c.tenant_id == principal.tenant_id
    whose = or_(mine, claim_payments.c.tenant_id.is_(None)) if "operator" in principal.roles else mine
    query = select(claim_payments).where(whose, claim_payments.c.state == PaymentState.UNMATCHED)
    rows = (await uow.session.execute(query.order_by(claim_payments.c.created_at).limit(limit))).all()
    return [row for row in rows if row.tenant_id is None or may_see(principal, row.tenant_id, row.practice_id)]


async def postings_of(uow: UnitOfWork, principal: Principal, claim_id: UUID) -> list[Row[Any]]:
    query = _scoped(select(claim_payments), claim_payments, principal, None).where(
        claim_payments.c.claim_id == claim_id
    )
    return list((await uow.session.execute(query.order_by(claim_payments.c.created_at))).all())


async def ledger_page(uow: UnitOfWork, principal: Principal, practice_id: UUID | None, limit: int) -> list[Row[Any]]:
    query = _scoped(select(provider_adjustments), provider_adjustments, principal, practice_id)
    return list((await uow.session.execute(query.order_by(provider_adjustments.c.id.desc()).limit(limit))).all())
