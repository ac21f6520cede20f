"""Events every service publishes on `access.v1`: one per read or export of PHI, money-changing action and
administrative change, for the identity service's access log (docs/security.md).

Keyed by tenant, so one tenant's rows arrive in order on one partition and the log chains them without a lock
that would make tenants wait for each other. What belongs to no tenant (an installation operator's read, or a
command of theirs that changed no tenant's data) is under `INSTALLATION`, the installation's own chain. They name
who, what (the route template and the ids that name its object), when, from where and with what outcome; never
the PHI itself (no names, member ids, diagnoses or X12).
"""

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from claimstream_platform.contracts.base import IntegrationEvent

TOPIC = "access.v1"
INSTALLATION = UUID(int=0)  # the `tenant_id` of the installation's own chain: no tenant has this id


class AccessRecorded(IntegrationEvent):
    event_type: ClassVar[str] = "claimstream.access.recorded.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "tenant_id"

    access_id: UUID
    occurred_at: datetime
    service: str  # the service that answered
    actor: str  # the token's subject: a person, an integration, an operator, a consumer acting for an event
    actor_kind: str  # person | integration | operator | system
    audit: str  # phi | money | admin (access.Audit)
    action: str  # "POST /v1/denials/{case_id}/write-off": the route's template, never the path's values
    resource: dict[str, str] = {}  # the ids that name the object: the path's, and the query's (access_log.py)
    status: int  # the HTTP status answered
    client: str | None = None  # the caller's address as the API saw it
    correlation_id: UUID | None = None

    @property
    def partition_key(self) -> str:
        return str(self.tenant_id)
