"""Eligibility's test helpers: 271 answers as payers send them (written with the platform's 271 writer)."""

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from claimstream_devtools.stand_ins import StandInClearinghouse
from claimstream_platform.contracts import charge_capture as cc
from claimstream_platform.x12 import FunctionalGroup, Interchange, write_interchange
from claimstream_platform.x12.eligibility import transaction_271
from claimstream_platform.x12.eligibility_model import Benefit, Contact, Party, Rejection, Response
from eligibility.domain import Check, Patient

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
    Benefit(
        "U",
        "IND",
        ("MH",),
        messages=("BEHAVIORAL HEALTH ADMINISTERED BY SIMULATED BEHAVIORAL HEALTH",),
        contacts=(Contact(Party("PR", "2", "SIMULATED BEHAVIORAL HEALTH", id_qualifier="PI", identifier="SIMBHO")),),
    ),
)


def response(*benefits: Benefit, rejections: tuple[Rejection, ...] = (), trace: str = "") -> Response:
    return Response(BLUE, CLINIC, PATIENT, trace=trace, benefits=benefits, rejections=rejections)


def a_check(payer: str = "SIMBCX") -> Check:
    """A check as the API stores it, for the pure tests."""
    patient = Patient("P-1", "Zoë", "Núñez", date(1990, 1, 2))
    return Check(
        TENANT, PRACTICE, patient, payer, "XJH123456789", date(2026, 12, 3), ("30", "MH"), "1497758544", "Calm Minds"
    )


def text_271(answer: Response) -> str:
    group = FunctionalGroup(
        "HB",
        "SIM",
        "CSELIGIBILITY",
        "1",
        "005010X279A1",
        [transaction_271([answer], "0001", created=NOW)],
        date="20261201",
        time="0930",
    )
    return write_interchange(Interchange("ZZ", "SIM", "ZZ", "CSELIGIBILITY", "000000001", [group], usage="T"), now=NOW)


def captured(patient_ref: str = "P-1", payer: str = "SIMBCX", member_id: str = "XJH123456789") -> cc.ChargeCaptured:
    """A captured charge as charge capture publishes it (the fields eligibility reads, and what the contract
    requires beside them)."""
    address = cc.Address(line1="1 Main St", city="Albany", state="NY", postal_code="12207")
    line = cc.ChargeLine(
        line_number=1, code="90837", modifiers=[], units=1, amount=Decimal("180"), diagnosis_pointers=[1]
    )
    return cc.ChargeCaptured(
        tenant_id=TENANT,
        practice_id=PRACTICE,
        encounter_id=uuid4(),
        version=1,
        external_id=f"v-{uuid4().hex[:8]}",
        service_date=date(2026, 12, 3),
        place_of_service="11",
        diagnoses=["F41.1"],
        lines=[line],
        total_amount=Decimal("180"),
        patient=cc.Patient(
            external_id=patient_ref,
            first_name="Zoë",
            last_name="Núñez",
            birth_date=date(1990, 1, 2),
            sex="F",
            address=address,
        ),
        coverage=cc.Coverage(payer_id=payer, member_id=member_id, relationship="self"),
        payer=cc.Payer(payer_id=payer, name="Blue", kind="commercial", claim_filing_indicator="CI"),
        billing_provider=cc.BillingProvider(
            practice_id=PRACTICE,
            name="Calm Minds",
            npi="1497758544",
            tax_id="123456789",
            taxonomy="103T00000X",
            address=address,
        ),
        rendering_provider=cc.RenderingProvider(
            npi="1234567893", first_name="Ana", last_name="Díaz", credential="PhD", taxonomy="103TC0700X"
        ),
    )


Clearinghouse = StandInClearinghouse  # answers 270s as a test tells it
