"""How a claim's money starts and ends, pure: a claim opens with its charge, or takes over what another claim left;
a claim that is replaced or voided hands its open balances on (docs/money.md). Money is moved, never set, so an
encounter's charge is counted once however many versions of its claim there were.

- A primary original books its charge, line by line.
- A replacement (frequency 7, or a new original that takes the place of a denied or rejected claim) takes over the
  replaced claim's open balances, line by line, and books the difference between the two claims' charges; a void
  (frequency 8) does the same with no charge of its own, so the charge is withdrawn. Whatever is booked on the
  replaced claim afterwards (the payer's reversal of its payment, say) lands on the claim that replaced it.
- A later payer's claim (secondary, tertiary) takes over the patient's share the payer before it left; voided, it
  gives that share back.
"""

from datetime import datetime

from projection.model import INSURANCE, NEXT, PATIENT, ZERO, ClaimView, Folded, Line


def open_claim(folded: Folded, claim: ClaimView, replaced: ClaimView | None, at: datetime) -> None:
    if replaced is not None and replaced.closed_at is None:
        claim.took_over_from = replaced.took_over_from
        _take_over(folded, claim, replaced, at)
    if claim.responsibility == "primary":
        before = replaced.lines if replaced is not None else {}
        for line in sorted(set(claim.lines) | set(before), key=_line_order):
            change = claim.lines.get(line, ZERO) - before.get(line, ZERO)
            folded.book(claim, at, INSURANCE, "charge", change, line)
    elif replaced is None:
        _take_the_share(folded, claim, at)
    if claim.frequency == "8" and claim.responsibility != "primary":
        give_back_the_share(folded, claim, at)


def _take_over(folded: Folded, claim: ClaimView, replaced: ClaimView, at: datetime) -> None:
    """The replaced claim's open balances move to the claim replacing it, and it closes."""
    kind = "voided" if claim.frequency == "8" else "replaced"
    for party in (INSURANCE, PATIENT):
        for line, amount in sorted(folded.line_balances(replaced, party).items(), key=lambda i: _line_order(i[0])):
            folded.put(replaced, at, party, kind, -amount, line)
            folded.book(claim, at, party, kind, amount, line)
    replaced.status, replaced.closed_at, replaced.succeeded_by = kind, at, claim.claim_id


def _take_the_share(folded: Folded, claim: ClaimView, at: datetime) -> None:
    """A later payer's claim is owed what the patient owed after the payer before it."""
    prior = _prior_payers_claim(folded, claim)
    if prior is None:
        return
    claim.took_over_from = prior.claim_id
    for line, amount in sorted(folded.line_balances(prior, PATIENT).items(), key=lambda i: _line_order(i[0])):
        if amount > 0:
            folded.put(prior, at, PATIENT, "transferred", -amount, line)
            folded.book(claim, at, INSURANCE, "transferred", amount, line)


def _prior_payers_claim(folded: Folded, claim: ClaimView) -> ClaimView | None:
    wanted = NEXT.get(claim.responsibility)
    earlier = [c for c in folded.claims.values() if c.responsibility == wanted and c.closed_at is None]
    return earlier[-1] if earlier else None


def give_back_the_share(folded: Folded, claim: ClaimView, at: datetime) -> None:
    """A later payer's claim withdrawn: the share it took over is the patient's again, on the claim it came from."""
    origin = folded.claims.get(claim.took_over_from) if claim.took_over_from else None
    if origin is None:
        return
    for line, amount in sorted(folded.line_balances(claim, INSURANCE).items(), key=lambda i: _line_order(i[0])):
        folded.put(claim, at, INSURANCE, "transferred", -amount, line)
        folded.book(origin, at, PATIENT, "transferred", amount, line)


def withdraw(folded: Folded, claim: ClaimView, at: datetime) -> None:
    """A claim voided before the payer had it: its charge no longer stands (a later payer's: its share goes back)."""
    if claim.responsibility != "primary":
        give_back_the_share(folded, claim, at)
        return
    for line, amount in sorted(claim.lines.items(), key=lambda i: _line_order(i[0])):
        folded.put(claim, at, INSURANCE, "charge", -amount, line)


def _line_order(line: Line) -> int:
    return -1 if line is None else line
