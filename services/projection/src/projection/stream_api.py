"""Stream health: events per minute per topic and type (the caller's tenant), the dead-letter topics' counts and
latest letters (the caller's tenant; an operator sees all), and consumer lag per group and partition (operators:
it is the installation's)."""

from datetime import datetime
from typing import Annotated

from claimstream_platform.access import allow
from claimstream_platform.auth import OPERATOR, Role
from claimstream_platform.web import CurrentPrincipal
from fastapi import APIRouter, Query, Request
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


class StreamHealth(BaseModel):
    per_minute: list[Rate]
    consumer_lag: list[LagOut] | None  # None unless the caller is an operator
    dead_letters: dict[str, int]  # per dead-letter topic (an operator's view: all tenants)
    latest_dead_letters: list[DeadLetterOut]


@router.get(
    "/v1/stream/health", openapi_extra=allow(Role.TENANT_ADMIN, Role.BILLER, OPERATOR), response_model=StreamHealth
)
async def stream_health(
    request: Request,
    principal: CurrentPrincipal,
    uow: ProjectionWorkDep,
    minutes: Annotated[int, Query(ge=1, le=1440)] = 60,
    latest: Annotated[int, Query(ge=1, le=100)] = 20,
) -> StreamHealth:
    operator = "operator" in principal.roles
    async with uow:
        counted = await uow.stream.per_minute(principal, minutes)
    rates = [Rate.model_validate(dict(r._mapping)) for r in counted]
    servers = request.app.state.platform.settings.kafka_bootstrap_servers
    lags, counts, letters = await broker.read(servers, None if operator else principal.tenant_id, latest)
    return StreamHealth(
        per_minute=rates,
        consumer_lag=[LagOut(**vars(lag), lag=lag.lag) for lag in lags] if operator else None,
        dead_letters=counts if operator else {},
        latest_dead_letters=[DeadLetterOut(**vars(letter)) for letter in letters],
    )
