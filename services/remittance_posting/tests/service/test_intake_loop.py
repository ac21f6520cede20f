"""The inbox loop on real PostgreSQL: each 835 stored and posted before it is acknowledged; an unreadable one is
kept with its reason and acknowledged, and the files behind it are posted."""

from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any

import pytest
from claimstream_devtools.schemas_under_test import schema_roles
from claimstream_platform.context import ACROSS_TENANTS, acting_as
from claimstream_platform.db import SessionFactory, UnitOfWork
from claimstream_platform.engines import create_engine, sessions
from remittance_posting.gateway import Document
from remittance_posting.intake_loop import IntakeLoop
from remittance_testkit import Payment, claim_created, era
from sqlalchemy import text
from test_remittance_api import accept, announce


@pytest.fixture
async def across(schema: str) -> AsyncIterator[SessionFactory]:
    """The loop's sessions as the worker opens them: the across-tenants role's (`kit.Runtime.across_tenants`)."""
    roles = schema_roles(schema)
    assert roles is not None
    engine = create_engine(roles.across_url, schema=schema, connections=4)
    yield sessions(engine)
    await engine.dispose()


async def one_pass(loop: IntakeLoop) -> None:
    with acting_as(ACROSS_TENANTS):  # as `PeriodicLoop.run` runs each pass
        await loop.run_once()


class ListedInbox:
    """A clearinghouse inbox holding the given documents (the loop's far side, in memory)."""

    def __init__(self, *documents: Document) -> None:
        self.waiting = list(documents)
        self.acknowledged: list[int] = []

    async def remittances(self) -> list[Document]:
        return [d for d in self.waiting if d.id not in self.acknowledged]

    async def done(self, document_id: int) -> None:
        self.acknowledged.append(document_id)


async def test_a_bad_file_is_kept_with_its_reason_and_the_next_is_posted(
    make_uow: Callable[[], UnitOfWork], across: SessionFactory
) -> None:
    created = claim_created("CS0000000201")
    await announce(make_uow, created)
    inbox = ListedInbox(Document(1, "this is not X12"), Document(2, era(Payment("CS0000000201"))))
    loop = IntakeLoop(across, inbox, interval=1)
    await one_pass(loop)
    await one_pass(loop)  # nothing left: acknowledged documents are not taken again
    assert inbox.acknowledged == [1, 2]
    async with make_uow() as uow:
        files = (await uow.session.execute(text("SELECT source, status, reason FROM era_files ORDER BY source"))).all()
        posted = await uow.session.scalar(text("SELECT count(*) FROM claim_payments WHERE state = 'posted'"))
    assert [(f.source, f.status) for f in files] == [("inbox:1", "rejected"), ("inbox:2", "read")]
    assert "segment 1 (ISA)" in files[0].reason
    assert posted == 1


async def test_one_file_with_several_payers_835s_and_a_plb_only_one_posts_each_to_its_owner(
    make_uow: Callable[[], UnitOfWork], across: SessionFactory
) -> None:
    """A clearinghouse's bundle: two payers' interchanges in one file, the second paying only interest (PLB L6)
    on a claim of the first; the interest 835 has no claims, and still finds its tenant through that claim."""
    from remittance_testkit import TENANT

    created = claim_created("CS0000000202")
    await announce(make_uow, created)
    await accept(make_uow, created, "SIMCOM0202")
    interest_only = era(trace="INT0202", plb=(("L6", "SIMCOM0202", Decimal("-2.40")),), control="000000778")
    bundle = era(Payment("CS0000000202", payer_claim_number="SIMCOM0202"), trace="PAY0202") + interest_only
    inbox = ListedInbox(Document(3, bundle))
    await one_pass(IntakeLoop(across, inbox, interval=1))
    assert inbox.acknowledged == [3]
    remittances, ledger, received = await _stored_bundle(make_uow)
    assert [(r.trace_number, r.tenant_id, r.claims, r.status) for r in remittances] == [
        ("INT0202", TENANT, 0, "posted"),
        ("PAY0202", TENANT, 1, "posted"),
    ]
    assert remittances[0].total == Decimal("2.40")
    assert [(e.reason, e.amount, e.claim_id, e.tenant_id) for e in ledger] == [
        ("L6", Decimal("-2.40"), created.claim_id, TENANT)
    ]
    assert received == 1


async def test_a_file_larger_than_an_upload_may_be_is_rejected_unread_and_the_next_is_posted(
    make_uow: Callable[[], UnitOfWork], across: SessionFactory
) -> None:
    """Read whole, a 50 MB 835 took the worker past half a GiB: it is refused as an upload that large is, with its
    hash, and not stored (nobody read it)."""
    from remittance_posting.era import MAX_FILE_BYTES

    created = claim_created("CS0000000203")
    await announce(make_uow, created)
    good = era(Payment("CS0000000203"), trace="PAY0203")
    oversized = good + "\n" * (MAX_FILE_BYTES - len(good) + 1)  # readable, but one byte past the cap
    inbox = ListedInbox(Document(4, oversized), Document(5, good))
    await one_pass(IntakeLoop(across, inbox, interval=1))
    assert inbox.acknowledged == [4, 5]
    query = (
        "SELECT source, status, reason, length(content) AS kept FROM era_files WHERE source IN ('inbox:4', 'inbox:5')"
    )
    async with make_uow() as uow:
        files = (await uow.session.execute(text(f"{query} ORDER BY source"))).all()
    assert [(f.source, f.status, f.kept) for f in files] == [("inbox:4", "rejected", 0), ("inbox:5", "read", len(good))]
    assert files[0].reason == f"larger than {MAX_FILE_BYTES} bytes: not read"


_REMITTANCES = (
    "SELECT trace_number, tenant_id, claims, total, status FROM remittances WHERE trace_number IN "
    "('PAY0202', 'INT0202') ORDER BY trace_number"
)
_LEDGER = "SELECT reason, amount, claim_id, tenant_id FROM provider_adjustments WHERE reference = 'SIMCOM0202'"
_RECEIVED = (
    "SELECT count(*) FROM outbox WHERE event_type = 'claimstream.remittance.received.v1' "
    "AND convert_from(payload, 'UTF8')::jsonb ->> 'trace_number' = 'INT0202'"
)


async def _stored_bundle(make_uow: Callable[[], UnitOfWork]) -> tuple[list[Any], list[Any], Any]:
    """The bundle's remittances, its PLB on the ledger, and how many interest 835s were announced."""
    async with make_uow() as uow:
        remittances = (await uow.session.execute(text(_REMITTANCES))).all()
        ledger = (await uow.session.execute(text(_LEDGER))).all()
        received = await uow.session.scalar(text(_RECEIVED))
    return list(remittances), list(ledger), received
