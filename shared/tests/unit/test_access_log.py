"""Whose chain a request's access record goes in (access_log.chains), and what of a request names its object."""

from uuid import uuid4

from claimstream_platform.access_log import NOT_AN_ID, chains, names_an_object, resource
from claimstream_platform.contracts.access import INSTALLATION


def test_a_tenants_caller_is_in_its_tenants_chain_and_an_operator_in_each_it_changed_or_the_installations() -> None:
    mine, a, b = uuid4(), uuid4(), uuid4()
    assert chains(mine, [a]) == [mine]  # a tenant's token never writes another tenant's chain
    assert chains(None, [a, b, a]) == sorted([a, b])  # each tenant's auditor sees what an operator changed of theirs
    assert chains(None, []) == [INSTALLATION]  # a read, or a command that changed no tenant's data


def test_ids_name_the_object_but_ids_that_are_phi_and_values_that_are_no_ids_are_not_recorded() -> None:
    assert [names_an_object(n) for n in ("claim_id", "patient_ref", "patient", "member_id", "status", "cursor")] == [
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    path = {"claim_id": "c-1", "member_id": "M123"}
    query = {"practice_id": ["p-1", "p-2"], "patient_ref": ["Ada Lovelace"], "claim_id": ["other"], "status": ["x"]}
    assert resource(path, query) == {"claim_id": "c-1", "practice_id": "p-1,p-2", "patient_ref": NOT_AN_ID}
