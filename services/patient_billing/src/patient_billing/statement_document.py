"""A statement as the patient reads it, pure: its lines of text (the PDF and the email are made from them), in
plain words: per visit what was charged, what the insurance paid and adjusted, why part of it is hers, and then
what is due, by when, and how to pay."""

from dataclasses import dataclass
from decimal import Decimal

from claimstream_platform.pdf import render_pdf, wrap

from patient_billing.statements import Statement, VisitLine


@dataclass(frozen=True)
class Addressed:
    """Who it goes to and how she pays: her name and address as the practice has them, and the payment page."""

    name: str
    address: tuple[str, ...]
    pay_at: str  # where to pay online: the statement's own signed link
    practice_phone: str = "the number on your appointment card"


def lines(statement: Statement, to: Addressed) -> list[str]:
    head = [
        to.name,
        *to.address,
        "",
        f"Statement of {statement.issued_on:%B %d, %Y}",
        statement.tone,
        "",
    ]
    body = [line for visit in statement.visits for line in _visit(visit)]
    return [*head, *body, *_total(statement, to)]


def pdf(statement: Statement, to: Addressed) -> bytes:
    return render_pdf([part for line in lines(statement, to) for part in wrap(line)])


def _visit(visit: VisitLine) -> list[str]:
    new = " (new since your last statement)" if visit.new else ""
    out = [
        f"Visit of {visit.service_date:%B %d, %Y}{new}",
        f"  Charged by the practice: {_usd(visit.charged)}",
        f"  Paid by your insurance: {_usd(visit.insurance_paid)}",
        f"  Taken off by your insurance's agreement (you do not owe it): {_usd(visit.insurance_adjusted)}",
        f"  Left to you by your insurance: {_usd(visit.your_share)}",
    ]
    out += [f"    {_usd(amount)}: {words}" for words, amount in visit.why]
    if visit.you_paid:
        out.append(f"  You have paid: {_usd(visit.you_paid)}")
    if visit.forgiven:
        out.append(f"  Forgiven by the practice: {_usd(visit.forgiven)}")
    return [*out, f"  You owe for this visit: {_usd(visit.owed)}", ""]


def _total(statement: Statement, to: Addressed) -> list[str]:
    held = [f"Your money we hold, taken off: {_usd(statement.held)}"] if statement.held else []
    if statement.plan is not None:
        per_month, left = statement.plan
        held.append(f"Your payment plan: {_usd(per_month)} a month; {_usd(left)} left on it. This month's part:")
    return [
        *held,
        f"Amount due: {_usd(statement.amount_due)}, by {statement.due_on:%B %d, %Y}",
        "",
        f"How to pay: online at {to.pay_at}; at the front desk at your next visit (cash, check or card);",
        f"or call the practice at {to.practice_phone} to pay by card or to set up a payment plan.",
    ]


def _usd(amount: Decimal) -> str:
    return f"${amount:,.2f}"
