"""Pre-licensed clinicians: who a claim names as rendering and supervising provider, and whose enrollment and
scope the payer checks. Pure; the payer's choice is `PayerPolicy.supervised_billing`.

- `own`: a licensed clinician bills under their own NPI.
- `supervisor_renders`: the supervisor is the rendering provider (Medicare "incident to", most commercial plans);
  the supervisor must be enrolled.
- `supervising_provider`: the clinician renders and the supervisor is named in 2310D; both must be enrolled.
Either way the service must be in the scope of the clinician who gave it and of the supervisor.
"""

from dataclasses import dataclass
from typing import Literal

from charge_capture.coding.policy import SupervisedBilling

RENDERING, SUPERVISING = "rendering_provider_npi", "supervising_provider_npi"
ArrangementKind = Literal["own", "supervisor_renders", "supervising_provider"]


@dataclass(frozen=True)
class Arrangement:
    kind: ArrangementKind
    enrolled: tuple[tuple[str, str], ...]  # (credential, request field) of each provider the payer must enroll
    scope: tuple[str, ...]  # credentials whose scope of practice the codes must fit


def arrange(
    credential: str, supervisor: str | None, *, pre_licensed: frozenset[str], billing: SupervisedBilling
) -> tuple[Arrangement, list[tuple[str, str, str]]]:
    """The arrangement and the (rule, field, message) problems that stop the claim."""
    if credential not in pre_licensed:
        return Arrangement("own", ((credential, RENDERING),), (credential,)), []
    if billing == "not_billable":
        message = f"this payer pays for no pre-licensed clinician ({credential}), supervised or not"
        return _refused(credential), [("payer.pre-licensed-not-billable", RENDERING, message)]
    if supervisor is None:
        message = f"a {credential} bills under a licensed supervisor: give supervising_provider_npi"
        return _refused(credential), [("provider.supervisor-required", SUPERVISING, message)]
    if supervisor in pre_licensed:
        message = f"the supervisor's credential ({supervisor}) is itself pre-licensed"
        return _refused(credential), [("provider.supervisor-not-licensed", SUPERVISING, message)]
    scope, supervising = (credential, supervisor), (supervisor, SUPERVISING)
    if billing == "supervisor_renders":
        return Arrangement("supervisor_renders", (supervising,), scope), []
    return Arrangement("supervising_provider", ((credential, RENDERING), supervising), scope), []


def _refused(credential: str) -> Arrangement:
    return Arrangement("own", (), (credential,))
