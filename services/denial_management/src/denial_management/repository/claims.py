"""The claims denials concern (`uow.claims`), mapped from claim submission's and remittance posting's events. The
tenant filter is written once (`mine`); which approved authorization covers a claim is asked of `uow.approvals`."""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from claimstream_platform.db import Repository
from claimstream_platform.locks import hold_names
from claimstream_platform.many_rows import arrays, given, insert_many, one_of, skip_existing
from sqlalchemy import Date, and_, bindparam, func, select, update
from sqlalchemy.engine import Row

from denial_management.automatic import KnownClaim
from denial_management.tables import cases, claims

if TYPE_CHECKING:
    from denial_management.repository import DenialWork


def claim_lock(claim_id: UUID) -> str:
    """The name of a claim's lock (`Claims.hold`): named ahead for the consumer too (consumers.LOCKS)."""
    return f"denial-management:claim:{claim_id}"


class Claims(Repository):
    table = claims
    uow: "DenialWork"  # the unit it belongs to: its approvals say what covers a claim

    async def hold(self, claim_ids: Iterable[UUID]) -> None:
        """Until this transaction ends, it alone applies events about these claims. A claim's payments and denials
        come on another topic than the claim: applied beside its arrival, one would miss the claim and the arrival
        the event kept for it (`uow.early_events`). The later waits here for the earlier to commit, then sees it."""
        await hold_names(self.uow, map(claim_lock, claim_ids))

    async def remember(self, rows: Sequence[dict[str, Any]]) -> None:
        """A redelivered announcement changes nothing."""
        await insert_many(self.session, claims, rows, on_conflict=skip_existing)

    async def accepted(self, numbers: Mapping[UUID, str | None], on: date) -> None:
        """The claims' first acceptance date; each one's number unless a payment named the claim already (the 835 is
        the payer's later word: arriving first, it is not overwritten by the 277CA's). One statement for a run."""
        if numbers:
            rows = [{"claim_id": claim, "payer_claim_number": number or None} for claim, number in numbers.items()]
            await self.session.execute(_ACCEPTED, arrays(rows) | {"on": on})

    async def arrived(self, tenant_id: UUID, claim_ids: Iterable[UUID]) -> set[UUID]:
        """Of these claims, those that have arrived."""
        wanted = list(set(claim_ids))
        if not wanted:
            return set()
        query = select(claims.c.claim_id).where(self.mine(tenant_id), one_of(claims.c.claim_id, wanted))
        return set(await self.session.scalars(query))

    async def add_payments(self, payments: Sequence[dict[str, Any]]) -> None:
        """Each payment's amount added to its claim's, and the payer's claim number set where the payment gives one
        (of two payments of one claim, the later's); one statement for a run."""
        by_claim: dict[UUID, dict[str, Any]] = {}
        for payment in payments:
            before = by_claim.get(payment["claim_id"])
            if before is not None:
                number = payment["payer_claim_number"] or before["payer_claim_number"]
                payment = {**payment, "paid": before["paid"] + payment["paid"], "payer_claim_number": number}
            by_claim[payment["claim_id"]] = payment
        if by_claim:
            await self.session.execute(_PAID, arrays(list(by_claim.values())))

    async def row_of(self, tenant_id: UUID, claim_id: UUID) -> Row[Any] | None:
        return (await self.rows_of(tenant_id, [claim_id])).get(claim_id)

    async def rows_of(self, tenant_id: UUID, claim_ids: Iterable[UUID]) -> dict[UUID, Row[Any]]:
        """Those of these claims that have arrived, by id."""
        wanted = list(set(claim_ids))
        if not wanted:
            return {}
        query = select(claims).where(self.mine(tenant_id), one_of(claims.c.claim_id, wanted))
        return {row.claim_id: row for row in await self.session.execute(query)}

    async def known(self, row: Row[Any]) -> KnownClaim:
        """The claim (its row, `row_of`) as the automatic fixes see it: its place, lines, acceptance, whether another
        claim of its encounter was paid, and the causes we already fixed by machine on the claim it replaces."""
        others = select(func.count()).where(
            self.mine(row.tenant_id),
            claims.c.encounter_id == row.encounter_id,
            claims.c.claim_id != row.claim_id,
            claims.c.paid > 0,
        )
        fixed: set[str] = set()
        if row.replaces_claim_id is not None:
            query = select(cases.c.category).where(
                and_(cases.c.claim_id == row.replaces_claim_id, cases.c.automatic, cases.c.fix.is_not(None))
            )
            fixed = set(await self.session.scalars(query))
        return KnownClaim(
            claim_id=row.claim_id,
            place_of_service=row.place_of_service,
            lines={line["line_number"]: list(line["modifiers"]) for line in row.lines},
            accepted_on=row.accepted_on,
            original_paid=bool(await self.session.scalar(others)),
            corrected_by_us_for=frozenset(fixed),
            authorization_number=row.authorization_number,
            covering_authorization=await self._covering(row),
        )

    async def _covering(self, claim: Row[Any]) -> str | None:
        """The number of the patient's approved authorization with the claim's payer that covers one of its codes
        on its date of service (the soonest ending)."""
        if claim.patient_ref is None or claim.practice_id is None:
            return None
        patient = (claim.tenant_id, claim.practice_id, claim.patient_ref, claim.payer_id)
        codes = {line["code"] for line in claim.lines}
        return await self.uow.approvals.covering(patient, codes, claim.service_date)


_GIVEN = given(claims, ("claim_id", "payer_claim_number"))
_ACCEPTED = (
    update(claims)
    .where(claims.c.claim_id == _GIVEN.c.claim_id)
    .values(
        accepted_on=func.coalesce(claims.c.accepted_on, bindparam("on", type_=Date())),
        payer_claim_number=func.coalesce(claims.c.payer_claim_number, _GIVEN.c.payer_claim_number),
    )
)
_PAYMENTS = given(claims, ("claim_id", "paid", "payer_claim_number"))
_PAID = (
    update(claims)
    .where(claims.c.claim_id == _PAYMENTS.c.claim_id)
    .values(
        paid=claims.c.paid + _PAYMENTS.c.paid,
        payer_claim_number=func.coalesce(_PAYMENTS.c.payer_claim_number, claims.c.payer_claim_number),
    )
)
