"""An invoice as the practice reads it, pure: its lines of text, from which the PDF is made. Every figure is
there, and how it was reached: each party's net collections by kind, the percentage, the per-item fees, the
minimum fee's top-up, and the credit notes given since."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from claimstream_platform.pdf import render_pdf, wrap

KIND_WORDS = {
    "payment": "payments",
    "reversal": "payments reversed",
    "recoupment": "taken back by payers",
    "payer_refund": "refunded to payers",
    "interest": "interest paid by payers",
    "refund": "refunded to patients",
    "refund_failed": "patient refunds that failed",
}


def lines(
    invoice: Any, figures: Mapping[str, str], collections: Sequence[Any], credit_notes: Sequence[Any]
) -> list[str]:
    head = [
        f"Invoice {invoice.number}",
        f"Collections of {invoice.month:%B %Y}, issued {invoice.issued_on:%B %d, %Y}",
        "",
    ]
    return [*head, *_collections(collections), "", *_fees(figures), *_credits(credit_notes)]


def pdf(invoice: Any, figures: Mapping[str, str], collections: Sequence[Any], credit_notes: Sequence[Any]) -> bytes:
    return render_pdf([part for line in lines(invoice, figures, collections, credit_notes) for part in wrap(line)])


def _collections(collections: Sequence[Any]) -> list[str]:
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in collections:
        sums[(row.party, row.kind)] += Decimal(row.amount)
    shown = [
        f"{party.capitalize()} {KIND_WORDS.get(kind, kind)}: {amount:,.2f}"
        for (party, kind), amount in sorted(sums.items())
    ]
    return ["What was collected (each payment and refund is listed in the invoice's collections):", *shown]


def _fees(figures: Mapping[str, str]) -> list[str]:
    shown = [
        f"Insurance collections counted: {Decimal(figures['insurance_collected']):,.2f}",
        f"Patient collections counted: {Decimal(figures['patient_collected']):,.2f}",
        f"Fee on insurance collections: {Decimal(figures['insurance_fee']):,.2f}",
        f"Fee on patient collections: {Decimal(figures['patient_fee']):,.2f}",
        f"Claims sent ({figures['claims']}): {Decimal(figures['claim_fees']):,.2f}",
        f"Statements issued ({figures['statements']}): {Decimal(figures['statement_fees']):,.2f}",
    ]
    if Decimal(figures["minimum_top_up"]):
        shown.append(f"To the monthly minimum: {Decimal(figures['minimum_top_up']):,.2f}")
    return [*shown, f"Total due: {Decimal(figures['total']):,.2f}"]


def _credits(credit_notes: Sequence[Any]) -> list[str]:
    if not credit_notes:
        return []
    shown = [f"Credit note of {note.issued_on}: {Decimal(note.amount):,.2f} ({note.reason})" for note in credit_notes]
    return ["", *shown]
