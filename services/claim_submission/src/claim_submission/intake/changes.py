"""A correction's concrete changes applied to the claim's content before it goes again. Pure.

Denial management names each change (`CorrectionChanges`): the place of service, modifiers to add or take off a
line, or the first mental-health diagnosis made principal (a Z-code may not lead a psychotherapy claim). Moving
a diagnosis renumbers the lines' pointers so each still points at the same codes.
"""

from claimstream_platform.contracts.denial_management import CorrectionChanges

from claim_submission.domain.content import ClaimContent, Line

MAX_MODIFIERS = 4


def apply_changes(content: ClaimContent, changes: CorrectionChanges | None) -> ClaimContent:
    if changes is None:
        return content
    update: dict[str, object] = {}
    if changes.place_of_service:
        update["place_of_service"] = changes.place_of_service
    lines = [_modified(line, changes) for line in content.lines]
    if changes.mental_health_diagnosis_first:
        diagnoses, lines = _mental_health_first(content.diagnoses, lines)
        update["diagnoses"] = diagnoses
    update["lines"] = lines
    return content.model_copy(update=update)


def _modified(line: Line, changes: CorrectionChanges) -> Line:
    removed = set(changes.remove_modifiers.get(line.line_number, []))
    modifiers = [m for m in line.modifiers if m not in removed]
    for added in changes.add_modifiers.get(line.line_number, []):
        if added not in modifiers:
            modifiers.insert(0, added)  # a pricing or telehealth modifier first, where payers read it
    return line.model_copy(update={"modifiers": modifiers[:MAX_MODIFIERS]})


def _mental_health_first(diagnoses: list[str], lines: list[Line]) -> tuple[list[str], list[Line]]:
    first = next((n for n, code in enumerate(diagnoses) if code.startswith("F")), None)
    if first is None or first == 0:
        return diagnoses, lines
    order = [first, *(n for n in range(len(diagnoses)) if n != first)]  # new position -> old position
    renumbered = {old + 1: new + 1 for new, old in enumerate(order)}  # old pointer -> new pointer
    moved = [
        line.model_copy(update={"diagnosis_pointers": [renumbered.get(p, p) for p in line.diagnosis_pointers]})
        for line in lines
    ]
    return [diagnoses[old] for old in order], moved
