"""The projection's test helpers: one visit's events as their producers publish them, each at a chosen time, and
delivery through the batch handler as the consumer runs it."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

from claimstream_platform.adjustments import provider_adjustment_kind
from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts import charge_capture as cc
from claimstream_platform.contracts import claim_submission as cs
from claimstream_platform.contracts import denial_management as dm
from claimstream_platform.contracts import remittance_posting as rp
from claimstream_platform.messaging.envelope import DecodedEvent, EventMetadata
from projection import handlers
from projection.facts import fact_of
from projection.model import Fact
from projection.repository import ProjectionWork
from projection_postings import SERVED, adjustments, classified, posted_lines

TENANT = UUID("00000000-0000-0000-0000-00000000f001")
OTHER_TENANT = UUID("00000000-0000-0000-0000-00000000f002")
PRACTICE = UUID("00000000-0000-0000-0000-0000000000f1")
NOON = datetime(2026, 10, 1, 12, tzinfo=UTC)
NPI = "1234567893"

Timed = tuple[IntegrationEvent, datetime]


def day(n: int, hour: int = 12) -> datetime:
    """`n` days after the date of service, at `hour` UTC."""
    return NOON + timedelta(days=n, hours=hour - 12)


@dataclass
class Visit:
    """One encounter of one patient, billed to `payer` for `charge`."""

    charge: str = "150"
    payer: str = "SIMAHP"
    tenant: UUID = TENANT
    patient: str = "P-1"
    served: date = SERVED
    encounter_id: UUID = field(default_factory=uuid4)
    claim_id: UUID = field(default_factory=uuid4)

    def _claim(self, claim_id: UUID | None = None) -> dict[str, object]:
        claim = claim_id or self.claim_id
        return {
            "tenant_id": self.tenant,
            "practice_id": PRACTICE,
            "claim_id": claim,
            "encounter_id": self.encounter_id,
            "patient_control_number": f"PCN{str(claim)[:8]}",
        }

    def received(self) -> cc.EncounterReceived:
        return cc.EncounterReceived(
            tenant_id=self.tenant,
            practice_id=PRACTICE,
            encounter_id=self.encounter_id,
            version=1,
            external_id=f"EHR-{str(self.encounter_id)[:8]}",
            service_date=self.served,
        )

    def captured(self) -> cc.ChargeCaptured:
        """The charge as charge capture publishes it; the projection keeps the patient's id and the NPI only."""
        address = cc.Address(line1="1 Main St", city="Albany", state="NY", postal_code="12207")
        person = {
            "first_name": "Zoë",
            "last_name": "Núñez",
            "birth_date": date(1990, 1, 2),
            "sex": "F",
            "address": address,
        }
        line = cc.ChargeLine(
            line_number=1, code="90837", modifiers=[], units=1, amount=Decimal(self.charge), diagnosis_pointers=[1]
        )
        return cc.ChargeCaptured(
            tenant_id=self.tenant,
            practice_id=PRACTICE,
            encounter_id=self.encounter_id,
            version=2,
            external_id=f"EHR-{str(self.encounter_id)[:8]}",
            service_date=self.served,
            place_of_service="11",
            diagnoses=["F41.1"],
            lines=[line],
            total_amount=Decimal(self.charge),
            patient=cc.Patient(external_id=self.patient, **person),
            coverage=cc.Coverage(payer_id=self.payer, member_id="M123", relationship="self"),
            payer=cc.Payer(payer_id=self.payer, name="Payer", kind="commercial", claim_filing_indicator="CI"),
            billing_provider=cc.BillingProvider(
                practice_id=PRACTICE,
                name="Practice",
                npi="1093817465",
                tax_id="123456789",
                taxonomy="103T00000X",
                address=address,
            ),
            rendering_provider=cc.RenderingProvider(
                npi=NPI, first_name="Ana", last_name="Díaz", credential="PhD", taxonomy="103TC0700X"
            ),
        )

    def created(
        self,
        *,
        claim_id: UUID | None = None,
        replaces: UUID | None = None,
        payer: str | None = None,
        responsibility: str = "primary",
        charge: str | None = None,
        lines: Sequence[tuple[str, str]] = (),
        frequency: str | None = None,
    ) -> cs.ClaimCreated:
        """The claim, one line of the visit's charge unless `lines` gives (code, amount) pairs."""
        billed = list(lines) or [("90837", charge or self.charge)]
        claim_lines = [
            cs.ClaimLine(
                line_number=n, code=code, modifiers=[], units=1, amount=Decimal(amount), control_number=f"L{n}"
            )
            for n, (code, amount) in enumerate(billed, start=1)
        ]
        return cs.ClaimCreated(
            **self._claim(claim_id),
            payer_id=payer or self.payer,
            frequency=frequency or ("7" if replaces else "1"),
            total_charge=sum((line.amount for line in claim_lines), Decimal(0)),
            service_date=self.served,
            replaces_claim_id=replaces,
            lines=claim_lines,
            responsibility=responsibility,  # type: ignore[arg-type]
            place_of_service="10",
        )

    def paid_lines(
        self,
        *lines: tuple[int, str, str, Sequence[tuple[str, str, str]]],
        outcome: str = "paid",
        payer: str | None = None,
        claim_id: UUID | None = None,
        status: str = "1",
        claim_level: Sequence[tuple[str, str, str]] = (),
    ) -> rp.PaymentPosted:
        """A posting line by line, as remittance posting announces it: (line number, charge, paid, adjustments),
        each adjustment classified; CLP04 the lines' payments less the claim-level adjustments."""
        posted = posted_lines(lines)
        claim_adjustments = classified(*claim_level)
        every = [*claim_adjustments, *(a for line in posted for a in line.adjustments)]
        paid = sum((line.paid for line in posted), Decimal(0)) - sum((a.amount for a in claim_adjustments), Decimal(0))
        return rp.PaymentPosted(
            tenant_id=self.tenant,
            practice_id=PRACTICE,
            remittance_id=uuid4(),
            claim_id=claim_id or self.claim_id,
            patient_control_number="PCN",
            payer_id=payer or self.payer,
            payer_claim_number="PCN-9",
            claim_status=status,
            outcome=outcome,  # type: ignore[arg-type]
            charge=sum((line.charge for line in posted), Decimal(0)),
            paid=paid,
            allowed=None,
            patient_responsibility=sum((a.amount for a in every if a.group == "PR"), Decimal(0)),
            adjustments=every,
            remarks=[],
            lines=posted,
            paid_on=self.served + timedelta(days=20),
        )

    def recouped(self, amount: str, reason: str = "WO", claim_id: UUID | None = None) -> rp.ProviderAdjustmentPosted:
        return rp.ProviderAdjustmentPosted(
            tenant_id=self.tenant,
            practice_id=PRACTICE,
            remittance_id=uuid4(),
            payee_npi=NPI,
            reason=reason,
            reference="PCN-9",
            amount=Decimal(amount),
            claim_id=claim_id or self.claim_id,
            kind=provider_adjustment_kind(reason),
        )

    def voided(self, claim_id: UUID | None = None) -> cs.ClaimVoided:
        return cs.ClaimVoided(**self._claim(claim_id), reason="withdrawn")

    def submitted(self, claim_id: UUID | None = None) -> cs.ClaimSubmitted:
        return cs.ClaimSubmitted(**self._claim(claim_id), interchange_control_number="000000001")

    def accepted(self, claim_id: UUID | None = None) -> cs.ClaimAccepted:
        return cs.ClaimAccepted(**self._claim(claim_id), payer_claim_number="PCN-9")

    def rejected(self, claim_id: UUID | None = None) -> cs.ClaimRejected:
        from claimstream_platform.contracts import Reason

        return cs.ClaimRejected(
            **self._claim(claim_id),
            source="277CA",
            reasons=[Reason(rule="277CA.A7.21", field="claim", message="rejected")],
        )

    def posted(
        self,
        paid: str,
        *pairs: tuple[str, str, str],
        outcome: str = "paid",
        payer: str | None = None,
        claim_id: UUID | None = None,
        status: str = "1",
    ) -> rp.PaymentPosted:
        adjusted = adjustments(*pairs)
        owed = sum((a.amount for a in adjusted if a.group == "PR"), Decimal(0))
        return rp.PaymentPosted(
            tenant_id=self.tenant,
            practice_id=PRACTICE,
            remittance_id=uuid4(),
            claim_id=claim_id or self.claim_id,
            patient_control_number="PCN",
            payer_id=payer or self.payer,
            payer_claim_number="PCN-9",
            claim_status=status,
            outcome=outcome,
            charge=Decimal(self.charge),
            paid=Decimal(paid),
            allowed=None,
            patient_responsibility=owed,
            adjustments=adjusted,
            remarks=[],
            lines=[],
            paid_on=None,
        )

    def triaged(
        self, case_id: UUID, category: str, codes: Sequence[str], recoverable: str, line: int | None = None
    ) -> dm.DenialTriaged:
        return dm.DenialTriaged(
            tenant_id=self.tenant,
            practice_id=PRACTICE,
            case_id=case_id,
            claim_id=self.claim_id,
            payer_id=self.payer,
            kind="denial",
            level="line" if line else "claim",
            line_number=line,
            codes=list(codes),
            category=category,
            action="work it",
            automatic=False,
            recoverable=Decimal(recoverable),
            deadline=None,
            priority=1,
        )

    def resolved(self, case_id: UUID, resolution: str, written_off: str = "0") -> dm.DenialResolved:
        return dm.DenialResolved(
            tenant_id=self.tenant,
            practice_id=PRACTICE,
            case_id=case_id,
            claim_id=self.claim_id,
            payer_id=self.payer,
            resolution=resolution,
            recovered=Decimal(0),
            written_off=Decimal(written_off),
            automatic=False,
        )


def delivery(event: IntegrationEvent, at: datetime, event_id: UUID | None = None) -> DecodedEvent:
    meta = EventMetadata(event_id=event_id or uuid4(), source="test", time=at, correlation_id=uuid4())
    return DecodedEvent(event=event, metadata=meta)


def fact(event: IntegrationEvent, at: datetime) -> Fact:
    found = fact_of(event, uuid4(), at, "test")
    assert found is not None
    return found


async def deliver(make_uow: Callable[[], ProjectionWork], *items: DecodedEvent, together: bool = False) -> None:
    """Through the batch handler: each in its own transaction (events arriving apart), or all in one batch."""
    batches = [list(items)] if together else [[item] for item in items]
    for batch in batches:
        async with make_uow() as uow:
            await handlers.on_events(batch, uow)
            await uow.commit()
