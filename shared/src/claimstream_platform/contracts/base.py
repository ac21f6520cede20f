"""The base of every integration event and the registry from CloudEvents type to class."""

from typing import Any, ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict

_REGISTRY: dict[str, type["IntegrationEvent"]] = {}


class Reason(BaseModel):
    """Why something is held, rejected or refused: the rule, the field it concerns, and words for a biller.
    Shared by every contract (and the claim and encounter APIs) so that a reason reads the same everywhere."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    rule: str
    field: str
    message: str


class IntegrationEvent(BaseModel):
    """A fact one service publishes for others.

    Subclasses set `event_type` (`claimstream.<noun>.<past-verb>.v<N>`), `topic` (`<producer>.v1`) and
    `subject_field`, the field holding the aggregate id that orders the event on its topic. Unknown
    fields are ignored, so that a consumer on version N reads events a newer producer enriched.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    topic: ClassVar[str]
    subject_field: ClassVar[str]

    tenant_id: UUID
    practice_id: UUID | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "event_type" not in cls.__dict__:
            return  # an abstract intermediate class
        registered = _REGISTRY.setdefault(cls.event_type, cls)
        if registered is not cls and registered.__qualname__ != cls.__qualname__:
            raise TypeError(f"event type {cls.event_type} is registered twice")
        _REGISTRY[cls.event_type] = cls

    @property
    def subject(self) -> str:
        return str(getattr(self, self.subject_field))

    @property
    def partition_key(self) -> str:
        """Kafka key: one aggregate's events stay on one partition, in order."""
        return f"{self.tenant_id}:{self.subject}"


def event_class(event_type: str) -> type[IntegrationEvent] | None:
    return _REGISTRY.get(event_type)


def registered_events() -> dict[str, type[IntegrationEvent]]:
    return dict(_REGISTRY)
