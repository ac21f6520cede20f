"""Front-end claim edits: what a clearinghouse and the payer's intake check before adjudication (277CA).

Two 277CAs, as in the real flow: the clearinghouse's (received, A1:19, or rejected by its edits), then, for the
claims it forwarded, the payer's (accepted into adjudication, A2:20 with the payer's claim number, or rejected by
the payer's own edits: an unknown member, an invalid diagnosis, a replacement of a claim it denied where it wants
a new original). A rejection carries a category and code, the first
failing edit: A3 returned as unprocessable, A6 missing information, A7 invalid information; the entity code names
whose data is wrong (85 billing provider, 82 rendering provider, IL subscriber).
"""

import importlib
from collections.abc import Callable, Collection
from decimal import Decimal
from functools import lru_cache
from types import ModuleType

from claimstream_platform.identifiers import npi_is_valid
from claimstream_platform.x12.p837 import Claim

RECEIVED = "A1:19"  # the clearinghouse: received, forwarded to the payer (not yet accepted)
ACCEPTED = "A2:20"  # the payer: accepted into adjudication
# the claim frequency code: this payer corrects a claim it denied only with a new original (1), not a replacement (7)
REPLACEMENT_OF_A_DENIAL = "A7:535"


@lru_cache(maxsize=1)
def code_set() -> ModuleType:
    """The bundled ICD-10-CM set, read on first use: it takes seconds and 170 MB, which the API pays as it starts
    (`service._payers`) and the worker, which never checks a diagnosis, does not."""
    return importlib.import_module("simple_icd_10_cm")


def clearinghouse_status(claim: Claim, *, payer_known: bool) -> str:
    """The clearinghouse's STC01: its own edits (envelope-level data any payer needs), else received (A1)."""
    if not payer_known:
        return "A3:116"  # claim submitted to the incorrect payer
    if not npi_is_valid(claim.billing_npi):
        return "A7:562:85"  # billing provider NPI
    if claim.rendering_npi and not npi_is_valid(claim.rendering_npi):
        return "A7:562:82"
    if claim.rendering_npi and not claim.rendering_taxonomy:
        return "A6:145:82"  # rendering provider taxonomy
    if claim.patient is not None and claim.patient.birth_date is None:
        return "A6:158:QC"  # patient date of birth (the subscriber's is sent only when it is the patient's)
    if claim.patient is None and claim.subscriber.birth_date is None:
        return "A6:158:IL"  # subscriber date of birth
    if claim.first_service_date is None:
        return "A6:187"  # dates of service
    if claim.total_charge != sum((line.charge for line in claim.lines), Decimal(0)):
        return "A7:400"  # claim is out of balance
    if claim.frequency in ("7", "8") and not claim.original_reference:
        return "A6:464"  # payer assigned claim control number
    return RECEIVED


def payer_status(
    claim: Claim,
    *,
    member_known: Callable[[str, str], bool],
    new_original_after_denial: bool = False,
    denied: Collection[str] = (),
) -> str:
    """The payer's STC01 for a claim the clearinghouse forwarded: its own intake edits, else accepted (A2). A
    payer that wants a new original after a denial refuses a replacement of a claim it denied (`denied`: the
    payer claim numbers of the submitter's claims it denied)."""
    if not member_known(claim.payer_id, claim.member_id):
        return "A3:33:IL"  # subscriber and subscriber id not found
    icd = code_set()
    for index, code in enumerate(claim.diagnoses):
        if not (icd.is_valid_item(code) and icd.is_leaf(code)):
            return "A7:254" if index == 0 else "A7:255"  # principal / other diagnosis
    if new_original_after_denial and claim.frequency == "7" and claim.original_reference in denied:
        return REPLACEMENT_OF_A_DENIAL
    return ACCEPTED


def claim_status(claim: Claim, *, payer_known: bool, member_known: Callable[[str, str], bool]) -> str:
    """Where the claim ends: rejected by the clearinghouse, rejected by the payer, or accepted (A2:20)."""
    status = clearinghouse_status(claim, payer_known=payer_known)
    return payer_status(claim, member_known=member_known) if status == RECEIVED else status
