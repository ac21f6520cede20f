from console.terms import in_force, modifiers_typed, with_amount

SCHEDULE = [
    {"code": "90834", "modifiers": [], "amount": "120.00"},
    {"code": "90837", "modifiers": ["95", "GT"], "amount": "160.00"},
]


def test_an_amount_already_there_is_changed_whatever_the_order_of_its_modifiers() -> None:
    changed = with_amount(SCHEDULE, {"code": "90837", "modifiers": ["GT", "95"], "amount": "165.50"})
    assert changed == [SCHEDULE[0], {"code": "90837", "modifiers": ["GT", "95"], "amount": "165.50"}]


def test_a_new_code_or_the_same_code_with_other_modifiers_is_added_in_order() -> None:
    added = with_amount(SCHEDULE, {"code": "90791", "modifiers": [], "amount": "200.00"})
    assert [entry["code"] for entry in added] == ["90791", "90834", "90837"]
    beside = with_amount(SCHEDULE, {"code": "90834", "modifiers": ["95"], "amount": "118.00"})
    assert [(e["code"], e["modifiers"]) for e in beside] == [("90834", []), ("90834", ["95"]), ("90837", ["95", "GT"])]


def test_the_version_in_force_on_a_day_is_the_latest_started_by_then() -> None:
    versions = [{"effective_from": "2026-07-01", "id": "b"}, {"effective_from": "2026-01-01", "id": "a"}]
    assert in_force(versions, "2026-03-15") == versions[1]
    assert in_force(versions, "2026-07-01") == versions[0]
    assert in_force(versions, "2025-12-31") is None
    assert in_force([], "2026-03-15") is None


def test_modifiers_as_typed() -> None:
    assert modifiers_typed(" 95, gt ") == ["95", "GT"]
    assert modifiers_typed("") == []
