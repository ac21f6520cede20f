from console.terms import latest, modifiers_typed, with_amount

SCHEDULE = [
    {"code": "90834", "modifiers": [], "amount": "120.00"},
    {"code": "90837", "modifiers": ["95", "GT"], "amount": "160.00"},
]


def test_an_amount_already_there_is_changed_whatever_the_order_of_its_modifiers() -> None:
    changed = with_amount(SCHEDULE, "90837", ["GT", "95"], "165.50")
    assert changed == [SCHEDULE[0], {"code": "90837", "modifiers": ["GT", "95"], "amount": "165.50"}]


def test_a_new_code_or_the_same_code_with_other_modifiers_is_added_in_order() -> None:
    added = with_amount(SCHEDULE, "90791", [], "200.00")
    assert [entry["code"] for entry in added] == ["90791", "90834", "90837"]
    beside = with_amount(SCHEDULE, "90834", ["95"], "118.00")
    assert [(e["code"], e["modifiers"]) for e in beside] == [("90834", []), ("90834", ["95"]), ("90837", ["95", "GT"])]


def test_the_latest_version_of_the_rates_without_its_date() -> None:
    rates = [
        {"code": "90834", "modifiers": [], "amount": "90.00", "effective_from": "2026-01-01"},
        {"code": "90834", "modifiers": [], "amount": "95.00", "effective_from": "2026-07-01"},
        {"code": "90837", "modifiers": [], "amount": "130.00", "effective_from": "2026-07-01"},
    ]
    assert latest(rates) == [
        {"code": "90834", "modifiers": [], "amount": "95.00"},
        {"code": "90837", "modifiers": [], "amount": "130.00"},
    ]
    assert latest([]) == []


def test_modifiers_as_typed() -> None:
    assert modifiers_typed(" 95, gt ") == ["95", "GT"]
    assert modifiers_typed("") == []
