"""Stream health: events per minute per topic and type, and the latest dead letters, of the caller's tenant (a
dead letter that names no tenant is no tenant's). An installation operator (an operator token, no tenant) sees
every tenant's, the dead-letter topics' counts and the consumer lag per group and partition: the broker's state
is the installation's."""

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from claimstream_platform.access import Audit, allow
from claimstream_platform.auth import OPERATOR, Operator, Role
from claimstream_platform.web import CurrentCaller, CurrentOperator
from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel

from projection import broker
from projection.api import ProjectionWorkDep

router = APIRouter(tags=["stream health"])


class Rate(BaseModel):
    topic: str
    event_type: str
    minute: datetime
    count: int


class LagOut(BaseModel):
    group: str
    topic: str
    partition: int
    committed: int
    end: int
    lag: int


class DeadLetterOut(BaseModel):
    topic: str
    partition: int
    offset: int
    consumer: str
    kind: str
    reason: str
    event_type: str | None
    at: datetime
    event_id: str | None
    dead_letter_topic: str


class StreamHealth(BaseModel):
    per_minute: list[Rate]
    consumer_lag: list[LagOut] | None  # None unless the caller is an installation operator
    dead_letters: dict[str, int]  # per dead-letter topic, every tenant's: empty unless the caller is an operator
    latest_dead_letters: list[DeadLetterOut]


@router.get(
    "/v1/stream/health", openapi_extra=allow(Role.TENANT_ADMIN, Role.BILLER, OPERATOR), response_model=StreamHealth
)
async def stream_health(
    request: Request,
    caller: CurrentCaller,
    uow: ProjectionWorkDep,
    minutes: Annotated[int, Query(ge=1, le=1440)] = 60,
    latest: Annotated[int, Query(ge=1, le=100)] = 20,
) -> StreamHealth:
    servers = request.app.state.platform.settings.kafka_bootstrap_servers
    if isinstance(caller, Operator):
        async with uow:
            counted = await uow.stream.per_minute_across_tenants(minutes)
        lags, counts, letters = await broker.installation(servers, latest)
        return StreamHealth(
            per_minute=_rates(counted),
            consumer_lag=[LagOut(**vars(lag), lag=lag.lag) for lag in lags],
            dead_letters=counts,
            latest_dead_letters=[DeadLetterOut(**vars(letter)) for letter in letters],
        )
    caller.require_whole_tenant("the event stream")  # and its dead letters: every practice's
    async with uow:
        counted = await uow.stream.per_minute(caller, minutes)
    letters = await broker.tenant_letters(servers, caller.tenant_id, latest)
    return StreamHealth(
        per_minute=_rates(counted),
        consumer_lag=None,
        dead_letters={},
        latest_dead_letters=[DeadLetterOut(**vars(letter)) for letter in letters],
    )


def _rates(counted: Sequence[Any]) -> list[Rate]:
    return [Rate.model_validate(dict(row._mapping)) for row in counted]


class RedriveOut(BaseModel):
    events: int  # sent back to their topic
    letters: int  # marked redriven
    redriven_before: int  # picked, but redriven before: not sent again


Topic = Annotated[str, Path(min_length=1, max_length=249, pattern=r"^[A-Za-z0-9._-]+$")]  # T or T.dlq


@router.post(
    "/v1/stream/dead-letters/{topic}/events/{event_id}/redrive",
    openapi_extra=allow(OPERATOR, audit=Audit.ADMIN),
    response_model=RedriveOut,
)
async def redrive_dead_letters(topic: Topic, event_id: UUID, request: Request, _: CurrentOperator) -> RedriveOut:
    """After a fix: the event's dead letters on the topic sent back to it (the consumers' inboxes keep it once)."""
    servers = request.app.state.platform.settings.kafka_bootstrap_servers
    chosen = await broker.redrive_events(servers, topic, frozenset({str(event_id)}))
    letters = sum(len(outgoing.letters) for outgoing in chosen.events)
    return RedriveOut(events=len(chosen.events), letters=letters, redriven_before=chosen.redriven_before)
