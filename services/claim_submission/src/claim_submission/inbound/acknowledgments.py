"""Reading what comes back: the 999 (per transaction set) and the 277CA (per claim). Pure."""

from dataclasses import dataclass, field

from claimstream_platform.contracts import Reason
from claimstream_platform.x12 import X12Error, parse_interchange

MAX_PAYER_CLAIM_NUMBER = 50  # claims.payer_claim_number; REF02 allows more, our claims table does not
ACCEPTED_999 = ("A", "E")  # accepted, accepted with errors
# 277CA categories (docs/domain/x12.md §6): A1 received (not yet accepted), A2 accepted into adjudication, and the
# rejections at any stage (clearinghouse or payer). A0 forwarded and A5 split say nothing of the claim's fate.
RECEIVED_277 = "A1"
ACCEPTED_277 = "A2"
REJECTED_277 = ("A3", "A4", "A6", "A7", "A8")
# Claim status category codes (X12 507) with our own short descriptions.
CATEGORY = {
    "A0": "forwarded",
    "A1": "received",
    "A2": "accepted into adjudication",
    "A3": "returned as unprocessable",
    "A4": "not found",
    "A5": "split",
    "A6": "rejected for missing information",
    "A7": "rejected for invalid information",
    "A8": "rejected for relational field error",
}
# IK304 and IK403 syntax error codes (X12) with our own short descriptions.
SEGMENT_ERRORS = {
    "1": "unrecognized segment",
    "2": "unexpected segment",
    "3": "required segment missing",
    "4": "loop occurs too often",
    "5": "segment exceeds maximum use",
    "8": "segment has element errors",
}
ELEMENT_ERRORS = {
    "1": "required element missing",
    "2": "conditional element missing",
    "4": "too short",
    "5": "too long",
    "6": "invalid character",
    "7": "invalid code value",
    "8": "invalid date",
}


@dataclass
class TransactionAck:
    control_number: str  # AK202: the ST02 of the 837 transaction set
    accepted: bool
    reasons: list[Reason] = field(default_factory=list)


@dataclass
class FunctionalAck:
    group_control_number: str  # AK102: the GS06 acknowledged
    accepted: bool  # AK901 A, E or P (some transaction sets accepted)
    transactions: list[TransactionAck]


def read_999(text: str) -> list[FunctionalAck]:
    interchange = parse_interchange(text)
    results = []
    for group in interchange.groups:
        for transaction in group.transactions:
            if transaction.set_id != "999":
                continue
            acks: list[TransactionAck] = []
            acknowledged_group, group_status = "", "R"
            segment_tag = ""
            for segment in transaction.segments:
                if segment.tag == "AK1":
                    acknowledged_group = segment.get(2)
                elif segment.tag == "AK2":
                    acks.append(TransactionAck(segment.get(2), False))
                elif segment.tag == "IK3" and acks:
                    segment_tag = segment.get(1)
                    reason = SEGMENT_ERRORS.get(segment.get(4), f"error {segment.get(4)}")
                    acks[-1].reasons.append(
                        Reason(
                            rule=f"999.IK3.{segment.get(4)}",
                            field=f"{segment_tag} segment {segment.get(2)}",
                            message=f"{segment_tag}: {reason}",
                        )
                    )
                elif segment.tag == "IK4" and acks:
                    reason = ELEMENT_ERRORS.get(segment.get(3), f"error {segment.get(3)}")
                    acks[-1].reasons.append(
                        Reason(
                            rule=f"999.IK4.{segment.get(3)}",
                            field=f"{segment_tag}{segment.get(1).split(':')[0].zfill(2)}",
                            message=f"{segment_tag} element {segment.get(1)}: {reason}",
                        )
                    )
                elif segment.tag == "IK5" and acks:
                    acks[-1].accepted = segment.get(1) in ACCEPTED_999
                elif segment.tag == "AK9":
                    group_status = segment.get(1)
            results.append(FunctionalAck(acknowledged_group, group_status in ("A", "E", "P"), acks))
    return results


@dataclass(frozen=True)
class ClaimStatus:
    patient_control_number: str  # TRN02 at the patient level
    status: str  # STC01, e.g. A2:20 or A7:562:85
    payer_claim_number: str | None

    @property
    def category(self) -> str:
        return self.status.split(":")[0]

    @property
    def received(self) -> bool:
        return self.category == RECEIVED_277

    @property
    def accepted(self) -> bool:
        return self.category == ACCEPTED_277

    @property
    def rejected(self) -> bool:
        return self.category in REJECTED_277

    def reason(self) -> Reason:
        parts = self.status.split(":")
        entity = f" (entity {parts[2]})" if len(parts) > 2 and parts[2] else ""
        code = parts[1] if len(parts) > 1 else ""
        return Reason(
            rule=f"277CA.{self.category}.{code}",
            field="claim",
            message=f"{CATEGORY.get(self.category, self.category)}: status code {code}{entity}",
        )


def read_277ca(text: str) -> list[ClaimStatus]:
    """One status per claim (the patient-level HL), in file order."""
    interchange = parse_interchange(text)
    delimiter = interchange.delimiters.component
    statuses = []
    for group in interchange.groups:
        for transaction in group.transactions:
            current: dict[str, str] | None = None
            for segment in transaction.segments:
                if segment.tag == "HL":
                    if current is not None:
                        statuses.append(_status(current))
                    current = {} if segment.get(3) == "PT" else None
                elif current is None:
                    continue
                elif segment.tag == "TRN" and segment.get(1) == "2":
                    current["pcn"] = segment.get(2)
                elif segment.tag == "STC" and "status" not in current:
                    current["status"] = segment.get(1).replace(delimiter, ":")
                elif segment.tag == "REF" and segment.get(1) == "1K":
                    if not 0 < len(segment.get(2)) <= MAX_PAYER_CLAIM_NUMBER:
                        raise X12Error(
                            f"a payer claim number is 1 to {MAX_PAYER_CLAIM_NUMBER} characters",
                            position=segment.position,
                            tag="REF",
                            element=2,
                        )
                    current["number"] = segment.get(2)
            if current is not None:
                statuses.append(_status(current))
    return statuses


def _status(values: dict[str, str]) -> ClaimStatus:
    return ClaimStatus(values.get("pcn", ""), values.get("status", ""), values.get("number"))
