"""The authorizations payers approved, as a service that bills or corrects claims keeps them.

Prior authorization owns authorizations; claim submission (a claim carries the number, REF*G1) and denial
management (an authorization denial is corrected with it) each keep what they need of its `AuthorizationApproved`
in their own schema. The table, the mapping from the event and the queries are the same for both, so they are
written once, here; each service reaches the repository from its unit of work and creates the table in its own
migrations (`create_table`).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy import Column, Date, Index, MetaData, String, Table
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.engine import Connection

from claimstream_platform.contracts.prior_authorization import AuthorizationApproved
from claimstream_platform.db import Repository
from claimstream_platform.many_rows import rows_in

PatientKey = tuple[UUID, UUID, str, str]  # tenant, practice, the patient's external id, payer

approvals_metadata = MetaData()
authorizations = Table(
    "authorizations",
    approvals_metadata,
    Column("tenant_id", PgUUID(as_uuid=True), primary_key=True),
    Column("authorization_id", PgUUID(as_uuid=True), primary_key=True),
    Column("practice_id", PgUUID(as_uuid=True), nullable=False),
    Column("patient_ref", String(80), nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("number", String(50), nullable=False),
    Column("codes", JSONB, nullable=False),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=False),
    Column("provider_npi", String(10), nullable=False, server_default=""),  # who it was asked for
    Index("ix_authorizations_patient", "tenant_id", "practice_id", "patient_ref", "payer_id"),
)


@dataclass(frozen=True)
class Approval:
    """One approved authorization: its number, the codes it covers, its dates and the clinician it names."""

    number: str
    codes: frozenset[str]
    start: date
    end: date
    provider_npi: str

    def covers(self, codes: Iterable[str], day: date) -> bool:
        return self.start <= day <= self.end and not self.codes.isdisjoint(codes)


def approval_of(event: AuthorizationApproved) -> Approval:
    return Approval(event.authorization_number, frozenset(event.codes), event.start, event.end, event.provider_npi)


class Approvals(Repository):
    table = authorizations

    async def record(self, event: AuthorizationApproved) -> None:
        """Once per authorization (a redelivered approval changes nothing); one with no practice is nobody's."""
        if event.practice_id is None:
            return
        row = {
            "tenant_id": event.tenant_id,
            "authorization_id": event.authorization_id,
            "practice_id": event.practice_id,
            "patient_ref": event.patient_ref[:80],
            "payer_id": event.payer_id[:80],
            "number": event.authorization_number[:50],
            "codes": event.codes[:50],
            "start": event.start,
            "end": event.end,
            "provider_npi": event.provider_npi[:10],
        }
        await self.session.execute(insert(authorizations).values(row).on_conflict_do_nothing())

    async def of_patients(self, keys: Iterable[PatientKey]) -> dict[PatientKey, list[Approval]]:
        """Each patient's approvals with a payer, soonest ending first."""
        wanted = list(set(keys))
        if not wanted:
            return {}
        a = authorizations.c
        patient = (a.tenant_id, a.practice_id, a.patient_ref, a.payer_id)
        found: dict[PatientKey, list[Approval]] = defaultdict(list)
        for r in await self.session.execute(self.table.select().where(rows_in(patient, wanted)).order_by(a.end)):
            approval = Approval(r.number, frozenset(r.codes), r.start, r.end, r.provider_npi)
            found[(r.tenant_id, r.practice_id, r.patient_ref, r.payer_id)].append(approval)
        return found

    async def covering(self, key: PatientKey, codes: Iterable[str], day: date) -> str | None:
        """The number of the patient's soonest-ending approval with the payer that covers one of `codes` on `day`."""
        wanted = set(codes)
        found = (await self.of_patients([key])).get(key, [])
        return next((approval.number for approval in found if approval.covers(wanted, day)), None)


def create_table(connection: Connection) -> None:
    """For a service's migration: the table, in its schema."""
    approvals_metadata.create_all(connection, checkfirst=True)
