"""The 837P reader's coordination-of-benefits loops: 2320 (SBR, AMT), 2330A/B (the other subscriber and payer,
read by the reader's NM1) and 2430 (SVD, CAS): who else pays and what each paid on every line.

A mixin of the reader (`p837._Reader`), kept apart so that each module stays small; it uses the reader's state
(`claim`, `lines`, `loop`, `context`) and its `error`.
"""

from decimal import Decimal
from typing import Any

from claimstream_platform.x12 import Segment
from claimstream_platform.x12.p837_model import ElementError, parse_decimal


class CobReading:
    claim: dict[str, object] | None
    lines: list[dict[str, object]]
    loop: str
    context: Any

    def error(self, segment: Segment, index: int, code: str, *elements: ElementError) -> None:
        raise NotImplementedError

    def _sbr(self, segment: Segment, index: int) -> None:
        if self.claim is not None:  # 2320: another payer of the patient
            self.loop = "2320"
            self._others().append({"responsibility": segment.get(1)})
            return
        self.context.subscriber.update(
            responsibility=segment.get(1), relationship=segment.get(2), group=segment.get(3), filing=segment.get(9)
        )

    def _others(self) -> list[dict[str, object]]:
        assert self.claim is not None
        return self.claim.setdefault("other_payers", [])  # type: ignore[return-value]

    def _amt(self, segment: Segment, index: int) -> None:
        if self.claim is None or self.lines or not self.claim.get("other_payers"):
            return
        field = {"D": "paid", "EAF": "patient_responsibility"}.get(segment.get(1))
        value = parse_decimal(segment.get(2))
        if field and value is None:
            self.error(segment, index, "8", ElementError("2", "782", "6"))
        elif field:
            self._others()[-1][field] = value

    def _svd(self, segment: Segment, index: int) -> None:
        if not self.lines:
            self.error(segment, index, "2")
            return
        paid = parse_decimal(segment.get(2))
        if paid is None:
            self.error(segment, index, "8", ElementError("2", "782", "6" if segment.get(2) else "1"))
            return
        self.loop = "2430"
        self._adjudications().append({"payer_id": segment.get(1), "paid": paid})

    def _adjudications(self) -> list[dict[str, object]]:
        return self.lines[-1].setdefault("adjudications", [])  # type: ignore[return-value]

    def _cas(self, segment: Segment, index: int) -> None:
        """2430 CAS: the patient's share (PR) of the line after that payer; claim-level CAS are not needed."""
        if self.loop != "2430" or segment.get(1) != "PR":
            return
        amounts = [parse_decimal(segment.get(n)) for n in range(3, 19, 3) if segment.get(n)]
        if any(value is None for value in amounts):
            self.error(segment, index, "8", ElementError("3", "782", "6"))
            return
        last = self._adjudications()[-1]
        owed = last.get("patient_responsibility", Decimal(0))
        assert isinstance(owed, Decimal)
        last["patient_responsibility"] = owed + sum((a for a in amounts if a is not None), Decimal(0))
