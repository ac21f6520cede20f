"""Where the services under test answer (a module of its own: several test trees have a conftest)."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# The installation's default submitter, for tenants that set none of their own (claim submission's settings).
DEFAULT_SUBMITTER = {
    "DEFAULT_SUBMITTER_ID": "CSTESTBILL",
    "DEFAULT_SUBMITTER_NAME": "CLAIMSTREAM TEST BILLING",
    "DEFAULT_SUBMITTER_CONTACT": "EDI DESK",
    "DEFAULT_SUBMITTER_PHONE": "5035550100",
}


@dataclass(frozen=True)
class Services:
    charge_capture: str
    claim_submission: str
    simulator: str
    remittance_posting: str
    denial_management: str
    projection: str
    eligibility: str
    prior_authorization: str
    clearinghouse_auth: dict[str, str]  # claim submission's account at the simulator: its roster, its inbox
    exited: Callable[[], list[str]]  # the service processes that have exited since the session started
    log_dir: Path  # each process's output, one file per service and role
