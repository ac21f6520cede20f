"""Who a claim names, from the practice's set-up (`Reference`), in the contract's shapes: the rendering and
supervising providers as the payer wants them named (coding/supervision.py), the billing provider, the payers."""

from typing import Any

from claimstream_platform.contracts import charge_capture as contract

from charge_capture.coded import Parties
from charge_capture.coding.supervision import ArrangementKind
from charge_capture.repository.reference import Reference


def parties_of(reference: Reference, arrangement: ArrangementKind) -> Parties:
    """Only for an encounter coded without problems: its provider and payers are set up."""
    provider, supervisor, payer = reference.provider, reference.supervisor, reference.payer
    rendering = supervisor if arrangement == "supervisor_renders" else provider
    assert rendering is not None and payer is not None
    return Parties(
        rendering_provider=contract.RenderingProvider(
            npi=rendering.npi,
            first_name=rendering.first_name,
            last_name=rendering.last_name,
            credential=rendering.credential,
            taxonomy=rendering.taxonomy,
        ),
        supervising_provider=contract.SupervisingProvider(
            npi=supervisor.npi, first_name=supervisor.first_name, last_name=supervisor.last_name
        )
        if arrangement == "supervising_provider" and supervisor is not None
        else None,
        billing_provider=_billing_provider(reference.practice),
        payer=_payer(payer.row),
        other_payers={payer_id: _payer(row) for payer_id, row in reference.other_payers.items()},
        time_zone=reference.practice.time_zone,
    )


def _payer(row: Any) -> contract.Payer:
    return contract.Payer(
        payer_id=row.payer_id, name=row.name, kind=row.kind, claim_filing_indicator=row.claim_filing_indicator
    )


def _billing_provider(practice: Any) -> contract.BillingProvider:
    return contract.BillingProvider(
        practice_id=practice.id,
        name=practice.name,
        npi=practice.npi,
        tax_id=practice.tax_id,
        taxonomy=practice.taxonomy,
        address=contract.Address(**practice.address),
        entity=practice.billing_entity,
        first_name=practice.first_name,
        last_name=practice.last_name,
    )
