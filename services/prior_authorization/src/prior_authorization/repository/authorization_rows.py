"""Authorizations and their lines as stored rows, and back (`repository.authorizations` reads and writes them)."""

from typing import Any

from prior_authorization.domain import Authorization, Patient
from prior_authorization.lines import Line


def row_of(x: Authorization) -> dict[str, Any]:
    p = x.patient
    return {
        "id": x.id,
        "tenant_id": x.tenant_id,
        "practice_id": x.practice_id,
        "patient_ref": p.external_id,
        "first_name": p.first_name,
        "last_name": p.last_name,
        "birth_date": p.birth_date,
        "payer_id": x.payer_id,
        "member_id": x.member_id,
        "provider_npi": x.provider_npi,
        "provider_name": x.provider_name,
        "codes": list(x.codes),
        "diagnoses": list(x.diagnoses),
        "requested": x.requested,
        "unit": x.unit,
        "start": x.start,
        "end": x.end,
        "certification": x.certification,
        "previous_number": x.previous_number,
        "status": x.status,
        "source": x.source,
        "number": x.number,
        "approved": x.approved,
        "used": x.used,
        "over_drawn": x.over,
        "partial": x.partial,
        "reason": x.reason[:80],
        "warned": list(x.warned),
        "reviews": list(x.reviews),
    }


def line_row(x: Line) -> dict[str, Any]:
    return {
        "codes": list(x.codes),
        "requested": x.requested,
        "unit": x.unit,
        "status": x.status,
        "action": x.action[:2],
        "number": x.number[:50],
        "reason": x.reason[:80],
        "approved": x.approved,
        "used": x.used,
        "over_drawn": x.over,
        "partial": x.partial,
        "start": x.start,
        "end": x.end,
    }


def line_of(row: Any) -> Line:
    return Line(
        codes=tuple(row.codes),
        requested=row.requested,
        unit=row.unit,
        start=row.start,
        end=row.end,
        status=row.status,
        action=row.action,
        number=row.number,
        reason=row.reason,
        approved=row.approved,
        used=row.used,
        over=row.over_drawn,
        partial=row.partial,
    )


def authorization_of(row: Any, lines: list[Line]) -> Authorization:
    return Authorization(
        tenant_id=row.tenant_id,
        practice_id=row.practice_id,
        patient=Patient(row.patient_ref, row.first_name, row.last_name, row.birth_date),
        payer_id=row.payer_id,
        member_id=row.member_id,
        provider_npi=row.provider_npi,
        provider_name=row.provider_name,
        codes=tuple(row.codes),
        requested=row.requested,
        unit=row.unit,
        start=row.start,
        end=row.end,
        diagnoses=tuple(row.diagnoses),
        certification=row.certification,
        previous_number=row.previous_number,
        id=row.id,
        status=row.status,
        source=row.source,
        number=row.number,
        reason=row.reason,
        warned=tuple(row.warned),
        reviews=tuple(row.reviews),
        lines=lines,
    )
