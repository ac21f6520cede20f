"""What the consumer makes of a failure: the database is down or the batch lost a race (wait, however long it
takes), or this event's work fails (a bounded number of attempts, then the dead-letter topic with the reason).

- An outage (`is_outage`): a connection refused, reset or closed (`OSError` other than a timeout, `InterfaceError`,
  an invalidated connection), a pool timeout, SQLSTATE class 08 (connection exception), 57P (admin or crash
  shutdown, cannot connect now, idle session timeout), 53300 (too many connections), a `TransientError`. The batch
  rolls back and goes again after a growing wait, without limit; no attempt is counted against any event.
- Contention (`is_contention`): SQLSTATE 40001 and 40P01 (serialization failure, deadlock). Another transaction
  (often another partition's batch of the same consumer, folding the same aggregate) took the rows first; the event
  is not at fault and PostgreSQL's advice is to run the transaction again. Not in a savepoint of the same
  transaction: the locks it already holds would meet the same other transaction again. The batch rolls back and goes
  again after a growing, jittered wait, without limit, like an outage. (Counting these once dead-lettered events
  of a busy projection, whose read model then lost them.)
- A handler's failure that may pass (`worth_waiting`): the command timeout (`TimeoutError`, 30 s), `HandlerTimedOut`,
  SQLSTATE 57014 (statement timeout), 55P03 (lock timeout), class 53 but 53300 (disk full, out of memory, a
  configuration limit such as `temp_file_limit`). It counts
  against the event: its attempts are spaced by a growing wait, and after `max_attempts` it goes to the dead-letter
  topic with the reason. A timeout counts only if the database answers a probe on another connection
  (`database_answers`); if it does not, the timeout was an outage.
- Any other failure of a handler (a domain refusal, a constraint, a bug): `max_attempts` at once, then the
  dead-letter topic.
- Outside the handlers (the inbox claim, the practice check, the commit), a failure `engines.is_transient` calls
  transient is nothing to blame on one event: the batch goes again after a growing wait, without limit, and its
  partition alone waits. Anything else there crashes the worker, which `run_until_stopped` starts again.

`engines.is_transient` is the wider rule the HTTP side answers 503 by; the consumer narrows it for handlers, since an
event whose work always times out would otherwise be retried for ever and hold its partition.
"""

import asyncio
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, InterfaceError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from claimstream_platform.engines import is_transient
from claimstream_platform.errors import TransientError

_OUTAGE_SQLSTATES = ("08", "57P", "53300")
_CONTENTION_SQLSTATES = ("40001", "40P01")
PROBE_TIMEOUT = 5.0  # seconds for the database to answer `SELECT 1` before a timeout is called an outage


class HandlerTimedOut(Exception):
    """A handler ran past its limit: treated as a failure of that event (bounded attempts, then the DLQ), so one
    hung call cannot hold its partition forever."""


class DatabaseUnreachable(TransientError):
    """A handler timed out and the database did not answer a probe either: an outage, not the event's fault."""


def is_outage(error: BaseException) -> bool:
    """True when the database (or what a handler reaches) cannot be reached at all: nothing is wrong with the event."""
    if isinstance(error, TimeoutError):  # a subclass of OSError, but a command that ran too long
        return False
    if isinstance(error, TransientError | InterfaceError | PoolTimeout | OSError):
        return True
    if isinstance(error, DBAPIError):
        state = getattr(error.orig, "sqlstate", None) or ""
        return bool(error.connection_invalidated) or state.startswith(_OUTAGE_SQLSTATES)
    return False


def is_contention(error: BaseException) -> bool:
    """True when the transaction lost a race with another one (a deadlock, a serialization failure)."""
    return isinstance(error, DBAPIError) and getattr(error.orig, "sqlstate", None) in _CONTENTION_SQLSTATES


def not_the_events_fault(error: BaseException) -> bool:
    """An outage or contention: the batch goes again, and no attempt is counted against the event."""
    return is_outage(error) or is_contention(error)


def worth_waiting(error: BaseException) -> bool:
    """A failure that may pass if tried again a little later (a lock released, a resource freed)."""
    return isinstance(error, HandlerTimedOut) or is_transient(error)


def may_be_outage(error: BaseException) -> bool:
    """A timeout says nothing of whom to blame until the database is asked something trivial."""
    return isinstance(error, TimeoutError | HandlerTimedOut)


async def database_answers(sessionmaker: async_sessionmaker[AsyncSession], timeout: float = PROBE_TIMEOUT) -> bool:
    try:
        async with asyncio.timeout(timeout), sessionmaker() as session:
            await session.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


async def transaction_usable(session: AsyncSession) -> bool:
    """After a failed attempt: whether the transaction goes on. A command cut off by a timeout (the command
    timeout, a handler's) takes its connection and transaction with it; a savepoint rolled back does not."""
    try:
        await session.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


def backoff(attempt: int, limit: float, first: float = 0.2) -> float:
    """The wait before try `attempt + 1` (attempt counts from 1): doubling from `first`, at most `limit`."""
    return float(min(first * 2.0 ** max(attempt - 1, 0), limit))


@dataclass
class Tries:
    """The failed attempts of each event of one batch, kept across the transactions the batch takes (a timeout
    can take the transaction with it, and the batch then goes again in a new one)."""

    failures: dict[Any, list[BaseException]] = field(default_factory=dict)
    one_by_one: bool = False  # once a handler failed, the batch is applied event by event

    def failed(self, event_id: Any, error: BaseException) -> int:
        """Count a failed attempt; how many there were."""
        self.failures.setdefault(event_id, []).append(error)
        return len(self.failures[event_id])

    def given_up(self, event_id: Any, max_attempts: int) -> BaseException | None:
        """The last error of an event that failed `max_attempts` times: it goes to the dead-letter topic."""
        errors = self.failures.get(event_id, [])
        return errors[-1] if len(errors) >= max_attempts else None
