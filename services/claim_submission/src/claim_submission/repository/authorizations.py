"""Approved authorizations as claim submission keeps them, per patient and payer; and the claims held for a
missing one."""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from claimstream_platform.db import UnitOfWork
from sqlalchemy import select, tuple_
from sqlalchemy.dialects.postgresql import insert

from claim_submission.domain.claim import Claim
from claim_submission.repository.claims import claim_of
from claim_submission.scrubbing.authorization_rule import MISSING, REQUIRED, Known
from claim_submission.scrubbing.coverage_rule import PlanKey
from claim_submission.tables import authorizations, claims

a = authorizations.c


async def record(uow: UnitOfWork, row: dict[str, Any]) -> None:
    """Once per authorization (a redelivered approval changes nothing)."""
    await uow.session.execute(insert(authorizations).values(row).on_conflict_do_nothing())


async def known(uow: UnitOfWork, keys: Iterable[PlanKey]) -> dict[PlanKey, list[Known]]:
    wanted = list(set(keys))
    if not wanted:
        return {}
    query = select(authorizations).where(tuple_(a.tenant_id, a.practice_id, a.patient_ref, a.payer_id).in_(wanted))
    found: dict[PlanKey, list[Known]] = defaultdict(list)
    for r in await uow.session.execute(query):
        found[(r.tenant_id, r.practice_id, r.patient_ref, r.payer_id)].append(
            Known(r.number, frozenset(r.codes), r.start, r.end, r.provider_npi)
        )
    return found


async def held_without(uow: UnitOfWork, key: PlanKey) -> list[Claim]:
    """The patient's claims to that payer held for a missing or required authorization, locked."""
    tenant_id, practice_id, patient_ref, payer_id = key
    query = select(claims).where(
        claims.c.tenant_id == tenant_id,
        claims.c.practice_id == practice_id,
        claims.c.payer_id == payer_id,
        claims.c.status == "held",
        claims.c.content["patient"]["external_id"].astext == patient_ref,
        claims.c.reasons.contains([{"rule": MISSING}]) | claims.c.reasons.contains([{"rule": REQUIRED}]),
    )
    rows = await uow.session.execute(query.order_by(claims.c.id).with_for_update())
    return [claim_of(row) for row in rows]
