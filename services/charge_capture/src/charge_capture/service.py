"""Charge capture, declared for the platform's service kit: the only wiring module (nothing else reads the
environment). `python -m charge_capture migrate | api | worker`."""

from pathlib import Path

from claimstream_platform.kit import Service
from claimstream_platform.settings import ServiceSettings
from fastapi import FastAPI
from pydantic import FilePath

from charge_capture import api, fee_schedules_api, payer_facts_api, setup_api
from charge_capture.coding import diagnoses, rulebook
from charge_capture.repository import CaptureWork


class ChargeCaptureSettings(ServiceSettings):
    """The platform's settings plus the NCCI files an operator loads in place of the shipped fixture."""

    ncci_ptp_file: FilePath | None = None  # CMS practitioner PTP file, tab-separated text
    ncci_mue_file: FilePath | None = None  # CMS practitioner MUE file, tab-separated text


def _load_rules(settings: ChargeCaptureSettings, _app: FastAPI) -> None:
    """The rule data and the diagnosis code set now, not on the first request."""
    rulebook.install(rulebook.load(settings.ncci_ptp_file, settings.ncci_mue_file))
    diagnoses.code_set()


# Charge capture consumes nothing yet: its worker is the outbox relay.
SERVICE = Service(
    name="charge-capture",
    package="charge_capture",
    port=8001,
    title="claimstream charge capture",
    settings=ChargeCaptureSettings,
    routers=[setup_api.router, fee_schedules_api.router, payer_facts_api.router, api.router],
    migrations=Path(__file__).parent / "migrations",
    prepare_app=_load_rules,
    unit_of_work=CaptureWork,
)
