"""Prior authorization's test helpers: a stand-in clearinghouse that answers 278s as a payer would (written with
the platform's 278 writer), captured charges as charge capture publishes them, and a request body."""

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from claimstream_devtools.stand_ins import StandInClearinghouse
from claimstream_platform.contracts import charge_capture as cc
from claimstream_platform.x12 import FunctionalGroup, Interchange, parse_interchange, write_interchange
from claimstream_platform.x12.review import read_278_request, transaction_278_response
from claimstream_platform.x12.review_model import CERTIFIED, ReviewDecision, ReviewRequest, ServiceDecision

TENANT = UUID("00000000-0000-0000-0000-0000000a0001")
PRACTICE = UUID("00000000-0000-0000-0000-0000000000a1")
OTHER_PRACTICE = UUID("00000000-0000-0000-0000-0000000000a2")
NPI = "1245319599"
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
ADDRESS = cc.Address(line1="1 Main St", city="Albany", state="NY", postal_code="12207")
PATIENT = cc.Patient(
    external_id="P-1", first_name="Zoë", last_name="Núñez", birth_date=date(1990, 1, 2), sex="F", address=ADDRESS
)


def body(practice: UUID = PRACTICE, **changes: Any) -> dict[str, Any]:
    return {
        "practice_id": str(practice),
        "codes": ["96130", "96131"],
        "quantity": 8,
        "unit": "units",
        "start": "2026-12-01",
        "end": "2027-02-28",
        "diagnoses": ["F90.0"],
        "patient": {"external_id": "P-1", "first_name": "Zoë", "last_name": "Núñez", "birth_date": "1990-01-02"},
        "coverage": {"payer_id": "SIMMCD", "member_id": "XJH123456789"},
        "provider": {"npi": NPI, "name": "Calm Minds"},
        **changes,
    }


def deciding(
    action: str, number: str = "", *, quantity: int | None = None, reason: str = "", end: date | None = None
) -> Callable[[str], list[str]]:
    """A payer answering each 278 request with `action` for the whole event (echoing its trace, and granting what
    was asked unless `quantity` or `end` says less)."""

    def answer(sent: str) -> list[str]:
        request = _request(sent)
        granted = request.quantity if quantity is None else quantity
        decision = ReviewDecision(
            request.trace,
            action,
            number,
            reason,
            granted if number else None,
            request.quantity_kind,
            request.start if number else None,
            (end or request.end) if number else None,
        )
        return _answer(request, decision)

    return answer


def deciding_each(event: str, number: str, **services: tuple[str, int | None, str]) -> Callable[[str], list[str]]:
    """A payer deciding each service on its own: code -> (HCR01, HSD02 or None, HCR03); the event's HCR01 is
    `event`."""

    def answer(sent: str) -> list[str]:
        request = _request(sent)
        decided = tuple(
            ServiceDecision(
                code,
                action,
                number if action in CERTIFIED else "",
                reason,
                quantity,
                "FL" if quantity is not None else "",
                request.start,
                request.end,
            )
            for code, (action, quantity, reason) in services.items()
        )
        decision = ReviewDecision(request.trace, event, number, start=request.start, end=request.end, services=decided)
        return _answer(request, decision)

    return answer


def _request(sent: str) -> ReviewRequest:
    interchange = parse_interchange(sent)
    (request,) = read_278_request(interchange.groups[0].transactions[0], interchange.delimiters)
    return request


def _answer(request: ReviewRequest, decision: ReviewDecision) -> list[str]:
    group = FunctionalGroup(
        "HI",
        "SIM",
        "CSAUTHORIZE",
        "1",
        "005010X217",
        [transaction_278_response(request, decision, "0001", created=NOW)],
    )
    return [write_interchange(Interchange("ZZ", "SIM", "ZZ", "CSAUTHORIZE", "000000001", [group]), now=NOW)]


class Clearinghouse(StandInClearinghouse):
    """Answers 278s as a test tells it; the traces of the requests it was sent."""

    def traces(self) -> list[str]:
        return [m.group(1) for text in self.sent for m in [re.search(r"TRN\*1\*([A-Z0-9]+)\*", text)] if m]


def captured(
    codes: tuple[tuple[str, int], ...] = (("96130", 2),),
    *,
    practice: UUID = PRACTICE,
    day: date = date(2026, 12, 10),
    version: int = 1,
    encounter_id: UUID | None = None,
    npi: str = NPI,
) -> cc.ChargeCaptured:
    """A captured charge as charge capture publishes it (the fields prior authorization reads, and what the
    contract requires beside them): each (code, units) a line."""
    lines = [
        cc.ChargeLine(
            line_number=n, code=code, modifiers=[], units=units, amount=Decimal("100") * units, diagnosis_pointers=[1]
        )
        for n, (code, units) in enumerate(codes, start=1)
    ]
    return cc.ChargeCaptured(
        tenant_id=TENANT,
        practice_id=practice,
        encounter_id=encounter_id or uuid4(),
        version=version,
        external_id=f"v-{uuid4().hex[:8]}",
        service_date=day,
        place_of_service="11",
        diagnoses=["F90.0"],
        lines=lines,
        total_amount=sum((line.amount for line in lines), Decimal(0)),
        patient=PATIENT,
        coverage=cc.Coverage(payer_id="SIMMCD", member_id="XJH123456789", relationship="self"),
        payer=cc.Payer(payer_id="SIMMCD", name="Medicaid", kind="medicaid", claim_filing_indicator="MC"),
        billing_provider=_billing_provider(practice),
        rendering_provider=cc.RenderingProvider(
            npi=npi, first_name="Ana", last_name="Díaz", credential="PhD", taxonomy="103TC0700X"
        ),
    )


def _billing_provider(practice: UUID) -> cc.BillingProvider:
    return cc.BillingProvider(
        practice_id=practice,
        name="Calm Minds",
        npi="1497758544",
        tax_id="123456789",
        taxonomy="103T00000X",
        address=ADDRESS,
    )
