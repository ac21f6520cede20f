"""Pre-licensed clinicians bill under a licensed supervisor, the way each payer wants it."""

from datetime import date

import pytest
from charge_capture.coding import policy
from charge_capture.coding.engine import Coding, Encounter, Procedure, code_encounter
from charge_capture.coding.policy import Layer
from charge_capture.coding.rulebook import shipped

DOS = date(2026, 3, 2)


def code(
    credential: str,
    supervisor: str | None,
    *,
    kind: str = "commercial",
    profile: str | None = None,
    overrides: tuple[Layer, ...] = (),
    procedure: str = "90834",
    day: date = DOS,
) -> Coding:
    minutes = {"90834": 45, "96130": 60}.get(procedure)
    encounter = Encounter(day, "11", ("F33.1",), procedures=(Procedure(procedure, minutes=minutes),))
    return code_encounter(
        encounter,
        rules=shipped().on(day),
        policy=policy.resolve(policy.layers_for(kind, profile, overrides), day),
        credential=credential,
        fees=None,
        supervisor_credential=supervisor,
    )


def broken(coding: Coding) -> dict[str, str]:
    return {issue.rule: issue.field for issue in coding.problems}


@pytest.mark.parametrize(
    ("kind", "profile", "expected"),
    [
        ("commercial", None, "supervisor_renders"),
        ("medicare", None, "supervisor_renders"),  # incident to the supervising practitioner
        ("medicaid", None, "supervising_provider"),  # the associate renders, the supervisor in 2310D
        ("medicaid", "medicaid-credential-tiers", "supervising_provider"),
    ],
)
def test_each_payer_kind_names_the_supervisor_its_own_way(kind: str, profile: str | None, expected: str) -> None:
    coding = code("LPC-A", "LCSW", kind=kind, profile=profile)
    assert coding.coded, coding.problems
    assert coding.arrangement == expected


def test_a_licensed_clinician_bills_as_themselves_even_with_a_supervisor_named() -> None:
    assert code("LCSW", "PhD").arrangement == "own"
    assert code("LCSW", None).arrangement == "own"


def test_a_pre_licensed_clinician_without_a_supervisor_is_refused() -> None:
    assert broken(code("LMSW", None)) == {"provider.supervisor-required": "supervising_provider_npi"}


def test_a_supervisor_must_be_licensed() -> None:
    assert broken(code("LMSW", "LPC-A")) == {"provider.supervisor-not-licensed": "supervising_provider_npi"}


def test_a_payer_that_pays_no_associates_refuses_the_claim() -> None:
    refusing = (Layer("payer", date(2020, 1, 1), {"supervised_billing": "not_billable"}),)
    assert broken(code("LMFT-A", "LMFT", overrides=refusing)) == {
        "payer.pre-licensed-not-billable": "rendering_provider_npi"
    }


def test_medicare_before_2024_refuses_incident_to_a_counselor_it_did_not_enroll() -> None:
    """Incident-to billing needs a supervisor the payer enrolls: an LPC could not bill Medicare in 2023."""
    assert broken(code("LPC-A", "LPC", kind="medicare", day=date(2023, 6, 1))) == {
        "payer.credential-not-enrolled": "supervising_provider_npi"
    }
    assert code("LPC-A", "LPC", kind="medicare", day=date(2024, 6, 1)).coded


def test_the_payers_modifier_for_the_associates_level_goes_on_the_line() -> None:
    coding = code("LPC-A", "PhD", kind="medicaid", profile="medicaid-credential-tiers")
    assert coding.coded, coding.problems
    assert [line.modifiers for line in coding.lines] == [("HO",)]
    assert code("LPC-A", "PhD", kind="medicare").lines[0].modifiers == ()


def test_the_service_must_be_in_the_associates_scope_and_the_supervisors() -> None:
    """A counselor associate bills no psychological testing, whoever supervises; a psychology resident may,
    under a psychologist but not under a social worker."""
    assert "provider.scope" in broken(code("LPC-A", "PhD", procedure="96130"))
    assert code("PSYA", "PhD", procedure="96130").coded
    assert "provider.scope" in broken(code("PSYA", "LCSW", procedure="96130"))
