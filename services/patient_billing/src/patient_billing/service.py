"""Patient billing, declared for the platform's service kit: the only wiring module (nothing else reads the
environment). `python -m patient_billing migrate | api | worker`; the worker runs the consumer and the outbox
relay."""

from pathlib import Path

from claimstream_platform.kit import Service
from claimstream_platform.settings import ServiceSettings

from patient_billing import api
from patient_billing.consumers import SUBSCRIPTIONS
from patient_billing.repository import PatientBillingWork


class PatientBillingSettings(ServiceSettings):
    pass


SERVICE = Service(
    name="patient-billing",
    package="patient_billing",
    port=8009,
    title="claimstream patient billing",
    settings=PatientBillingSettings,
    routers=[api.router],
    migrations=Path(__file__).parent / "migrations",
    subscriptions=SUBSCRIPTIONS,
    unit_of_work=PatientBillingWork,
)
