"""Posting's own records: the 835 files, their remittances and claim payments (rows built here from the posting's
model, with the columns' widths), the provider ledger's PLB entries, and the exceptions queue (`uow.posting`).
Posting begins before a tenant is known (a clearinghouse 835 names none: its claims tell), so these statements
find rows by file, trace and claim; who may work an exception is `reads.may_see` (a tenant), or an installation
operator through the method that says it crosses tenants."""

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.auth import Principal
from claimstream_platform.db import Repository
from claimstream_platform.locks import hold_names
from claimstream_platform.many_rows import insert_many, one_of
from sqlalchemy import ColumnElement, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Row

from remittance_posting.domain import PaymentState, allowed
from remittance_posting.known import KnownClaim
from remittance_posting.model import LedgerEntry, StoredPayment, StoredRemittance, payment_to_json
from remittance_posting.repository import reads
from remittance_posting.tables import claim_payments, era_files, provider_adjustments, remittances

Trace = tuple[str, str, str]  # TRN03, TRN02 and the payer, as stored


class Postings(Repository):
    table = remittances

    async def file_by_hash(self, tenant_id: UUID | None, sha256: str) -> Row[Any] | None:
        """The file with these bytes that this uploader (None: the clearinghouse inbox) stored before."""
        query = select(era_files).where(era_files.c.tenant_id.is_not_distinct_from(tenant_id))
        return (await self.session.execute(query.where(era_files.c.sha256 == sha256))).one_or_none()

    async def store_file(
        self,
        file_id: UUID,
        tenant_id: UUID | None,
        source: str,
        sha256: str,
        content: str,
        *,
        rejected: str | None = None,
    ) -> bool:
        """The file, once per uploader and content hash; False when the same uploader (or the inbox) stored the same
        bytes before. Another tenant's copy never counts. A rejected file is kept with its reason, for operators."""
        row = {
            "id": file_id,
            "tenant_id": tenant_id,
            "source": source,
            "sha256": sha256,
            "content": content,
            "status": "rejected" if rejected else "read",
            "reason": rejected[:300] if rejected else None,
        }
        statement = pg_insert(era_files).values(**row).on_conflict_do_nothing(index_elements=["tenant_id", "sha256"])
        return (await self.session.scalar(statement.returning(era_files.c.id))) is not None

    async def hold(self, *, traces: Iterable[tuple[str, Trace]] = (), control_numbers: Iterable[str] = ()) -> None:
        """Until this transaction ends, it alone posts these payer traces (each with its payee) and matches or
        announces the claims with these CLM01s; the locks are taken at once, in one order. Two copies of a trace in
        two files, checked at once, would each miss the other and both post; a claim payment received while its
        claim is announced (claim submission's `ClaimCreated`, on another partition) would miss the claim and wait,
        while the announcement missed the waiting payment: in the exceptions queue for good. The later waits here
        for the earlier to commit, then sees it."""
        names = {":".join(("remittance-posting:trace", payee, *trace)) for payee, trace in traces}
        names |= {f"remittance-posting:claim:{number}" for number in control_numbers if number}
        await hold_names(self.uow, names)

    async def trace_posted(self, tenant_id: UUID | None, payee_npi: str, trace: Trace) -> bool:
        """The payer's trace (TRN03 originator, TRN02 number, and the payer) was posted before to the same payee,
        in any file, by this tenant or by the clearinghouse inbox with no tenant known then (its claims may have been
        announced since). Another tenant's remittance with these numbers never makes this one a duplicate: only the
        inbox writes remittances without a tenant, so no tenant can plant one."""
        originator, trace_number, payer_id = trace
        whose = remittances.c.tenant_id.is_(None)
        query = select(remittances.c.id).where(
            whose if tenant_id is None else or_(whose, remittances.c.tenant_id == tenant_id),
            remittances.c.payee_npi == payee_npi,
            remittances.c.trace_originator == originator,
            remittances.c.trace_number == trace_number,
            remittances.c.payer_id == payer_id,
            remittances.c.status == "posted",
        )
        return (await self.session.scalar(query.limit(1))) is not None

    async def add_remittance(self, file_id: UUID, stored: StoredRemittance) -> UUID:
        """One 835 transaction set as received: posted, held (with its imbalances) or a duplicate."""
        r, (tenant_id, practice_id) = stored.remittance, stored.owner
        remittance_id = uuid4()
        row = {
            "id": remittance_id,
            "file_id": file_id,
            "tenant_id": tenant_id,
            "practice_id": practice_id,
            "control_number": r.control_number[:9],
            "payer_id": stored.payer_id[:80],
            "payer_name": r.payer_name[:100],
            "trace_number": r.trace_number[:80],
            "trace_originator": r.trace_originator[:20],
            "payee_npi": r.payee_npi[:10],
            "total": r.total,
            "credit": r.credit,
            "method": r.method[:3],
            "paid_on": r.paid_on,
            "status": str(stored.status),
            "imbalances": stored.imbalances,
            "claims": len(r.claims),
        }
        await self.session.execute(insert(remittances), [row])
        return remittance_id

    async def add_claim_payments(self, remittance_id: UUID, payments: Sequence[StoredPayment]) -> None:
        """The remittance's claim payments: posted to their claims, or unmatched with the reason."""
        await insert_many(self.session, claim_payments, [_payment_row(remittance_id, p) for p in payments])

    async def add_provider_adjustments(self, entries: Sequence[LedgerEntry]) -> None:
        await insert_many(self.session, provider_adjustments, [_ledger_row(entry) for entry in entries])

    async def reverse_posting(self, claim_id: UUID, payer_id: str, payer_claim_number: str) -> None:
        """A reversal takes back the one posting it names: the claim's latest payment posted from the same payer, with
        the same payer claim number when the reversal gives one. Another payer's payment of the claim stands."""
        query = (
            select(claim_payments.c.id)
            .join(remittances, remittances.c.id == claim_payments.c.remittance_id)
            .where(claim_payments.c.claim_id == claim_id, claim_payments.c.state == PaymentState.POSTED)
            .where(claim_payments.c.claim_status != "22", remittances.c.payer_id == payer_id)
        )
        if payer_claim_number:
            query = query.where(claim_payments.c.payer_claim_number == payer_claim_number)
        latest = query.order_by(claim_payments.c.created_at.desc(), claim_payments.c.id.desc()).limit(1)
        await self.session.execute(
            update(claim_payments)
            .where(claim_payments.c.id.in_(latest.scalar_subquery()))
            .values(state=PaymentState.REVERSED)
        )

    async def unmatched_with(self, control_numbers: Iterable[str]) -> list[Row[Any]]:
        """Unmatched claim payments with these CLP01s, locked: a claim announced later may now match them."""
        query = select(claim_payments).where(
            claim_payments.c.state == PaymentState.UNMATCHED,
            one_of(claim_payments.c.patient_control_number, set(control_numbers)),
        )
        return list((await self.session.execute(query.with_for_update(skip_locked=True))).all())

    async def unmatched_payment(self, principal: Principal, payment_id: UUID) -> Row[Any] | None:
        """One exception the principal may work, locked: its tenant's, of a practice its token allows."""
        row = await self._unmatched(payment_id, self.mine(principal.tenant_id, claim_payments))
        return row if row is not None and reads.may_see(principal, row.tenant_id, row.practice_id) else None

    async def unmatched_payment_across_tenants(self, payment_id: UUID) -> Row[Any] | None:
        """One exception, locked: any tenant's or one no tenant is known for (an installation operator's)."""
        return await self._unmatched(payment_id)

    async def _unmatched(self, payment_id: UUID, *whose: ColumnElement[bool]) -> Row[Any] | None:
        query = select(claim_payments).where(
            claim_payments.c.id == payment_id, claim_payments.c.state == PaymentState.UNMATCHED, *whose
        )
        return (await self.session.execute(query.with_for_update())).one_or_none()

    async def mark_matched(self, payment_id: UUID, claim: KnownClaim, matched_by: str, posting: dict[str, Any]) -> None:
        await self.session.execute(
            update(claim_payments)
            .where(claim_payments.c.id == payment_id)
            .values(
                state=PaymentState.POSTED,
                claim_id=claim.claim_id,
                tenant_id=claim.tenant_id,
                practice_id=claim.practice_id,
                matched_by=matched_by,
                reason=None,
                posting=posting,
            )
        )

    async def remittance_of(self, remittance_id: UUID) -> Row[Any]:
        return (await self.session.execute(select(remittances).where(remittances.c.id == remittance_id))).one()


