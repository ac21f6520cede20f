"""The inbox loop on real PostgreSQL: each 835 stored and posted before it is acknowledged; an unreadable one is
kept with its reason and acknowledged, and the files behind it are posted."""

from collections.abc import Callable

from claimstream_platform.db import UnitOfWork
from remittance_posting.gateway import Document
from remittance_posting.intake_loop import IntakeLoop
from remittance_testkit import Payment, claim_created, era
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from test_remittance_api import announce


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
    make_uow: Callable[[], UnitOfWork], engine: AsyncEngine
) -> None:
    created = claim_created("CS0000000201")
    await announce(make_uow, created)
    inbox = ListedInbox(Document(1, "this is not X12"), Document(2, era(Payment("CS0000000201"))))
    loop = IntakeLoop(async_sessionmaker(engine, expire_on_commit=False), inbox, interval=1)
    await loop.run_once()
    await loop.run_once()  # nothing left: acknowledged documents are not taken again
    assert inbox.acknowledged == [1, 2]
    async with make_uow() as uow:
        files = (await uow.session.execute(text("SELECT source, status, reason FROM era_files ORDER BY source"))).all()
        posted = await uow.session.scalar(text("SELECT count(*) FROM claim_payments WHERE state = 'posted'"))
    assert [(f.source, f.status) for f in files] == [("inbox:1", "rejected"), ("inbox:2", "read")]
    assert "segment 1 (ISA)" in files[0].reason
    assert posted == 1
