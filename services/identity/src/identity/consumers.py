"""The events identity consumes: every service's `AccessRecorded` (its own included), appended to the access log
a run of one tenant's at a time and chained with the audit key, which the worker reads from its settings when it
starts."""

from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING

from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts.access import AccessRecorded
from claimstream_platform.kit import Runtime
from claimstream_platform.messaging.consumer import Batched, Handler, batched

from identity import handlers
from identity.audit_keys import AuditRing

if TYPE_CHECKING:
    from identity.service import IdentitySettings


def subscriptions(runtime: Runtime["IdentitySettings"]) -> Mapping[type[IntegrationEvent], Handler | Batched]:
    """A worker without the ring refuses to start: it could not chain a row the log would accept."""
    ring = AuditRing.from_file(runtime.settings.identity_audit_key_file)
    return {AccessRecorded: batched(partial(handlers.on_access_recorded, key=ring.current))}
