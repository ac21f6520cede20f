"""Eligibility's test helpers: 271 answers as payers send them (written with the platform's 271 writer)."""

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

from claimstream_platform.x12 import FunctionalGroup, Interchange, write_interchange
from claimstream_platform.x12.eligibility import transaction_271
from claimstream_platform.x12.eligibility_model import Benefit, Contact, Party, Rejection, Response

TENANT = UUID("00000000-0000-0000-0000-0000000e1001")
PRACTICE = UUID("00000000-0000-0000-0000-0000000000e1")
BLUE = Party("PR", "2", "SIMULATED BLUE", id_qualifier="PI", identifier="SIMBCX")
CLINIC = Party("1P", "2", "CALM MINDS", id_qualifier="XX", identifier="1497758544")
PATIENT = Party("IL", "1", "NUNEZ", "ZOE", "MI", "XJH123456789")
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)

ACTIVE = (
    Benefit("1", "IND", ("30",), "PR", "BLUE PPO"),
    Benefit("1", "IND", ("A6",), authorization_required="N", in_network="Y"),
    Benefit("B", "IND", ("A6",), period="27", amount=Decimal("25"), in_network="Y"),
    Benefit("B", "IND", ("A6",), period="27", amount=Decimal("60"), in_network="N"),
    Benefit("C", "IND", ("A6",), period="29", amount=Decimal("300")),
    Benefit("F", "IND", ("A6",), period="23", quantity_qualifier="VS", quantity=Decimal(20)),
    Benefit("F", "IND", ("A6",), period="29", quantity_qualifier="VS", quantity=Decimal(12)),
)
CARVED_OUT = (
    Benefit("1", "IND", ("30",), "PR", "BLUE PPO"),
    Benefit("U", "IND", ("MH",), messages=("BEHAVIORAL HEALTH ADMINISTERED BY SIMULATED BEHAVIORAL HEALTH",),
            contacts=(Contact(Party("PR", "2", "SIMULATED BEHAVIORAL HEALTH", id_qualifier="PI",
                                    identifier="SIMBHO")),)),
)  # fmt: skip


def response(*benefits: Benefit, rejections: tuple[Rejection, ...] = (), trace: str = "") -> Response:
    return Response(BLUE, CLINIC, PATIENT, trace=trace, benefits=benefits, rejections=rejections)


def text_271(answer: Response) -> str:
    group = FunctionalGroup("HB", "SIM", "CSELIGIBILITY", "1", "005010X279A1",
                            [transaction_271([answer], "0001", created=NOW)], date="20261201", time="0930")  # fmt: skip
    return write_interchange(Interchange("ZZ", "SIM", "ZZ", "CSELIGIBILITY", "000000001", [group], usage="T"), now=NOW)