def _payment_row(remittance_id: UUID, stored: StoredPayment) -> dict[str, Any]:
    payment, claim = stored.payment, stored.claim
    return {
        "id": uuid4(),
        "remittance_id": remittance_id,
        "tenant_id": claim.tenant_id if claim else stored.owner[0],
        "practice_id": claim.practice_id if claim else stored.owner[1],
        "claim_id": claim.claim_id if claim else None,
        "patient_control_number": payment.patient_control_number[:38],
        "payer_claim_number": payment.payer_claim_number[:50] or None,
        "claim_status": payment.status[:2],
        "outcome": stored.outcome,
        "charge": payment.charge,
        "paid": payment.paid,
        "patient_responsibility": payment.patient_responsibility,
        "allowed": allowed(payment),
        "state": str(PaymentState.POSTED if claim else PaymentState.UNMATCHED),
        "reason": stored.reason,
        "matched_by": stored.matched_by,
        "detail": payment_to_json(payment),
        "posting": stored.posting,
    }


def _ledger_row(entry: LedgerEntry) -> dict[str, Any]:
    adjustment = entry.adjustment
    return {
        "remittance_id": entry.remittance_id,
        "tenant_id": entry.tenant_id,
        "practice_id": entry.practice_id,
        "payee_npi": adjustment.provider_id[:80],
        "reason": adjustment.reason[:10],
        "reference": adjustment.reference[:80],
        "amount": adjustment.amount,
        "claim_id": entry.claim_id,
    }
