"""A claim's own copy of its 837P (`GET /v1/claims/{id}/x12`), read from the interchange it was sent in: the
interchange's envelope with the claim's transaction set narrowed to the claim (its billing provider's loop and
its own loops, renumbered as if it stood alone). The claim is not written again. Pure."""

from claimstream_platform.x12 import FunctionalGroup, Segment, Transaction, parse_interchange, write_interchange

from claim_submission.outbound.x837 import renumbered

SUBSCRIBER_LEVEL = "22"  # HL03 of a claim's subscriber loop (2000B); a claim's loops run to the next one


def own_copy(interchange: str, patient_control_number: str) -> str | None:
    """The claim's own interchange, or None when the interchange does not carry it."""
    sent = parse_interchange(interchange)
    for group in sent.groups:
        for transaction in group.transactions:
            narrowed = _narrowed(transaction.segments, patient_control_number)
            if narrowed is not None:
                own = Transaction(transaction.set_id, "0001", transaction.implementation, narrowed)
                sent.groups = [_only(group, own)]
                return write_interchange(sent)
    return None


def _narrowed(segments: list[Segment], patient_control_number: str) -> list[Segment] | None:
    claim_at = next((n for n, s in enumerate(segments) if s.tag == "CLM" and s.get(1) == patient_control_number), None)
    if claim_at is None:
        return None
    starts = [n for n, s in enumerate(segments) if s.tag == "HL" and s.get(3) == SUBSCRIBER_LEVEL]
    start = max(n for n in starts if n < claim_at)
    end = min((n for n in starts if n > claim_at), default=len(segments))
    return [*segments[: starts[0]], *renumbered(segments[start:end], 2)]


def _only(group: FunctionalGroup, transaction: Transaction) -> FunctionalGroup:
    return FunctionalGroup(
        group.functional_id,
        group.sender,
        group.receiver,
        group.control_number,
        group.version,
        [transaction],
        date=group.date,
        time=group.time,
    )
