"""Pending checks asked: every few seconds, the checks the consumer stored (or whose asker went away) are sent as
270s and their answers recorded, a batch at a time, in the phases of handlers.py: the batch's 270s written and stored
in one transaction, sent together with none open, and the answers recorded together in one more; when that fails,
each is recorded in a transaction of its own (one answer that cannot be recorded holds up no other). A check sent
less than `handlers.LEASE` ago is left to whoever sent it; after that its stored 270 is sent again as it is (the
clearinghouse answers it once). A clearinghouse outage leaves a check pending for a later pass."""

import asyncio
import logging

from claimstream_platform.db import SessionFactory
from claimstream_platform.engines import is_transient
from claimstream_platform.loops import PeriodicLoop

from eligibility import handlers
from eligibility.repository import EligibilityWork

log = logging.getLogger(__name__)
BATCH = 20  # checks sent at once: one clearinghouse call each, in flight together
ROUNDS = 5  # batches a pass asks at most, while they come back full


class PendingChecks(PeriodicLoop):
    name = "eligibility.pending-checks"

    def __init__(
        self,
        sessionmaker: SessionFactory,
        clearinghouse: handlers.Clearinghouse,
        sender: handlers.Sender,
        *,
        interval: float,
    ) -> None:
        super().__init__(sessionmaker, interval)
        self._clearinghouse, self._sender = clearinghouse, sender

    async def run_once(self) -> None:
        for _ in range(ROUNDS):
            if await ask_some(self._sessionmaker, self._clearinghouse, self._sender, BATCH) < BATCH:
                return


async def ask_one(sessionmaker: SessionFactory, clearinghouse: handlers.Clearinghouse, sender: handlers.Sender) -> bool:
    """One pending check asked; False when none is waiting."""
    return await ask_some(sessionmaker, clearinghouse, sender, 1) == 1


async def ask_some(
    sessionmaker: SessionFactory, clearinghouse: handlers.Clearinghouse, sender: handlers.Sender, limit: int
) -> int:
    """Up to `limit` pending checks asked at once; how many were. The first failure (an outage, a TransientError, or
    an answer that could not be recorded) is raised once every other answer is recorded: its check stays pending,
    its 270 stored, for a pass after the lease."""
    async with EligibilityWork(sessionmaker) as uow:
        questions = await handlers.write_inquiries(uow, sender, await uow.checks.pending(handlers.LEASE, limit))
        await uow.commit()
    heard = await asyncio.gather(*(clearinghouse.ask(inquiry) for _, inquiry in questions), return_exceptions=True)
    failures = [documents for documents in heard if isinstance(documents, BaseException)]
    answers = [
        handlers.Heard(check.id, inquiry, documents)
        for (check, inquiry), documents in zip(questions, heard, strict=True)
        if not isinstance(documents, BaseException)
    ]
    failures += await record_answers(sessionmaker, answers)
    if failures:
        raise failures[0]
    return len(questions)


async def record_answers(sessionmaker: SessionFactory, answers: list[handlers.Heard]) -> list[Exception]:
    """The answers recorded in one transaction; if that fails, each in a transaction of its own, so that one answer
    that cannot be recorded holds up no other: the failures."""
    if not answers:
        return []
    try:
        async with EligibilityWork(sessionmaker) as uow:
            await handlers.record_all(uow, answers, None)
            await uow.commit()
        return []
    except Exception as failure:
        if len(answers) == 1 or is_transient(failure):  # an outage: the checks stay pending, asked again later
            return [failure]
        log.warning("answers recorded one at a time", extra={"answers": len(answers), "error": type(failure).__name__})
    failures: list[Exception] = []
    for answer in answers:
        try:
            async with EligibilityWork(sessionmaker) as uow:
                await handlers.record_all(uow, [answer], None)
                await uow.commit()
        except Exception as failure:
            failures.append(failure)
    return failures
