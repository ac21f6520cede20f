"""All of the simulator's SQL, reached from its unit of work (`SimulatorWork`): `uow.received` (interchanges, claims
and documents as they arrive), `uow.cycle` (what an adjudication cycle reads and writes) and `uow.inbox` (the
API's documents and member roster, scoped to the submitter). Nothing outside this package, `tables` and
`migrations` imports SQLAlchemy (an import contract keeps it so)."""

from functools import cached_property

from claimstream_platform.db import UnitOfWork

from clearinghouse_simulator.repository.cycle import Cycle
from clearinghouse_simulator.repository.inbox import Inbox
from clearinghouse_simulator.repository.received import Received


class SimulatorWork(UnitOfWork):
    """The simulator's unit of work: one transaction, and its repositories (one of each per unit)."""

    @cached_property
    def received(self) -> Received:
        return Received(self)

    @cached_property
    def cycle(self) -> Cycle:
        return Cycle(self)

    @cached_property
    def inbox(self) -> Inbox:
        return Inbox(self)
